"""DVC stage `evaluate`: score every model of params.yaml (`models`, `zero_shot`) and the lead baseline; write the
DVC metrics, a leaderboard, per-sample scores and static plots of the training curves."""

from __future__ import annotations

import argparse
from pathlib import Path

from kosum.cli import run_stage
from kosum.config import Params, load_file
from kosum.evaluation import evaluate_all, write_evaluation


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data_dir", type=Path, help="processed splits, stats.json and test answers")
    parser.add_argument("predictions_dir", type=Path, help="one folder per model with dev.csv and submission.csv")
    parser.add_argument("live_root", type=Path, help="one DVCLive folder per training run (for the curves)")
    parser.add_argument("metrics_dir", type=Path, help="scores.json, leaderboard.md, samples/ and plots/")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args(argv)
    results = evaluate_all(args.data_dir, args.predictions_dir, load_file(Params, args.params).scored)
    write_evaluation(results, args.live_root, args.metrics_dir)


if __name__ == "__main__":
    run_stage(main)
