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

from kosum.check import pipeline, problems
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
    # a fresh clone: no data/raw, no models/base_*; they are outputs of the corpus and base stages
    assert problems(project) == []
    flow = pipeline(project)
    assert {"data/raw", "models/base_llama", "models/base_qwen", "models/kobart"} <= flow.outputs
    assert flow.seq2seq == {"kobart"}


def test_each_problem_is_one_line_naming_its_key(project: Path, offline: Path):
    def params(raw):
        raw["models"]["llama_qlora"] = "Bllosom/llama-3.2-Korean-Bllossom-3B"  # a typo of a hub id
        raw["zero_shot"]["qwen_zero_shot"] = "./my/qwen"
        raw["models"]["qwen_qlora"] = "embedded"

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
        "params.yaml models.llama_qlora: 'Bllosom/llama-3.2-Korean-Bllossom-3B' is no folder here and no model in "
        "the Hugging Face cache",
        "params.yaml models.qwen_qlora: 'embedded' is only for the seq2seq model",
        "params.yaml zero_shot.qwen_zero_shot: './my/qwen' is no folder here and no hub id",
    ]
    for start in expected:
        assert any(line.startswith(start) for line in found), (start, found)
    assert not any("(kobart): max_new_tokens" in line for line in found)  # a section that failed is not judged twice


def test_raw_data_and_ensemble_members_are_checked(project: Path, offline: Path):
    raw_dir = project / "data" / "competition"
    raw_dir.mkdir(parents=True)
    (raw_dir / "train.csv").write_text("fname,dialogue,summary\ntrain_0,#Person1#: 안녕하세요,\n", encoding="utf-8")
    _edit(project / "params.yaml", lambda raw: raw["preprocess"].update(raw_dir="data/competition"))
    _edit(project / "configs/ensemble.yaml", lambda raw: raw["weights"].update(solar_qlora=1.0))
    found = problems(project)
    assert any(line.startswith("configs/ensemble.yaml weights.solar_qlora: no model 'solar_qlora'") for line in found)
    assert any(line.startswith(str(raw_dir / "train.csv")) for line in found), found


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
    assert problems(project) == ["configs/qlora.yaml topic: true, but data/competition/test.csv has no topic column "
                                 "(the competition's test has none); set it to false"]


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
    raw["models"]["llama_qlora"] = "Bllosom/llama-3.2-Korean-Bllossom-3B"
    params.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^.*params.yaml models.llama_qlora: 'Bllosom/llama-3.2-Korean-Bllossom-3B' "
                                          r"is no folder here"):
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
    _edit(project / "params.yaml", lambda raw: raw["models"].update(llama_qlora="nobody/nothing"))
    done = run([sys.executable, "-c", "from kosum.cli import main; main()", "check", str(project)], 120,
               env={**_env(), "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 1
    first = done.stderr.splitlines()[0]
    assert first.startswith("error: params.yaml models.llama_qlora: 'nobody/nothing' is no folder")
    assert len(done.stderr.splitlines()) == 1


def test_kosum_help_lists_the_commands():
    done = run([sys.executable, "-c", "from kosum.cli import main; main()", "--help"], 60, env=_env())
    assert done.returncode == 0
    assert [line.split()[0] for line in done.stdout.splitlines() if line.startswith("  ")] == ["check", "summarize",
                                                                                               "remote"]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
