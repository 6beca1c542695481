"""The PNG plots: each training run's DVCLive curves, and evaluate's scores with a ranked score table."""

import pandas as pd
import pytest

from kosum.evaluation.plots import write_plots
from kosum.models.training.curves import training_curves

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _live_run(root, name, with_rouge):
    metrics = root / name / "plots" / "metrics"
    (metrics / "eval").mkdir(parents=True)
    pd.DataFrame({"step": [25, 50, 75], "loss": [3.0, 2.0, 1.5]}).to_csv(metrics / "loss.tsv", sep="\t", index=False)
    pd.DataFrame({"step": [50], "loss": [2.2]}).to_csv(metrics / "eval" / "loss.tsv", sep="\t", index=False)
    if with_rouge:
        pd.DataFrame({"step": [50], "final": [31.0]}).to_csv(metrics / "eval" / "final.tsv", sep="\t", index=False)


def _scores(final):
    return {"final": final, "rouge1": 0.5, "rouge2": 0.3, "rougeL": 0.4, "rouge_sum": 120.0}


@pytest.fixture
def inputs(tmp_path):
    live = tmp_path / "dvclive"
    _live_run(live, "train_kobart", with_rouge=True)
    _live_run(live, "base_qwen", with_rouge=False)
    scores = {model: {"dev": _scores(dev), "test": _scores(test)}
              for model, dev, test in (("lead", 23.5, 20.5), ("kobart", 70.1, 44.4), ("qwen_qlora", 40.2, 30.0))}
    return live, scores


def test_curves_of_a_run_with_and_without_dev_rouge(inputs):
    live, _ = inputs
    for run in ("train_kobart", "base_qwen"):
        training_curves(run, live / run, live / run / "curves.png")
        png = (live / run / "curves.png").read_bytes()
        assert png[:8] == PNG_MAGIC and len(png) > 5000


def test_score_plots_are_a_png_and_a_ranked_score_table(inputs, tmp_path):
    _, scores = inputs
    out = tmp_path / "metrics" / "plots"
    write_plots(scores, out)
    assert sorted(p.name for p in out.iterdir()) == ["scores.csv", "scores.png"]
    assert (out / "scores.png").read_bytes()[:8] == PNG_MAGIC
    table = pd.read_csv(out / "scores.csv")
    assert list(table["model"]) == ["kobart", "qwen_qlora", "lead"]
    assert list(table["dev_final"]) == [70.1, 40.2, 23.5] and list(table["test_final"]) == [44.4, 30.0, 20.5]


def test_plots_replace_their_folder_whole(inputs, tmp_path):
    _, scores = inputs
    out = tmp_path / "metrics" / "plots"
    out.mkdir(parents=True)
    (out / "curves_old_run.png").write_bytes(b"stale")
    write_plots(scores, out)
    assert not (out / "curves_old_run.png").exists()


def test_dvc_plots_use_the_vendored_chart_libraries():
    """`.dvc/config` points DVC at vendor/vega/dvc-plots.html, which inlines the pinned builds (package.json) and
    has no `{scripts}` placeholder, where DVC would put its CDN tags; the browser test draws with it."""
    import configparser
    import json

    from tests.conftest import ROOT

    config = configparser.ConfigParser()
    config.read(ROOT / ".dvc" / "config")
    template = (ROOT / ".dvc" / config["plots"]["html_template"]).resolve()
    assert template == ROOT / "vendor" / "vega" / "dvc-plots.html"
    page = template.read_text(encoding="utf-8")
    pins = json.loads((ROOT / "vendor" / "vega" / "package.json").read_text())["dependencies"]
    for name, version in pins.items():
        assert page.count(f"<script>/* {name}@{version}, BSD-3-Clause */") == 1
        assert f"{name}@{version}: BSD-3-Clause" in (ROOT / "vendor" / "vega" / "LICENSES.txt").read_text()
    assert "{plot_divs}" in page and "{scripts}" not in page and "<script src" not in page


def test_scores_without_test_answers_plot_dev_alone(inputs, tmp_path):
    # the competition's folder has no test answers: evaluate scores dev only, and so must the plot
    _, scores = inputs
    write_plots({model: {"dev": splits["dev"]} for model, splits in scores.items()}, tmp_path / "plots")
    assert (tmp_path / "plots" / "scores.png").read_bytes()[:8] == PNG_MAGIC
    assert not any(c.startswith("test_") for c in pd.read_csv(tmp_path / "plots" / "scores.csv").columns)
