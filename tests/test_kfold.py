"""K-fold (kfold/dvc.yaml): the folds partition train, the report scores out of fold and ensembles on test.

The DVC side (matrix stages, the opt-in pipeline beside the default one) is in tests/test_experiments_tools.py.
"""

import json

import pandas as pd
import pytest
import yaml

from kosum.core.errors import ConfigError
from kosum.core.io import write_csv
from kosum.data.reading import read_processed
from kosum.tools.kfold_report import kfold_report
from stages import kfold_report as report_stage
from stages import kfold_split
from tests.conftest import ROOT


def _split(workspace, out, *folds, seed=42):
    kfold_split.main([str(workspace.processed), str(out), "--folds", *map(str, folds), "--seed", str(seed)])


def test_folds_partition_train_and_share_test(workspace, tmp_path):
    _split(workspace, tmp_path / "folds", 0, 1, 2)
    train = read_processed(workspace.processed / "train.csv")
    held_out = [read_processed(tmp_path / f"folds/fold{i}/dev.csv") for i in range(3)]
    assert sorted(pd.concat(held_out)["fname"]) == sorted(train["fname"])  # every row held out exactly once
    assert max(map(len, held_out)) - min(map(len, held_out)) <= 1
    for i, dev in enumerate(held_out):
        fold_train = read_processed(tmp_path / f"folds/fold{i}/train.csv")
        assert not set(fold_train["fname"]) & set(dev["fname"]) and len(fold_train) + len(dev) == len(train)
        assert dev.equals(train[train["fname"].isin(dev["fname"])].reset_index(drop=True))  # rows kept as they are
        for name in ("test.csv", "test_answers.csv", "stats.json"):
            assert (tmp_path / f"folds/fold{i}/{name}").read_bytes() == (workspace.processed / name).read_bytes()

    _split(workspace, tmp_path / "again", 0, 1, 2)
    _split(workspace, tmp_path / "other", 0, 1, 2, seed=7)
    fold0 = (tmp_path / "folds/fold0/dev.csv").read_bytes()
    assert (tmp_path / "again/fold0/dev.csv").read_bytes() == fold0  # the seed decides
    assert (tmp_path / "other/fold0/dev.csv").read_bytes() != fold0


@pytest.mark.parametrize("folds", [(0,), (0, 2), (1, 2, 3)])
def test_folds_must_be_zero_to_k_minus_one(workspace, tmp_path, folds):
    with pytest.raises(ConfigError, match=r"kfold/dvc.yaml: kfold.folds must be 0..K-1"):
        _split(workspace, tmp_path / "folds", *folds)
    assert not (tmp_path / "folds").exists()


def _predict_folder(path, dev, test):
    """A predict folder as `predict` writes it: dev.csv, submission.csv and candidates.csv (beams per dialogue)."""
    rows = []
    for split, table in (("dev", dev), ("test", test)):
        for fname, beams in table.items():
            rows += [(split, fname, f"beam{i + 1}", text) for i, text in enumerate(beams)]
    frame = pd.DataFrame(rows, columns=["split", "fname", "source", "summary"])
    for split, name in (("dev", "dev.csv"), ("test", "submission.csv")):
        write_csv(frame[(frame["split"] == split) & (frame["source"] == "beam1")][["fname", "summary"]], path / name)
    write_csv(frame, path / "candidates.csv")


def test_report_scores_out_of_fold_and_selects_the_majority_on_test(workspace, tmp_path):
    _split(workspace, tmp_path / "folds", 0, 1, 2)
    answers = read_processed(workspace.processed / "test_answers.csv")
    right = dict(zip(answers["fname"], answers["summary_1"]))
    wrong = {fname: "#Person1#은 점심 메뉴를 고른다." for fname in right}
    for i in range(3):
        held_out = read_processed(tmp_path / f"folds/fold{i}/dev.csv")
        dev = {f: [s if i < 2 else "엉뚱한 요약이다."] for f, s in zip(held_out["fname"], held_out["summary"])}
        test = {f: [right[f] if i < 2 else wrong[f]] for f in right}  # folds 0 and 1 agree on the answer
        _predict_folder(tmp_path / f"predictions/fold{i}", dev, test)
    _predict_folder(tmp_path / "full", {}, {f: [wrong[f]] for f in right})

    metrics = kfold_report(workspace.processed, tmp_path / "folds", tmp_path / "predictions", tmp_path / "full",
                           tmp_path / "metrics/kfold.json", tmp_path / "metrics/folds.csv", tmp_path / "ensemble")
    folds = pd.read_csv(tmp_path / "metrics/folds.csv")
    assert list(folds["fold"]) == [0, 1, 2] and list(folds["final"][:2]) == [100.0, 100.0] and folds["final"][2] < 20
    assert metrics["oof"]["final_mean"] == pytest.approx(folds["final"].mean())
    assert metrics["oof"]["final_std"] == pytest.approx(folds["final"].std())  # sample std over folds
    chosen = pd.read_csv(tmp_path / "ensemble/submission.csv")
    assert list(chosen["summary"]) == [right[f] for f in chosen["fname"]]  # two of three fold models agree
    assert metrics["test"]["kfold_ensemble"] == pytest.approx(folds["test_final"][0])
    assert metrics["test"]["kfold_ensemble"] > metrics["test"]["full_model"] == pytest.approx(folds["test_final"][2])
    assert json.loads((tmp_path / "metrics/kfold.json").read_text()) == metrics


def test_report_stage_names_a_missing_fold_run(workspace, tmp_path):
    with pytest.raises(SystemExit, match="no fold folders"):
        report_stage.run_stage(lambda: report_stage.main([
            str(workspace.processed), str(tmp_path / "folds"), str(tmp_path / "p"), str(tmp_path / "full"),
            str(tmp_path / "metrics"), str(tmp_path / "ensemble")]))


def test_the_kfold_pipeline_reuses_the_main_scripts_from_the_project_root():
    pipeline = yaml.safe_load((ROOT / "kfold/dvc.yaml").read_text())
    stages = pipeline["stages"]
    assert all(stage["wdir"] == ".." for stage in stages.values())
    assert "stages/train_seq2seq.py" in stages["train"]["cmd"] and "stages/predict.py" in stages["predict"]["cmd"]
    assert "--name kobart" in " ".join(stages["train"]["cmd"].split())  # KoBART's entry, with its own values
    full = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]["train_seq2seq"]["do"]["params"]
    # the fold models follow the same schedule and entry as the full model
    assert stages["train"]["params"] == [key.replace("${key}", "kobart") for key in full]
    assert pipeline["vars"][1]["kfold"]["folds"] == [0, 1, 2]
