"""Atomic writes: a killed or failing stage never leaves a half-written file or folder behind."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

PREDICTION_FILES = {"dev": "dev.csv", "test": "submission.csv"}  # `fname,summary` files per split, per model
CANDIDATES = "candidates.csv"  # every candidate of a model, or the ensemble's pool: split,fname,source,summary


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


def write_prediction_folder(out_dir: Path, summaries: dict[str, pd.DataFrame], candidates: pd.DataFrame,
                            extra: dict[str, pd.DataFrame] | None = None) -> None:
    """A model's (or the ensemble's) prediction folder, all files or none: per split its `fname,summary` file
    (`dev.csv`, `submission.csv`), the candidate pool `candidates.csv`, and any `extra` tables by file name."""
    with atomic_path(out_dir) as tmp:
        for split, frame in summaries.items():
            write_csv(frame[["fname", "summary"]], tmp / PREDICTION_FILES[split])
        write_csv(candidates, tmp / CANDIDATES)
        for name, frame in (extra or {}).items():
            write_csv(frame, tmp / name)
