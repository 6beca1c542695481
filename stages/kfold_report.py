"""DVC stage `report` of kfold/dvc.yaml: the out-of-fold score (mean and spread over folds) and the K-fold ensemble
(MBR among the fold models' test candidates) against the same recipe trained on all of train, on test."""

from __future__ import annotations

import argparse
from pathlib import Path

from kosum.core.stage import run_stage
from kosum.tools.kfold_report import kfold_report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data_dir", type=Path, help="processed splits with the test answers")
    parser.add_argument("folds_dir", type=Path, help="the split stage's fold folders")
    parser.add_argument("predictions_dir", type=Path, help="one predict folder per fold")
    parser.add_argument("full_model", type=Path, help="predict folder of the model trained on all of train")
    parser.add_argument("metrics_dir", type=Path, help="kfold.json (the DVC metrics) and folds.csv")
    parser.add_argument("out_dir", type=Path, help="the K-fold ensemble's submission.csv and selection.csv")
    args = parser.parse_args(argv)
    kfold_report(args.data_dir, args.folds_dir, args.predictions_dir, args.full_model,
                 args.metrics_dir / "kfold.json", args.metrics_dir / "folds.csv", args.out_dir)


if __name__ == "__main__":
    run_stage(main)
