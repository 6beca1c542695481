"""Static PNG plots of the model scores, for reading offline (the training curves: kosum.models.training.curves).

Why: a PNG reads where no browser runs (a terminal image viewer, a pull request); `dvc plots show` draws the same
data interactively, offline through the vendored charts (vendor/vega). Drawn with matplotlib's file backend.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display on a server or in CI
import matplotlib.pyplot as plt
import pandas as pd

from kosum.core.io import atomic_path, write_csv

SPLITS = ("dev", "test")


def score_table(scores: dict[str, dict[str, dict[str, float]]]) -> pd.DataFrame:
    """One row per model (`scores`: model -> split -> metric): final, R1, R2, RL on dev and test, best dev first."""
    rows = []
    for model, splits in scores.items():
        row = {"model": model}
        for split in SPLITS:
            row.update({f"{split}_{key}": round(value, 4) for key, value in splits.get(split, {}).items()})
        rows.append(row)
    return pd.DataFrame(rows).sort_values("dev_final", ascending=False, ignore_index=True)


def score_bars(table: pd.DataFrame, out: Path) -> None:
    """Dev and test `final` per model, side by side; dev alone where there are no test answers (the competition's
    test is scored only by its leaderboard)."""
    fig, axis = plt.subplots(figsize=(7, 0.5 * len(table) + 1.5))
    positions = range(len(table))
    splits = [split for split in SPLITS if f"{split}_final" in table.columns]
    for i, split in enumerate(splits):
        offset = 0.4 * i - 0.2 * (len(splits) - 1)
        axis.barh([p + offset for p in positions], table[f"{split}_final"], height=0.4, label=split)
    axis.set_yticks(list(positions), table["model"])
    axis.invert_yaxis()
    axis.set(xlabel="ROUGE final = mean(R1, R2, RL) x 100", title="models")
    axis.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)


def write_plots(scores: dict[str, dict[str, dict[str, float]]], out_dir: Path) -> None:
    """`scores.png` and `scores.csv`, replacing `out_dir` whole."""
    with atomic_path(out_dir) as tmp:
        tmp.mkdir(parents=True, exist_ok=True)
        table = score_table(scores)
        write_csv(table, tmp / "scores.csv")
        score_bars(table, tmp / "scores.png")
