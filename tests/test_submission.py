"""Every written submission (a model's, the ensemble's) is checked before it is written: the fnames of
sample_submission.csv, in its order and count, when the data has one (else each fname once). A failed check is one
line naming the file and the first row that differs, and writes nothing. An empty summary is written (a 0-scored row
beats losing hours of generation) and counted by the leaderboard (tests/test_decode_budget.py)."""

import shutil
import sys

import pandas as pd
import pytest

from kosum.core.config.decode import DecodeConfig
from kosum.core.errors import DataError
from kosum.core.io import SAMPLE_SUBMISSION, write_prediction_folder
from kosum.data.reading import read_processed, sample_fnames
from kosum.models.candidates import predict_splits
from stages import ensemble, preprocess
from tests.conftest import ROOT
from tests.processes import run

SAMPLE = ["test_0", "test_1", "test_2", "test_3"]
ORDER = "a submission must list sample_submission.csv's fnames in its order."
# each broken submission (fnames, summaries) and the rest of its one-line error after "<path>, "
BROKEN = {
    "missing": (["test_0", "test_2", "test_3"], None,
                f"row 2: fname 'test_2' where sample_submission.csv has 'test_1' (3 rows where sample_submission.csv "
                f"has 4); {ORDER}"),
    "missing_last": (SAMPLE[:3], None,
                     f"row 4: no row where sample_submission.csv has 'test_3' (3 rows where sample_submission.csv has "
                     f"4); {ORDER}"),
    "reordered": (["test_0", "test_2", "test_1", "test_3"], None,
                  f"row 2: fname 'test_2' where sample_submission.csv has 'test_1'; {ORDER}"),
    "extra": ([*SAMPLE, "test_9"], None,
              f"row 5: fname 'test_9' past sample_submission.csv's last row (5 rows where sample_submission.csv has "
              f"4); {ORDER}"),
}


def _frame(fnames, summaries=None):
    return pd.DataFrame({"fname": fnames, "summary": summaries or [f"{f} 요약" for f in fnames]})


def _write(out, fnames, summaries=None, sample=SAMPLE):
    test = _frame(fnames, summaries)
    write_prediction_folder(out, {"dev": _frame(["dev_0"]), "test": test}, test.assign(split="test", source="beam1"),
                            sample=sample)


def _earlier_output(out):
    out.mkdir(parents=True)
    (out / "submission.csv").write_text("earlier output\n")


def _unchanged(out):
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temp folder left beside it
    assert [p.name for p in out.iterdir()] == ["submission.csv"]
    assert (out / "submission.csv").read_text() == "earlier output\n"


def test_a_submission_in_the_samples_order_is_written(tmp_path):
    _write(tmp_path / "kobart", SAMPLE)
    assert list(read_processed(tmp_path / "kobart/submission.csv")["fname"]) == SAMPLE


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_submission_names_its_first_differing_row_and_writes_nothing(tmp_path, case):
    fnames, summaries, message = BROKEN[case]
    out = tmp_path / "kobart"
    _earlier_output(out)
    with pytest.raises(DataError) as err:
        _write(out, fnames, summaries)
    assert str(err.value) == f"{out / 'submission.csv'}, {message}"
    _unchanged(out)


def test_without_a_sample_any_order_passes_but_each_fname_once(tmp_path):
    _write(tmp_path / "written/kobart", SAMPLE[::-1], sample=None)
    out = tmp_path / "failed/kobart"
    _earlier_output(out)
    with pytest.raises(DataError) as err:
        _write(out, ["test_0", "test_1", "test_0"], sample=None)
    assert str(err.value) == f"{out / 'submission.csv'}, row 3: duplicate fname 'test_0'; a submission lists each " \
                             "dialogue once."
    _unchanged(out)
    _write(tmp_path / "empty/kobart", SAMPLE[:2], ["요약", ""], sample=None)
    assert read_processed(tmp_path / "empty/kobart/submission.csv")["summary"].fillna("").tolist() == ["요약", ""]


def _raw_copy(workspace, tmp_path, *, sample=True):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("train.csv", "dev.csv", "test.csv", *([SAMPLE_SUBMISSION] if sample else [])):
        shutil.copy(workspace.raw / name, raw / name)
    return raw


def _preprocess(workspace, raw, out):
    preprocess.main([workspace.config("embedded.yaml"), str(raw), str(out), str(out / "tokenizer")])


def test_preprocess_carries_the_sample_and_orders_test_by_it(workspace, tmp_path):
    sample = list(read_processed(workspace.raw / SAMPLE_SUBMISSION)["fname"])
    test = read_processed(workspace.processed / "test.csv")
    assert sample_fnames(workspace.processed) == sample == list(test["fname"])
    raw = _raw_copy(workspace, tmp_path)
    pd.DataFrame({"fname": sample[::-1], "summary": ""}).to_csv(raw / SAMPLE_SUBMISSION, index=False)
    _preprocess(workspace, raw, tmp_path / "processed")
    reordered = read_processed(tmp_path / "processed/test.csv")
    assert list(reordered["fname"]) == sample[::-1] == sample_fnames(tmp_path / "processed")
    pd.testing.assert_frame_equal(reordered, test.iloc[::-1].reset_index(drop=True))  # whole rows moved, nothing else


def test_without_a_sample_preprocess_writes_none(workspace, tmp_path):
    _preprocess(workspace, _raw_copy(workspace, tmp_path, sample=False), tmp_path / "processed")
    assert sample_fnames(tmp_path / "processed") is None
    assert not (tmp_path / "processed" / SAMPLE_SUBMISSION).exists()


@pytest.mark.parametrize("change", ["renamed", "dropped"])
def test_preprocess_stops_when_sample_and_test_list_different_dialogues(workspace, tmp_path, change):
    raw = _raw_copy(workspace, tmp_path)
    sample = read_processed(raw / SAMPLE_SUBMISSION)
    fname = sample["fname"][2]
    if change == "renamed":  # the sample names a dialogue test.csv lacks
        sample.loc[2, "fname"] = fname = "test_99"
        file, other = raw / SAMPLE_SUBMISSION, "test.csv"
    else:  # test.csv has a dialogue the sample lacks
        sample = sample.drop(index=2)
        file, other = raw / "test.csv", SAMPLE_SUBMISSION
    sample.to_csv(raw / SAMPLE_SUBMISSION, index=False)
    with pytest.raises(DataError) as err:
        _preprocess(workspace, raw, tmp_path / "processed")
    assert str(err.value) == (f"{file}, row 3: fname {fname!r} is not in {other}; the test file and the sample "
                              "submission must list the same dialogues.")
    assert not (tmp_path / "processed").exists()


class _FixedSummarizer:
    """A stand-in for a model: every candidate of row i of a split is `texts[i]` (cycled)."""

    causal = False

    def __init__(self, texts):
        self.texts = texts

    def candidates(self, dialogues, topics, cfg, progress=False, instruction_idx=0, at_cap=None, label=""):
        if at_cap is not None:
            at_cap[:] = [False] * len(dialogues)
        return [[self.texts[i % len(self.texts)]] * (cfg.n_best + cfg.samples) for i in range(len(dialogues))]


def _reordered_sample(workspace, tmp_path):
    """data/processed whose sample_submission.csv swapped its first two rows (a hand-edited or stale folder)."""
    data = tmp_path / "processed"
    shutil.copytree(workspace.processed, data, ignore=shutil.ignore_patterns("tokenizer"))
    sample = read_processed(data / SAMPLE_SUBMISSION)
    sample.iloc[[0, 1]] = sample.iloc[[1, 0]].to_numpy()
    sample.to_csv(data / SAMPLE_SUBMISSION, index=False)
    return data, list(sample["fname"])


def test_predict_checks_its_submission(workspace, tmp_path):
    out, cfg = tmp_path / "predictions/kobart", DecodeConfig(num_beams=1)
    predict_splits(_FixedSummarizer(["요약"]), workspace.processed, out, cfg)
    assert list(read_processed(out / "submission.csv")["fname"]) == sample_fnames(workspace.processed)
    shutil.rmtree(out)
    _earlier_output(out)
    data, sample = _reordered_sample(workspace, tmp_path)
    with pytest.raises(DataError) as err:
        predict_splits(_FixedSummarizer(["요약"]), data, out, cfg)
    assert str(err.value) == f"{out / 'submission.csv'}, row 1: fname {sample[1]!r} where sample_submission.csv has " \
                             f"{sample[0]!r}; {ORDER}"
    _unchanged(out)


def _kobart_candidates(processed, predictions, test_text):
    """predictions/kobart/candidates.csv: one beam per dialogue, `test_text(row)` on test."""
    rows = []
    for split, file in (("dev", "dev.csv"), ("test", "test.csv")):
        for i, fname in enumerate(read_processed(processed / file)["fname"]):
            rows.append((split, fname, "beam1", test_text(i) if split == "test" else "요약"))
    (predictions / "kobart").mkdir(parents=True)
    pd.DataFrame(rows, columns=["split", "fname", "source", "summary"]).to_csv(
        predictions / "kobart/candidates.csv", index=False)


def test_the_ensemble_stage_checks_its_submission_and_fails_in_one_line(workspace, tmp_path):
    config = tmp_path / "ensemble.yaml"
    config.write_text("weights: {kobart: 1.0}\nother_weight: 0.0\nhypotheses: [beam, sample]\nreferences: [beam, sample]\n")
    predictions, out = tmp_path / "predictions", tmp_path / "ensemble"
    data, sample = _reordered_sample(workspace, tmp_path)
    _kobart_candidates(data, predictions, lambda row: "요약")
    _earlier_output(out)
    done = run([sys.executable, "stages/ensemble.py", str(config), str(data), str(predictions), str(out),
                "--params", str(workspace.params)], 120, cwd=ROOT)
    assert done.returncode == 1 and "Traceback" not in done.stderr  # what it did may come before the error's line
    assert done.stderr.strip().splitlines()[-1] == (f"error: {out / 'submission.csv'}, row 1: fname {sample[1]!r} "
                                                    f"where sample_submission.csv has {sample[0]!r}; {ORDER}")
    assert (out / "submission.csv").read_text() == "earlier output\n"
    ensemble.main([str(config), str(workspace.processed), str(predictions), str(out),
                   "--params", str(workspace.params)])
    assert list(read_processed(out / "submission.csv")["fname"]) == sample_fnames(workspace.processed)
