"""DVC stage `corpus`: write the embedded synthetic Korean dialogue corpus (competition format) from a seed."""

from __future__ import annotations

import argparse
from pathlib import Path

from kosum.core.config.embedded import EmbeddedConfig
from kosum.core.config.loader import load_file
from kosum.core.stage import run_stage
from kosum.data.corpus import write_corpus


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("embedded", type=Path, help="configs/embedded.yaml (its `corpus` section)")
    parser.add_argument("out_dir", type=Path, help="folder for train/dev/test/sample_submission/test_answers CSVs")
    args = parser.parse_args(argv)
    write_corpus(load_file(EmbeddedConfig, args.embedded).corpus, args.out_dir)


if __name__ == "__main__":
    run_stage(main)
