"""dvc.yaml and params.yaml agree: every stage depends on exactly the code it runs (its script and the src/kosum
subpackages of the real import graph) and on the config files it reads, every model of params.yaml is trained,
predicted and scored, and nothing else is.

Why: DVC re-runs a stage only when a declared dependency changes, and `predict`/`evaluate` loop over params.yaml's
`models` and `zero_shot`; a stage that reads a file it does not declare leaves a stale cached result, and a stage
that declares code it never runs re-runs for nothing (a retrained model for an edit to a plot).
"""

import re
import typing
from pathlib import Path

import pytest
import yaml

from kosum.core.config.params import LaunchParams
from tests.import_graph import script_deps

ROOT = Path(__file__).resolve().parents[1]
DVC = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
OPT_IN = {f"{pipeline}:{name}": stage for pipeline in ("kfold", "api")
          for name, stage in yaml.safe_load((ROOT / pipeline / "dvc.yaml").read_text(encoding="utf-8"))["stages"].items()}
PARAMS = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
PARAMS_LAUNCH_CONFIGS = typing.get_args(typing.get_type_hints(LaunchParams)["config"])


LAUNCH = "python -m kosum.models.training.launch --config_file configs/accelerate/${launch.config}.yaml --num_processes ${launch.processes} "


@pytest.mark.parametrize("name", sorted(DVC) + sorted(OPT_IN))
def test_stage_depends_on_exactly_the_code_it_runs_and_every_config_it_names(name):
    stage = DVC.get(name, OPT_IN.get(name))
    stage = stage.get("do", stage)
    cmd = " ".join(stage["cmd"].split()).removeprefix(LAUNCH).removeprefix("python ")
    script = cmd.split()[0]
    assert script.startswith("stages/"), f"{name}: runs {script}, not a stage script"
    code = {dep for dep in stage["deps"] if dep.startswith(("stages", "src/"))}
    expected = {script} | script_deps(ROOT / script)
    assert code == expected, f"{name}: declares {sorted(code - expected)} it does not run, lacks {sorted(expected - code)}"
    for config in re.findall(r"configs/\w+\.yaml", cmd):
        assert config in stage["deps"], f"{name}: reads {config} without declaring it"


def test_the_import_graph_sees_through_kosum_modules():
    """evaluate reaches scoring only through kosum.evaluation; predict (candidates, test-time variants) never reaches
    the ensemble's MBR."""
    assert "src/kosum/scoring" in script_deps(ROOT / "stages/evaluate.py")
    assert script_deps(ROOT / "stages/predict.py") == {"src/kosum/core", "src/kosum/data", "src/kosum/models"}
    assert script_deps(ROOT / "stages/corpus.py") == {"src/kosum/core", "src/kosum/data"}


@pytest.mark.parametrize("name", sorted(DVC))
def test_training_stages_start_through_accelerate_with_the_launch_params(name):
    stage = DVC[name].get("do", DVC[name])
    trains = any(script in stage["cmd"] for script in ("train_", "pretrain_base"))
    assert " ".join(stage["cmd"].split()).startswith(LAUNCH) == trains, name
    assert ("launch" in stage.get("params", []) and "configs/accelerate" in stage["deps"]) == trains, name
    for config in PARAMS_LAUNCH_CONFIGS:
        assert (ROOT / "configs/accelerate" / f"{config}.yaml").is_file(), config


def _outs(stage: dict) -> set[str]:
    return {next(iter(out)) if isinstance(out, dict) else out for out in stage.get("outs", [])}


def test_every_model_is_trained_predicted_and_scored():
    for model in PARAMS["models"]:
        stage = DVC.get(f"train_{model}")
        assert stage is not None, f"params.yaml models.{model} has no train_{model} stage"
        assert f"models/{model}" in _outs(stage) and f"models.{model}" in stage["params"]
        assert {"train"} <= set(stage["params"]), f"train_{model} ignores the shared schedule"
    trained = {name.removeprefix("train_") for name in DVC if name.startswith("train_")}
    assert trained == set(PARAMS["models"]), "a train stage for a model params.yaml does not list"
    assert DVC["predict"]["foreach"] == "${models}" and DVC["predict_zero_shot"]["foreach"] == "${zero_shot}"
    assert {"models", "zero_shot"} <= set(DVC["evaluate"]["params"])


def test_causal_models_read_the_shared_prompt_and_lora():
    for name, stage in DVC.items():
        if "configs/qlora.yaml" in stage.get("deps", []):
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


def test_zero_shot_entries_are_params_and_the_embedded_bases_deps():
    # a hub id as a dependency stopped `dvc repro` (no such path); the default's folders must still come first
    stage = DVC["predict_zero_shot"]["do"]
    assert "${item}" not in stage["deps"]
    bases = {out for out in _written() if out.startswith("models/base_")}
    assert bases and bases <= set(stage["deps"])
    for name, folder in PARAMS["zero_shot"].items():
        assert folder in bases, f"zero_shot.{name}: {folder} is no embedded base; the stage would not wait for it"
