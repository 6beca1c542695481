"""DVC stage `plots`: static PNG training curves and score bars (readable offline, unlike `dvc plots show`'s HTML)."""

from __future__ import annotations

import argparse
from pathlib import Path

from kosum.cli import run_stage
from kosum.plots import write_plots


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("live_root", type=Path, help="folder with one DVCLive run per training stage")
    parser.add_argument("metrics_dir", type=Path, help="evaluate's <model>.json files")
    parser.add_argument("out_dir", type=Path, help="curves_<run>.png, scores.png, scores.csv")
    args = parser.parse_args(argv)
    write_plots(args.live_root, args.metrics_dir, args.out_dir)


if __name__ == "__main__":
    run_stage(main)
