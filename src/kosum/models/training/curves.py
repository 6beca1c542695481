"""Static PNG training curves, written into each DVCLive folder beside its TSV files.

Why: a PNG reads where no browser runs (a terminal image viewer, a pull request); `dvc plots show` draws the same
curves interactively, offline through the vendored charts (vendor/vega).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display on a server or in CI
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

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
