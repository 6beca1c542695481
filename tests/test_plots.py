"""`evaluate`'s plots: DVCLive curves and the scores as PNGs and a ranked score table."""

import pandas as pd
import pytest

from kosum.plots import write_plots

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


def test_plots_are_pngs_and_a_ranked_score_table(inputs, tmp_path):
    live, scores = inputs
    out = tmp_path / "metrics" / "plots"
    write_plots(live, scores, out)
    assert sorted(p.name for p in out.iterdir()) == [
        "curves_base_qwen.png", "curves_train_kobart.png", "scores.csv", "scores.png"]
    for png in out.glob("*.png"):
        assert png.read_bytes()[:8] == PNG_MAGIC and png.stat().st_size > 5000
    table = pd.read_csv(out / "scores.csv")
    assert list(table["model"]) == ["kobart", "qwen_qlora", "lead"]
    assert list(table["dev_final"]) == [70.1, 40.2, 23.5] and list(table["test_final"]) == [44.4, 30.0, 20.5]


def test_plots_replace_their_folder_whole(inputs, tmp_path):
    live, scores = inputs
    out = tmp_path / "metrics" / "plots"
    out.mkdir(parents=True)
    (out / "curves_old_run.png").write_bytes(b"stale")
    write_plots(live, scores, out)
    assert not (out / "curves_old_run.png").exists()
