"""DVC stage `corpus`: write the embedded synthetic Korean dialogue corpus (competition format) from a seed."""

from __future__ import annotations

import argparse
from pathlib import Path

from kosum.cli import run_stage
from kosum.config import CorpusConfig, load_section
from kosum.corpus import write_corpus


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out_dir", type=Path, help="folder for train/dev/test/sample_submission/test_answers CSVs")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args(argv)
    write_corpus(load_section(CorpusConfig, args.params, "corpus"), args.out_dir)


if __name__ == "__main__":
    run_stage(main)
