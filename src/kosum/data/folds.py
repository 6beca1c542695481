"""K-fold cross-validation of the seq2seq recipe as DVC stages (kfold/dvc.yaml, opt-in).

Why this shape: every fold folder looks like `data/processed` (train = the other folds, dev = the held-out fold,
test as is), so the ordinary `train_seq2seq` and `predict` scripts run on it unchanged under DVC's `matrix`. The
held-out fold's scores are the out-of-fold estimate (each fold also picks its checkpoint on its held-out part, as
K-fold is usually run); the fold models' test candidates are ensemble members, selected by the ensemble's MBR.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

from kosum.core.errors import ConfigError, DataError
from kosum.core.io import atomic_path, write_csv
from kosum.data.reading import read_processed

SHARED_FILES = ("test.csv", "test_answers.csv", "stats.json")  # copied into every fold as they are


def fold_folder(fold: int) -> str:
    return f"fold{fold}"


def check_folds(folds: Sequence[int]) -> int:
    """K, for folds that are exactly 0..K-1 with K >= 2 (kfold/dvc.yaml `vars`)."""
    if len(folds) < 2 or list(folds) != list(range(len(folds))):
        raise ConfigError(f"kfold/dvc.yaml: kfold.folds must be 0..K-1 with K >= 2 (e.g. [0, 1, 2, 3, 4] for 5 "
                          f"folds); got {list(folds)}.")
    return len(folds)


def written_folds(folds_dir: Path) -> list[int]:
    """The folds the split stage wrote (fold0, fold1, ...)."""
    found = sorted(int(p.name.removeprefix("fold")) for p in folds_dir.glob("fold*") if p.name[4:].isdigit())
    if not found:
        raise DataError(f"{folds_dir}: no fold folders; run `dvc repro kfold/dvc.yaml`.")
    return found


def assign_folds(fnames: Sequence[str], k: int, seed: int) -> dict[str, int]:
    """fname -> fold: a seeded shuffle dealt round-robin, so folds differ in size by at most one."""
    order = sorted(fnames)
    random.Random(seed).shuffle(order)
    return {fname: i % k for i, fname in enumerate(order)}


def write_folds(data_dir: Path, out_dir: Path, folds: Sequence[int], seed: int) -> None:
    """`out_dir/fold<i>/` for each fold: train.csv (the other folds), dev.csv (fold i), and the shared test files."""
    k = check_folds(folds)
    train = read_processed(data_dir / "train.csv")
    fold = train["fname"].map(assign_folds(list(train["fname"]), k, seed))
    with atomic_path(out_dir) as tmp:
        for i in range(k):
            folder = tmp / fold_folder(i)
            write_csv(train[fold != i], folder / "train.csv")
            write_csv(train[fold == i], folder / "dev.csv")
            for name in SHARED_FILES:
                if (data_dir / name).exists():
                    (folder / name).write_bytes((data_dir / name).read_bytes())
