"""Static PNG plots of the training curves and the model scores, for reading offline.

Why: `dvc plots show` writes HTML that loads its chart library from a CDN, so on an air-gapped machine it is blank.
These PNGs show the same data (DVCLive's TSV files, written by each training run beside them; evaluate's scores)
with matplotlib's file backend.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display on a server or in CI
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from kosum.files import atomic_path, write_csv  # noqa: E402

SPLITS = ("dev", "test")
CURVES = "curves.png"  # in each DVCLive folder


def _series(live_dir: Path, name: str) -> pd.DataFrame | None:
    """One DVCLive metric (`loss`, `eval/loss`, `eval/final`) as step/value columns, or None if it was not logged."""
    path = live_dir / "plots" / "metrics" / f"{name}.tsv"
    return pd.read_csv(path, sep="\t") if path.exists() else None


def training_curves(run: str, live_dir: Path, out: Path) -> None:
    """Train and dev loss (left axis) and dev ROUGE `final` (right axis, fine-tuning runs only) against the step."""
    fig, loss_axis = plt.subplots(figsize=(7, 4))
    for name, label, style in (("loss", "train loss", "-"), ("eval/loss", "dev loss", "--")):
        series = _series(live_dir, name)
        if series is not None:
            loss_axis.plot(series["step"], series.iloc[:, 1], style, color="tab:blue", label=label)
    loss_axis.set(xlabel="training step", ylabel="loss", title=run)
    handles, labels = loss_axis.get_legend_handles_labels()
    rouge = _series(live_dir, "eval/final")
    if rouge is not None:
        rouge_axis = loss_axis.twinx()
        rouge_axis.plot(rouge["step"], rouge["final"], "o-", color="tab:red", label="dev ROUGE final")
        rouge_axis.set_ylabel("dev ROUGE final (x100)")
        more_handles, more_labels = rouge_axis.get_legend_handles_labels()
        handles, labels = handles + more_handles, labels + more_labels
    loss_axis.legend(handles, labels, loc="upper center")
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)


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
    """Dev and test `final` per model, side by side."""
    fig, axis = plt.subplots(figsize=(7, 0.5 * len(table) + 1.5))
    positions = range(len(table))
    for offset, split in ((-0.2, "dev"), (0.2, "test")):
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
