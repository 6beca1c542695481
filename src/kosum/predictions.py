"""Prediction files: `fname,summary` CSVs for dev (scored locally) and test (the competition submission)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from transformers import set_seed

from kosum.config import GenerateConfig
from kosum.data import PREDICTION_FILES, read_processed
from kosum.files import atomic_path, write_csv
from kosum.generation import Summarizer


def predict_frame(summarizer: Summarizer, frame: pd.DataFrame, cfg: GenerateConfig) -> pd.DataFrame:
    """`fname,summary` for every row of `frame`, in its order."""
    topics = frame["topic"] if "topic" in frame.columns else [None] * len(frame)
    summaries = summarizer.summarize(list(frame["dialogue"]), list(topics), cfg, progress=True)
    return pd.DataFrame({"fname": frame["fname"], "summary": summaries})


def predict_splits(summarizer: Summarizer, data_dir: Path, out_dir: Path, cfg: GenerateConfig) -> None:
    """Write `dev.csv` and `submission.csv` into `out_dir` together: both appear, or neither changes."""
    set_seed(cfg.seed)
    with atomic_path(out_dir) as tmp:
        for split, name in PREDICTION_FILES.items():
            write_csv(predict_frame(summarizer, read_processed(data_dir / f"{split}.csv"), cfg), tmp / name)
