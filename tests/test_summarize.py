"""`kosum summarize`: a user's own CSV summarized by a trained model folder, and every bad input a one-line error
that names file, row and column, with nothing written."""

import sys
from importlib.metadata import entry_points
from pathlib import Path

import pandas as pd
import pytest

from kosum import summarize
from kosum.core.config.decode import load_decode
from kosum.core.errors import ConfigError, DataError
from kosum.data.reading import clean_text, read_processed
from kosum.models.generation import load_summarizer
from tests.conftest import ROOT, save_tiny_base
from tests.processes import run

DIALOGUES = [
    "#Person1#: 내일 오후 3시에 치과 예약 좀 하고 싶어요.\n#Person2#: 네, 그 시간 가능합니다. 성함이 어떻게 되세요?",
    "#Person1#: 이 운동화 환불되나요? 사이즈가 작아서요. \n#Person2#: 영수증 있으시면 바로 환불해 드릴게요.",
    "#Person1#: 주말에 같이 영화 볼래?  #Person2#: 좋아, 토요일 저녁 어때?",  # every turn on one line
]


def _csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _run(workspace, model: Path, source: Path, out: Path, *extra: str) -> None:
    summarize.main([str(model), str(source), str(out), "--decode", workspace.config("decode.yaml"), *extra])


def test_a_csv_the_pipeline_never_saw_is_summarized_as_predict_would(workspace, trained_kobart, tmp_path):
    model, _ = trained_kobart
    source = tmp_path / "mine.csv"
    pd.DataFrame({"dialogue": DIALOGUES, "topic": ["치과 예약", "환불", "영화"]}).to_csv(source, index=False)
    out = tmp_path / "out/summaries.csv"
    _run(workspace, model, source, out)
    result = read_processed(out)
    assert list(result.columns) == ["fname", "summary"] and list(result["fname"]) == ["1", "2", "3"]
    assert result["summary"].str.len().gt(0).all()
    # the same cleaning and decoding as the pipeline: the one-line dialogue is re-split before it is encoded
    expected = load_summarizer(model).summarize([clean_text(d) for d in DIALOGUES], ["치과 예약", "환불", "영화"],
                                                load_decode(workspace.config("decode.yaml"), model.name))
    assert list(result["summary"]) == expected
    assert sorted(p.name for p in out.parent.iterdir()) == ["summaries.csv"]  # no temp file left


def test_fnames_are_kept_and_a_zero_shot_causal_lm_needs_the_flag(workspace, tmp_path):
    base = save_tiny_base("qwen", tmp_path / "base")
    source = _csv(tmp_path / "in.csv", "fname,dialogue\na7,\"#Person1#: 안녕하세요.\n#Person2#: 네, 안녕하세요.\"\n")
    with pytest.raises(ConfigError, match=r"base: not a kosum model folder .*--zero-shot"):
        _run(workspace, base, source, tmp_path / "out.csv")
    _run(workspace, base, source, tmp_path / "out.csv", "--zero-shot", workspace.config("qlora.yaml"), "--params",
         str(workspace.params))
    assert list(read_processed(tmp_path / "out.csv")["fname"]) == ["a7"]


@pytest.mark.parametrize(("content", "message"), [
    ("fname,text\n1,안녕\n", r"in.csv: missing column\(s\) \['dialogue'\]"),
    ("fname,dialogue\n1,#Person1#: 안녕\n2,   \n", r"in.csv, row 2 \(fname '2'\), column 'dialogue': empty"),
    ("fname,dialogue\n1,#Person1#: 안녕\n1,#Person1#: 응\n", r"in.csv, row 2, column 'fname': duplicate fname '1'"),
    (b"fname,dialogue\n1,\xb0\xa1\n", r"in.csv: not UTF-8 \(byte 17, line 2\)"),
])
def test_bad_input_is_one_line_and_writes_nothing(workspace, trained_kobart, tmp_path, content, message):
    source = tmp_path / "in.csv"
    source.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    out = tmp_path / "out.csv"
    out.write_text("fname,summary\nold,kept\n", encoding="utf-8")  # a previous result must survive a failed run
    with pytest.raises(DataError, match=message):
        _run(workspace, trained_kobart[0], source, out)
    assert out.read_text(encoding="utf-8") == "fname,summary\nold,kept\n"


def test_a_missing_model_folder_is_one_line(workspace, tmp_path):
    source = _csv(tmp_path / "in.csv", "dialogue\n#Person1#: 안녕\n")
    with pytest.raises(ConfigError, match=r"nope: no such model folder"):
        _run(workspace, tmp_path / "nope", source, tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


def test_console_script_and_module_print_one_line_errors(tmp_path):
    """`kosum summarize` is declared in pyproject.toml; both ways of calling it exit 1 with one sentence."""
    [script] = [e for e in entry_points(group="console_scripts") if e.name == "kosum"]
    assert script.value == "kosum.cli:main"
    source = _csv(tmp_path / "in.csv", "fname,text\n1,안녕\n")
    for command in ([sys.executable, "-c", "from kosum.cli import main; main()", "summarize"],
                    [sys.executable, "-m", "kosum.summarize"]):
        done = run([*command, str(tmp_path), str(source), str(tmp_path / "o.csv")], 120, cwd=ROOT)
        assert done.returncode == 1 and done.stderr.strip().count("\n") == 0, done.stderr
        assert "missing column(s) ['dialogue']" in done.stderr
