"""DVC stage `split` of kfold/dvc.yaml: deal the train split into params.yaml `kfold.folds` folds, each written as a
processed-data folder (train = the other folds, dev = the held-out fold, the test files shared). The folds and the
seed come from kfold/dvc.yaml's `vars` (not params.yaml: the default pipeline's `dvc exp show` column budget)."""

from __future__ import annotations

import argparse
from pathlib import Path

from kosum.core.stage import run_stage
from kosum.data.folds import write_folds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data_dir", type=Path, help="processed splits (train.csv, test.csv, test_answers.csv)")
    parser.add_argument("out_dir", type=Path, help="one folder per fold: fold0/, fold1/, ...")
    parser.add_argument("--folds", type=int, nargs="+", required=True, help="0 1 ... K-1")
    parser.add_argument("--seed", type=int, required=True, help="which dialogues fall into which fold")
    args = parser.parse_args(argv)
    write_folds(args.data_dir, args.out_dir, args.folds, args.seed)


if __name__ == "__main__":
    run_stage(main)
