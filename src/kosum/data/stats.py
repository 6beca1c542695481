"""Dataset statistics written by `preprocess`: what a user checks before choosing max lengths."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from kosum.core.tags import SPEAKER
from kosum.data.reading import Split
from kosum.data.tokenizer import find_tags

_SPEAKER = re.compile(rf"^({SPEAKER}):", re.MULTILINE)
PERCENTILES = (5, 50, 90, 95, 99, 100)


def percentiles(values: list[int] | pd.Series) -> dict[str, float]:
    """p5..p100 and the mean of a list of lengths."""
    array = np.asarray(values, dtype=float)
    stats = {f"p{q}": float(np.percentile(array, q)) for q in PERCENTILES}
    stats["mean"] = round(float(array.mean()), 2)
    return stats


def split_stats(frame: pd.DataFrame) -> dict[str, Any]:
    """Row count, length percentiles (characters, turns, speakers) and the tag inventory of one split."""
    dialogues = frame["dialogue"]
    stats: dict[str, Any] = {
        "rows": len(frame),
        "dialogue_chars": percentiles(dialogues.str.len()),
        "turns": percentiles(dialogues.str.count("\n") + 1),
        "speakers": percentiles([len(set(_SPEAKER.findall(d))) for d in dialogues]),
        "tags": find_tags(dialogues),
    }
    if "summary" in frame.columns:
        stats["summary_chars"] = percentiles(frame["summary"].str.len())
    if "topic" in frame.columns:
        stats["topics"] = int(frame["topic"].nunique())
    return stats


def dataset_stats(splits: dict[str, Split]) -> dict[str, Any]:
    """Stats of the dialogue splits plus the clean-ups applied to every file."""
    stats = {name: split_stats(s.frame) for name, s in splits.items() if "dialogue" in s.frame.columns}
    stats["fixes"] = {name: s.fixes for name, s in splits.items()}
    return stats
