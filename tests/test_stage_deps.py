"""dvc.yaml and params.yaml agree: every stage depends on exactly the code it runs (its script and the src/kosum
subpackages of the real import graph) and on the config files it reads, every model of params.yaml is trained,
predicted and scored, and nothing else is.

Why: DVC re-runs a stage only when a declared dependency changes, and the train and predict stages loop over
params.yaml's `models.<recipe>` and `zero_shot`; a stage that reads a file it does not declare leaves a stale cached
result, and a stage that declares code it never runs re-runs for nothing (a retrained model for an edit to a plot).
"""

import re
import shutil
import typing
from pathlib import Path

import pytest
import yaml

from kosum.core.config.params import LaunchParams
from tests.import_graph import script_deps
from tests.processes import run

ROOT = Path(__file__).resolve().parents[1]
DVC_YAML = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))
DVC = DVC_YAML["stages"]
VARS = {key: value for entry in DVC_YAML.get("vars", []) if isinstance(entry, dict) for key, value in entry.items()}
OPT_IN = {f"{pipeline}:{name}": stage for pipeline in ("kfold", "api")
          for name, stage in yaml.safe_load((ROOT / pipeline / "dvc.yaml").read_text(encoding="utf-8"))["stages"].items()}
PARAMS = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
PARAMS_LAUNCH_CONFIGS = typing.get_args(typing.get_type_hints(LaunchParams)["config"])


# the launcher reads params.yaml `launch` itself (kosum.models.training.launch.from_params): no --config_file here
LAUNCH = "python -m kosum.models.training.launch "
# the launcher's own subpackage and what it imports (it runs before the stage script, in the stage's process tree)
LAUNCHER_DEPS = {"src/kosum/models"} | script_deps(ROOT / "src/kosum/models/training/launch.py")


def _cmd(stage: dict) -> str:
    """The stage's command on one line, dvc.yaml's `vars` (the launcher) filled in."""
    cmd = stage["cmd"]
    for key, value in VARS.items():
        cmd = cmd.replace(f"${{{key}}}", value)
    return " ".join(cmd.split())


@pytest.mark.parametrize("name", sorted(DVC) + sorted(OPT_IN))
def test_stage_depends_on_exactly_the_code_it_runs_and_every_config_it_names(name):
    stage = DVC.get(name, OPT_IN.get(name))
    stage = stage.get("do", stage)
    launched = _cmd(stage).startswith(LAUNCH)
    cmd = _cmd(stage).removeprefix(LAUNCH).removeprefix("python ")
    script = cmd.split()[0]
    assert script.startswith("stages/"), f"{name}: runs {script}, not a stage script"
    code = {dep for dep in stage["deps"] if dep.startswith(("stages", "src/"))}
    expected = {script} | script_deps(ROOT / script) | (LAUNCHER_DEPS if launched else set())
    assert code == expected, f"{name}: declares {sorted(code - expected)} it does not run, lacks {sorted(expected - code)}"
    for config in re.findall(r"configs/\w+\.yaml", cmd):
        assert config in stage["deps"], f"{name}: reads {config} without declaring it"


def test_the_import_graph_sees_through_kosum_modules():
    """evaluate reaches scoring only through kosum.evaluation; predict (candidates, test-time variants) never reaches
    the ensemble's MBR."""
    assert "src/kosum/scoring" in script_deps(ROOT / "stages/evaluate.py")
    assert script_deps(ROOT / "stages/predict.py") == {"src/kosum/core", "src/kosum/data", "src/kosum/models"}
    assert script_deps(ROOT / "stages/corpus.py") == {"src/kosum/core", "src/kosum/data"}
    assert LAUNCHER_DEPS == {"src/kosum/core", "src/kosum/models"}  # what every launched stage runs first


@pytest.mark.parametrize("name", sorted(DVC) + sorted(OPT_IN))
def test_training_stages_start_through_accelerate_with_the_launch_params(name):
    stage = DVC.get(name, OPT_IN.get(name))
    stage = stage.get("do", stage)
    trains = any(script in stage["cmd"] for script in ("stages/train_", "stages/pretrain_base"))
    assert _cmd(stage).startswith(LAUNCH) == trains, name
    assert "--config_file" not in stage["cmd"] and "--num_processes" not in stage["cmd"], name  # params.yaml's
    assert ("launch" in stage.get("params", []) and "configs/accelerate" in stage["deps"]) == trains, name
    for config in PARAMS_LAUNCH_CONFIGS:
        assert (ROOT / "configs/accelerate" / f"{config}.yaml").is_file(), config


def _outs(stage: dict) -> set[str]:
    return {next(iter(out)) if isinstance(out, dict) else out for out in stage.get("outs", [])}


def test_every_model_is_trained_predicted_and_scored():
    """One train and one predict stage per entry of each recipe's section, named by the entry, reading the shared
    schedule, the entry and the recipe file; a zero-shot entry is predicted from its checkpoint."""
    recipes = set(PARAMS["models"])
    assert recipes == {"seq2seq", "qlora"}
    assert {name for name in DVC if name.startswith("train_")} == {f"train_{recipe}" for recipe in recipes}
    for recipe in recipes:
        train, predict = DVC[f"train_{recipe}"], DVC[f"predict_{recipe}"]
        assert train["foreach"] == predict["foreach"] == f"${{models.{recipe}}}", recipe
        assert _outs(train["do"]) == {"models/${key}", "dvclive/train_${key}"}, recipe
        assert {"train", f"models.{recipe}.${{key}}"} <= set(train["do"]["params"]), recipe
        assert f"configs/{recipe}.yaml" in train["do"]["deps"] and f"stages/train_{recipe}.py" in train["do"]["cmd"]
        assert _cmd(train["do"]).endswith("--name ${key}") and "--name ${key}" in predict["do"]["cmd"], recipe
        assert "models/${key}" in predict["do"]["deps"] and _outs(predict["do"]) == {"predictions/${key}"}, recipe
    assert DVC["predict_zero_shot"]["foreach"] == "${zero_shot}"
    assert " ${item.checkpoint} " in DVC["predict_zero_shot"]["do"]["cmd"]
    assert {"models", "zero_shot"} <= set(DVC["evaluate"]["params"]) and "models" in DVC["ensemble"]["params"]


def _stages(root: Path) -> set[str]:
    """The stage names DVC itself generates from dvc.yaml and params.yaml in `root` (foreach resolved)."""
    from dvc.repo import Repo

    with Repo(str(root)) as repo:
        return {stage.name for stage in repo.index.stages}


def test_dvc_generates_the_stages_of_each_params_entry(tmp_path):
    """Adding or removing a model is one params entry: DVC generates (or drops) its stages, nothing else changes."""
    for name in ("params.yaml", "dvc.yaml"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / ".dvc").mkdir()
    assert run(["git", "init", "-q"], 60, cwd=tmp_path).returncode == 0
    shared = {"corpus", "preprocess", "base@llama", "base@qwen", "ensemble", "evaluate"}
    assert _stages(tmp_path) == shared | {
        "train_seq2seq@kobart", "predict_seq2seq@kobart",
        *(f"{kind}_qlora@{m}_qlora" for kind in ("train", "predict") for m in ("llama", "qwen")),
        "predict_zero_shot@llama_zero_shot", "predict_zero_shot@qwen_zero_shot"}
    params = yaml.safe_load((tmp_path / "params.yaml").read_text(encoding="utf-8"))
    params["models"]["seq2seq"] = {}
    params["models"]["qlora"] = {"solar_qlora": {"checkpoint": "upstage/SOLAR-10.7B-Instruct-v1.0", "batch_size": 2}}
    params["zero_shot"] = {}
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params), encoding="utf-8")
    assert _stages(tmp_path) == shared | {"train_qlora@solar_qlora", "predict_qlora@solar_qlora"}


def test_causal_models_read_the_shared_prompt_and_lora():
    for name, stage in DVC.items():
        stage = stage.get("do", stage)
        if "configs/qlora.yaml" in stage.get("deps", []):
            assert "prompt" in stage["params"], name
            if "stages/train_qlora.py" in stage["deps"]:
                assert {"train", "prompt", "lora"} <= set(stage["params"]), name
    assert DVC["predict_zero_shot"]["do"]["params"] == ["prompt", "zero_shot.${key}"]


def _written() -> set[str]:
    """Every output path of dvc.yaml, with `foreach` lists expanded."""
    found = set()
    for stage in DVC.values():
        items = stage["foreach"] if isinstance(stage.get("foreach"), list) else [None]
        for item in items:
            found |= {out.replace("${item}", item) if item else out for out in _outs(stage.get("do", stage))}
    return found


def test_zero_shot_and_qlora_entries_are_params_and_the_embedded_bases_deps():
    # a hub id as a dependency stopped `dvc repro` (no such path); the default's folders must still come first, so
    # every stage that may start from an embedded base depends on all of models/bases
    bases = {out for out in _written() if out.startswith("models/bases/")}
    assert bases == {"models/bases/llama", "models/bases/qwen"}
    for name in ("predict_zero_shot", "train_qlora"):
        stage = DVC[name]["do"]
        assert not any("${item" in dep or "checkpoint" in dep for dep in stage["deps"]), name
        assert "models/bases" in stage["deps"], name
    for section, entries in (("zero_shot", PARAMS["zero_shot"]), ("models.qlora", PARAMS["models"]["qlora"])):
        for name, entry in entries.items():
            assert entry["checkpoint"] in bases, f"{section}.{name}: {entry['checkpoint']} is no embedded base"
