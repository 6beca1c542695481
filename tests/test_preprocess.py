"""The preprocess stage writes what dvc.yaml declares; its tokenizer round-trips every dialogue exactly."""

import json
import subprocess
import sys

import pytest
import yaml
from transformers import AutoTokenizer

from kosum.data.reading import read_processed
from kosum.data.tokenizer import MASK_TAGS, SPEAKER_TAGS
from stages import preprocess
from tests.conftest import ROOT


def test_outputs_match_dvc_yaml(workspace):
    declared = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]["preprocess"]["outs"]
    assert declared == ["data/processed"]
    assert sorted(p.name for p in workspace.processed.iterdir()) == [
        "dev.csv", "novelty.csv", "sample_submission.csv", "stats.json", "test.csv", "test_answers.csv", "tokenizer",
        "train.csv",
    ]
    assert (workspace.tokenizer / "tokenizer.json").exists()


def test_stats_describe_every_split(workspace):
    stats = json.loads((workspace.processed / "stats.json").read_text())
    assert stats["train"]["rows"] == 160 and stats["dev"]["rows"] == 16 and stats["test"]["rows"] == 12
    assert {"p50", "p95", "mean"} <= set(stats["train"]["dialogue_chars"])
    assert stats["train"]["tags"]["#Person1#"] > 0
    fixes = stats["fixes"]["train"]
    assert set(fixes) == {"literal_newline", "br_tag", "speaker_tag_spacing", "repeated_spaces",
                          "space_before_newline", "one_line_turns", "stray_jamo"}
    assert fixes["space_before_newline"] > 0  # the embedded corpus has them in about 30 % of dialogues


@pytest.fixture(scope="module")
def tokenizer(workspace):
    return AutoTokenizer.from_pretrained(workspace.tokenizer)


def test_tokenizer_round_trips_every_processed_text(workspace, tokenizer):
    for split in ("train", "dev", "test"):
        frame = read_processed(workspace.processed / f"{split}.csv")
        texts = list(frame["dialogue"]) + list(frame.get("summary", []))
        for text in texts:
            ids = tokenizer(text, add_special_tokens=False)["input_ids"]
            assert tokenizer.decode(ids, skip_special_tokens=True) == text
            assert tokenizer.unk_token_id not in ids


@pytest.mark.parametrize("tag", SPEAKER_TAGS + MASK_TAGS)
def test_each_tag_is_one_non_special_token(tokenizer, tag):
    ids = tokenizer(f"{tag}: 네", add_special_tokens=False)["input_ids"]
    assert tokenizer.convert_ids_to_tokens(ids[0]) == tag
    assert tokenizer.decode(ids, skip_special_tokens=True) == f"{tag}: 네"


def test_bad_input_writes_nothing(workspace, tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("train.csv", "dev.csv", "test.csv"):
        (raw / name).write_bytes((workspace.raw / name).read_bytes())
    (raw / "dev.csv").write_text("fname,dialogue,summary\ndev_0,#Person1#: 네.,요약\ndev_0,#Person1#: 응.,요약\n")
    out = tmp_path / "processed"
    out.mkdir()
    (out / "keep.txt").write_text("earlier output")
    with pytest.raises(Exception, match="duplicate fname 'dev_0'"):
        preprocess.main([workspace.config("embedded.yaml"), str(raw), str(out), str(tmp_path / "tok")])
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert not (tmp_path / "tok").exists()


def test_header_only_test_csv_stops_the_stage_with_one_line(workspace, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("train.csv", "dev.csv"):
        (raw / name).write_bytes((workspace.raw / name).read_bytes())
    (raw / "test.csv").write_text("fname,dialogue,topic\n")
    done = subprocess.run(
        [sys.executable, "stages/preprocess.py", workspace.config("embedded.yaml"), str(raw), str(tmp_path / "out"),
         str(tmp_path / "tok")],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [f"error: {raw / 'test.csv'}: has a header but no rows; every test "
                                                "file needs at least one row."]
    assert not (tmp_path / "out").exists()
