"""The share of each model's predictions cut by `max_new_tokens`, and of its empty ones.

Why in the leaderboard: a summary cut by the decoding cap loses points without a word (the LLMs' cap of 64 tokens
against the 96 they were trained on, issue 38), and an empty one scores 0 (written all the same: losing hours of
generation to a failed stage costs more). `predict` records, per dialogue, whether its prediction used every one of
its `max_new_tokens` (`stops.csv` beside the prediction files).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kosum.core.io import PREDICTION_FILES, STOPS

Shares = dict[str, dict[str, float]]  # model -> column ("dev at cap", "test empty", ...) -> share


def decoding_shares(folders: dict[str, Path]) -> Shares:
    """Per model folder, per split: the share of predictions at the cap (where `stops.csv` records it: not the
    ensemble's or the API's) and the share of empty ones."""
    shares: Shares = {}
    for model, folder in folders.items():
        row = shares.setdefault(model, {})
        if (folder / STOPS).exists():
            stops = pd.read_csv(folder / STOPS)
            row |= {f"{split} at cap": float(rows["at_cap"].mean()) for split, rows in stops.groupby("split")}
        for split, name in PREDICTION_FILES.items():
            if (folder / name).exists():
                summaries = pd.read_csv(folder / name, keep_default_na=False)["summary"].astype(str)
                row[f"{split} empty"] = float((summaries.str.strip() == "").mean())
    return shares


def decoding_table(shares: Shares) -> str:
    """A markdown table of the shares, in percent; empty when there are none."""
    columns = sorted({column for row in shares.values() for column in row}, key=lambda c: (c.split()[0], c))
    if not columns:
        return ""
    lines = ["Predictions cut at `max_new_tokens` (configs/decode.yaml: they used all of it) and empty ones:", "",
             "| model | " + " | ".join(columns) + " |", "|---" * (1 + len(columns)) + "|"]
    for model, row in shares.items():
        lines.append(f"| {model} | " + " | ".join(f"{100 * row[c]:.1f} %" if c in row else "-" for c in columns) + " |")
    return "\n".join(lines) + "\n"
