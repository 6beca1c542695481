"""Atomic writes: a killed or failing stage never leaves a half-written file or folder behind; the prediction folder,
whose submission is checked before anything of it is written."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import zip_longest
from pathlib import Path
from typing import Any

import pandas as pd

from kosum.core.errors import DataError

PREDICTION_FILES = {"dev": "dev.csv", "test": "submission.csv"}  # `fname,summary` files per split, per model
CANDIDATES = "candidates.csv"  # every candidate of a model, or the ensemble's pool: split,fname,source,summary
STOPS = "stops.csv"  # split,fname,at_cap: whether a model's prediction used all of max_new_tokens (cut there)
SAMPLE_SUBMISSION = "sample_submission.csv"  # the competition's fnames in submission order (preprocess carries it)


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temp path beside `path`; on success it replaces `path` (file or folder), on error it is removed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent)) / path.name
    try:
        yield tmp
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        os.replace(tmp, path)
    finally:
        shutil.rmtree(tmp.parent, ignore_errors=True)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write a UTF-8 CSV atomically, without the index."""
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")


def write_json(data: Any, path: Path) -> None:
    """Write pretty, key-sorted JSON atomically (stable bytes, readable diffs)."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def check_submission(frame: pd.DataFrame, path: Path, sample: Sequence[str] | None) -> None:
    """Stop before `path` is written if the competition would reject it: its fnames must be `sample`'s
    (sample_submission.csv's, same order and count; None, where the data has none: each fname once). The error names
    the first row that differs. An empty summary is written (the competition scores that row 0, which beats losing
    hours of generation to a failed stage) and counted in the leaderboard (`kosum.evaluation.caps`)."""
    fnames = list(frame["fname"])
    if sample is not None:
        _check_sample_order(fnames, list(sample), path)
    duplicated = frame["fname"].duplicated()
    if duplicated.any():
        row = int(duplicated.argmax())
        raise DataError(f"{path}, row {row + 1}: duplicate fname {fnames[row]!r}; a submission lists each dialogue "
                        "once.")


def _check_sample_order(fnames: list[str], sample: list[str], path: Path) -> None:
    counts = "" if len(fnames) == len(sample) else f" ({len(fnames)} rows where {SAMPLE_SUBMISSION} has {len(sample)})"
    for row, (found, expected) in enumerate(zip_longest(fnames, sample)):
        if found == expected:
            continue
        if found is None:
            what = f"no row where {SAMPLE_SUBMISSION} has {expected!r}"
        elif expected is None:
            what = f"fname {found!r} past {SAMPLE_SUBMISSION}'s last row"
        else:
            what = f"fname {found!r} where {SAMPLE_SUBMISSION} has {expected!r}"
        raise DataError(f"{path}, row {row + 1}: {what}{counts}; a submission must list {SAMPLE_SUBMISSION}'s fnames "
                        "in its order.")


def write_prediction_folder(out_dir: Path, summaries: dict[str, pd.DataFrame], candidates: pd.DataFrame,
                            extra: dict[str, pd.DataFrame] | None = None, *, sample: Sequence[str] | None) -> None:
    """A model's (or the ensemble's) prediction folder, all files or none: per split its `fname,summary` file
    (`dev.csv`, `submission.csv`), the candidate pool `candidates.csv`, and any `extra` tables by file name. The
    submission is checked first (`check_submission` against `sample`, `kosum.data.reading.sample_fnames`): a failed
    check writes nothing and keeps the folder as it was."""
    check_submission(summaries["test"], Path(out_dir) / PREDICTION_FILES["test"], sample)
    with atomic_path(out_dir) as tmp:
        for split, frame in summaries.items():
            write_csv(frame[["fname", "summary"]], tmp / PREDICTION_FILES[split])
        write_csv(candidates, tmp / CANDIDATES)
        for name, frame in (extra or {}).items():
            write_csv(frame, tmp / name)
