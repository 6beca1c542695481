"""`kosum check` and model references: every problem one line naming its key, before anything trains; a stage that
fails on a model reference says so in one line, under `accelerate launch` too."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import huggingface_hub
import pytest
import yaml

from kosum.check import pipeline_outputs, problems
from kosum.core.errors import ConfigError
from kosum.core.model_refs import check_model_reference, model_reference_problem
from tests.processes import run

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A machine told it has no hub, with an empty Hugging Face cache of its own."""
    cache = tmp_path / "hf-cache"
    cache.mkdir()
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))
    return cache


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The project's own params.yaml, dvc.yaml and configs/ in a fresh git repository (no data, no models yet)."""
    root = tmp_path / "project"
    root.mkdir()
    for name in ("params.yaml", "dvc.yaml"):
        shutil.copy(ROOT / name, root / name)
    shutil.copytree(ROOT / "configs", root / "configs")
    (root / ".dvc").mkdir()
    shutil.copy(ROOT / ".dvc" / "config", root / ".dvc" / "config")
    assert run(["git", "init", "-q"], 60, cwd=root).returncode == 0
    return root


def _edit(path: Path, edit) -> None:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(raw)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")


def test_the_shipped_project_passes_before_anything_ran(project: Path, offline: Path):
    # a fresh clone: no data/raw, no models/bases/*; they are outputs of the corpus and base stages
    assert problems(project) == []
    outputs = pipeline_outputs(project)
    assert {"data/raw", "models/bases/llama", "models/bases/qwen", "models/kobart", "models/llama_qlora",
            "predictions/qwen_zero_shot"} <= outputs


def test_the_seq2seq_models_and_their_own_values_come_from_params(project: Path, offline: Path):
    """Which models may start from `embedded` is params.yaml's `models.seq2seq`, not a stage's command line: a second
    seq2seq entry is checked as one, with its own values (its decoder_max_len against the default decode budget),
    and its stages are generated (its outputs are pipeline outputs)."""
    def entry(**own):
        _edit(project / "params.yaml", lambda raw: raw["models"]["seq2seq"].update(small_bart={"checkpoint": "embedded",
                                                                                               **own}))
    entry()
    assert problems(project) == [
        "configs/decode.yaml:default (small_bart): max_new_tokens 96 is below configs/seq2seq.yaml decoder_max_len "
        "100, the longest summary the model was trained on: summaries that long would be cut; set max_new_tokens to "
        "at least 100."]
    entry(decoder_max_len=96)
    assert problems(project) == []
    assert {"models/small_bart", "predictions/small_bart"} <= pipeline_outputs(project)
    entry(decoder_max_len=96, max_prompt_len=512)  # a qlora key
    assert problems(project) == ["params.yaml models.seq2seq.small_bart: unknown key(s) ['max_prompt_len']; an entry "
                                 "takes checkpoint and any key of `train` or of its recipe."]


def test_each_problem_is_one_line_naming_its_key(project: Path, offline: Path):
    def params(raw):
        raw["models"]["qlora"]["llama_qlora"]["checkpoint"] = "Bllosom/llama-3.2-Korean-Bllossom-3B"  # a typo
        raw["zero_shot"]["qwen_zero_shot"]["checkpoint"] = "./my/qwen"
        raw["models"]["qlora"]["qwen_qlora"]["checkpoint"] = "embedded"

    def decode(raw):
        raw["default"]["max_new_tokens"] = 64
        raw["kobart"]["num_beam"] = 4

    _edit(project / "params.yaml", params)
    _edit(project / "configs/decode.yaml", decode)
    found = [line.replace(f"{project}/", "") for line in problems(project)]  # as `kosum check` in the project says
    assert all("\n" not in line for line in found)
    expected = [
        "configs/decode.yaml:kobart: unknown key(s) ['num_beam']",
        "configs/decode.yaml:default (llama_qlora): max_new_tokens 64 is below configs/qlora.yaml max_summary_len 96",
        "params.yaml models.qlora.llama_qlora.checkpoint: 'Bllosom/llama-3.2-Korean-Bllossom-3B' is no folder here "
        "and no model in the Hugging Face cache",
        "params.yaml models.qlora.qwen_qlora.checkpoint: 'embedded' is only for the seq2seq model",
        "params.yaml zero_shot.qwen_zero_shot.checkpoint: './my/qwen' is no folder here and no hub id",
    ]
    for start in expected:
        assert any(line.startswith(start) for line in found), (start, found)
    assert not any("(kobart): max_new_tokens" in line for line in found)  # a section that failed is not judged twice


def test_raw_data_and_ensemble_members_are_checked(project: Path, offline: Path):
    raw_dir = project / "data" / "competition"
    raw_dir.mkdir(parents=True)
    (raw_dir / "train.csv").write_text("fname,dialogue,summary\ntrain_0,#Person1#: 안녕하세요,\n", encoding="utf-8")
    _edit(project / "params.yaml", lambda raw: raw["preprocess"].update(raw_dir="data/competition"))
    # a weight naming a model params.yaml lacks is left out by the ensemble stage, no problem (removing a model
    # needs no edit of configs/ensemble.yaml)
    _edit(project / "configs/ensemble.yaml", lambda raw: raw["weights"].update(solar_qlora=1.0))
    found = problems(project)
    assert not any("solar_qlora" in line for line in found), found
    assert [line for line in found if line.startswith(str(raw_dir / "train.csv"))], found
    _edit(project / "configs/ensemble.yaml", lambda raw: raw.pop("other_weight"))
    assert any(line.startswith(f"{project}/configs/ensemble.yaml: required key 'other_weight' is missing")
               for line in problems(project)), problems(project)


def test_a_topic_prompt_needs_a_topic_in_every_split(project: Path, offline: Path):
    raw_dir = project / "data" / "competition"
    raw_dir.mkdir(parents=True)
    for split in ("train", "dev"):
        (raw_dir / f"{split}.csv").write_text(f"fname,dialogue,summary,topic\n{split}_0,#Person1#: 안녕하세요.,"
                                              "#Person1#이 인사한다.,인사\n", encoding="utf-8")
    (raw_dir / "test.csv").write_text("fname,dialogue\ntest_0,#Person1#: 네.\n", encoding="utf-8")
    _edit(project / "params.yaml", lambda raw: raw["preprocess"].update(raw_dir="data/competition"))
    assert problems(project) == []
    _edit(project / "configs/qlora.yaml", lambda raw: raw.update(topic=True))
    assert problems(project) == ["configs/qlora.yaml topic: true (llama_qlora, qwen_qlora, llama_zero_shot, "
                                 "qwen_zero_shot), but data/competition/test.csv has no topic column (the "
                                 "competition's test has none); set it to false"]
    # one model's own value: only that model needs the topic
    _edit(project / "configs/qlora.yaml", lambda raw: raw.update(topic=False))
    _edit(project / "params.yaml", lambda raw: raw["models"]["qlora"]["qwen_qlora"].update(topic=True))
    assert problems(project) == ["configs/qlora.yaml topic: true (qwen_qlora), but data/competition/test.csv has no "
                                 "topic column (the competition's test has none); set it to false"]


def test_model_references(tmp_path: Path, offline: Path):
    folder = tmp_path / "model"
    folder.mkdir()
    assert "holds no model" in model_reference_problem(str(folder))
    (folder / "config.json").write_text("{}", encoding="utf-8")
    assert model_reference_problem(str(folder)) is None
    assert model_reference_problem("models/not_yet", pipeline_outputs=frozenset({"models/not_yet"})) is None
    assert model_reference_problem("embedded", embedded_ok=True) is None
    # a hub id in the local cache loads offline (the layout huggingface_hub writes)
    snapshot = offline / "models--org--name" / "snapshots" / "abc123"
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}", encoding="utf-8")
    (offline / "models--org--name" / "refs").mkdir()
    (offline / "models--org--name" / "refs" / "main").write_text("abc123", encoding="utf-8")
    assert model_reference_problem("org/name") is None
    offline_error = r"^params.yaml models.x: 'org/other' is no folder here .* \(HF_HUB_OFFLINE\)"
    with pytest.raises(ConfigError, match=offline_error):
        check_model_reference("org/other", "params.yaml models.x")


def test_an_unreachable_hub_is_said_not_retried(monkeypatch: pytest.MonkeyPatch, offline: Path):
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(huggingface_hub.constants, "ENDPOINT", "http://127.0.0.1:9")  # nothing listens there
    problem = model_reference_problem("org/other")
    assert problem.endswith("http://127.0.0.1:9 cannot be reached from here; download it first or fix the name")


def test_a_stage_with_a_bad_reference_fails_in_one_line(tmp_path: Path, offline: Path):
    from stages import train_qlora

    params = tmp_path / "params.yaml"
    raw = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    raw["models"]["qlora"]["llama_qlora"]["checkpoint"] = "Bllosom/llama-3.2-Korean-Bllossom-3B"
    params.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^.*params.yaml models.qlora.llama_qlora: "
                                          r"'Bllosom/llama-3.2-Korean-Bllossom-3B' is no folder here"):
        train_qlora.main([str(ROOT / "configs/qlora.yaml"), str(tmp_path), str(tmp_path / "out"),
                          str(tmp_path / "live"), "--name", "llama_qlora", "--params", str(params)])
    assert not (tmp_path / "out").exists()


def test_the_launcher_adds_nothing_to_a_stage_error(tmp_path: Path):
    # the stage's one line is all: no CalledProcessError or torchrun report under it
    script = tmp_path / "failing_stage.py"
    script.write_text("import sys\nsys.exit('error: params.yaml models.x: a problem.')\n", encoding="utf-8")
    done = run([sys.executable, "-m", "kosum.models.training.launch", "--config_file",
                str(ROOT / "configs/accelerate/ddp.yaml"), "--num_processes", "1", str(script)], 120, cwd=tmp_path)
    assert done.returncode == 1
    assert [line for line in done.stderr.splitlines() if line.strip()] == ["error: params.yaml models.x: a problem."]


def test_kosum_check_command(project: Path):
    done = run([sys.executable, "-c", "from kosum.cli import main; main()", "check", str(project)], 120,
               env={**_env(), "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith(": ok")
    _edit(project / "params.yaml",
          lambda raw: raw["models"]["qlora"]["llama_qlora"].update(checkpoint="nobody/nothing"))
    done = run([sys.executable, "-c", "from kosum.cli import main; main()", "check", str(project)], 120,
               env={**_env(), "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 1
    first = done.stderr.splitlines()[0]
    assert first.startswith("error: params.yaml models.qlora.llama_qlora.checkpoint: 'nobody/nothing' is no folder")
    assert len(done.stderr.splitlines()) == 1


def test_kosum_help_lists_the_commands():
    done = run([sys.executable, "-c", "from kosum.cli import main; main()", "--help"], 60, env=_env())
    assert done.returncode == 0
    assert [line.split()[0] for line in done.stdout.splitlines() if line.startswith("  ")] == ["check", "summarize",
                                                                                               "remote"]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
