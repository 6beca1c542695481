"""The real `dvc.yaml` under the real `dvc` commands, on a copy of the project with the tiny params profile.

Why: the unit tests call each stage's `main`, but only DVC itself shows whether `dvc.yaml` is right: every stage
runs, a second `dvc repro` does nothing, a changed param re-runs exactly the stages that read it, and
`dvc exp run -S` yields an experiment with its changed param and its metrics.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, write_merged, write_tiny_project

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
]

BIN = Path(sys.executable).parent  # the venv's `dvc`, and the `python` that dvc.yaml's commands call
# Python writes __pycache__ into src/ as a user's Python does (not suppressed): it must not look like a code change.
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
       "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "DVC_NO_ANALYTICS": "1", "DVC_STUDIO_OFFLINE": "1",
       # one thread per process, as the README advises for `dvc queue start -j 2` on a CPU: two workers with a
       # thread per core each run ~10x slower (measured), not 2x
       "OMP_NUM_THREADS": "1"}
# On top of the tiny profile: the fewest steps and tokens that still run every stage (this checks DVC, not quality).
FAST_PARAMS = {"train": {"max_steps": 8, "eval_steps": 4}}
FAST_CONFIGS = {
    "embedded.yaml": {"corpus": {"n_dev": 8, "n_test": 8}, "pretrain": {"train": {"max_steps": 4, "eval_steps": 4}}},
    "seq2seq.yaml": {"eval_samples": 4, "logging_steps": 2},
    "qlora.yaml": {"eval_samples": 4, "logging_steps": 2},
    "decode.yaml": {"default": {"max_new_tokens": 8}, "kobart": {"max_new_tokens": 8}},
}
FINE_TUNING = {"train_kobart", "train_llama_qlora", "train_qwen_qlora"}
LLM_BRANCHES = {"train_llama_qlora", "train_qwen_qlora",
                "predict_zero_shot@llama_zero_shot", "predict_zero_shot@qwen_zero_shot"}
NEVER_BY_TRAINING = {"corpus", "preprocess", "base@llama", "base@qwen"}


def run(root: Path, *cmd: str) -> str:
    """Run `cmd` in `root`; a failure shows the command's own output."""
    done = subprocess.run(cmd, cwd=root, env=ENV, capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


def dvc(root: Path, *args: str) -> str:
    return run(root, str(BIN / "dvc"), *args)


def git(root: Path, *args: str) -> str:
    return run(root, "git", *args)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git + DVC copy of the tracked files with tiny params, after a committed baseline `dvc repro`."""
    root = tmp_path_factory.mktemp("project")
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True)
    for name in filter(None, tracked.stdout.split("\0")):
        if name != "dvc.lock" and (ROOT / name).is_file():  # no lock: the baseline starts from scratch
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, root / name)
    params, configs = write_tiny_project(root)
    write_merged(params, FAST_PARAMS, params)
    for name, override in FAST_CONFIGS.items():
        write_merged(configs / name, override, configs / name)

    git(root, "init", "-q")
    git(root, "config", "user.name", "kosum test")
    git(root, "config", "user.email", "test@kosum.invalid")
    git(root, "config", "commit.gpgsign", "false")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "tiny project")
    dvc(root, "repro")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "baseline")
    return root


def status(root: Path) -> dict:
    """`dvc status` of the default pipeline (plain `dvc status` also lists the opt-in kfold/ and api/ stages until
    they run; `dvc repro` runs dvc.yaml alone)."""
    return json.loads(dvc(root, "status", "--json", "dvc.yaml"))


def ran(log: str) -> set[str]:
    """The stages a `dvc repro`/`dvc exp run` log says it ran."""
    return set(re.findall(r"Running stage '([^']+)'", log))


def test_second_repro_does_nothing(project: Path) -> None:
    assert status(project) == {}
    assert not ran(dvc(project, "repro"))
    assert git(project, "status", "--porcelain") == ""


def test_metrics_show_every_model_dev_and_test_final(project: Path) -> None:
    shown = json.loads(dvc(project, "metrics", "show", "--json"))
    scores = next(iter(shown.values()))["data"]["metrics/scores.json"]["data"]
    assert set(scores) == {"ensemble", "kobart", "llama_qlora", "qwen_qlora", "llama_zero_shot", "qwen_zero_shot"}
    for model, finals in scores.items():
        assert set(finals) == {"dev_final", "test_final"} and 0 <= finals["dev_final"] <= 100, model


def test_code_change_reruns_every_stage(project: Path) -> None:
    """The trade-off for a narrow `dvc exp show`: code is one dependency, so any edit re-runs the pipeline."""
    source = project / "src" / "kosum" / "plots.py"
    original = source.read_text(encoding="utf-8")
    source.write_text(original + "\n# edited\n", encoding="utf-8")
    try:
        changed = status(project)
    finally:
        source.write_text(original, encoding="utf-8")
    assert {"corpus", "train_kobart", "evaluate"} <= set(changed)
    assert status(project) == {}


def experiments(root: Path) -> dict[str, dict]:
    """The `data` of every experiment in `dvc exp show --json` by name (baselines and workspace left out)."""
    show = json.loads(dvc(root, "exp", "show", "--json"))
    return {rev["name"]: rev["data"] for base in show for exp in base.get("experiments") or [] for rev in exp["revs"]}


def test_shared_lr_reruns_exactly_the_fine_tuning_branches(project: Path) -> None:
    log = dvc(project, "exp", "run", "-n", "lr-2e-3", "-S", "train.lr=2e-3")
    assert FINE_TUNING <= ran(log) and not ran(log) & NEVER_BY_TRAINING, ran(log)
    assert not {s for s in ran(log) if s.startswith("predict_zero_shot")}, ran(log)
    exp = experiments(project)["lr-2e-3"]
    assert float(exp["params"]["params.yaml"]["data"]["train"]["lr"]) == pytest.approx(2e-3)
    for run_name, scale in (("train_kobart", 1), ("train_qwen_qlora", 2)):  # the recipes' lr_scale
        logged = yaml.safe_load((project / "dvclive" / run_name / "params.yaml").read_text())
        assert float(logged["learning_rate"]) == pytest.approx(2e-3 * scale), run_name
    git(project, "reset", "-q", "--hard")
    dvc(project, "checkout", "-q")


def test_two_training_processes_through_dvc_exp_run(project: Path) -> None:
    """The launch key alone turns every training stage into 2 gloo processes on a CPU box."""
    log = dvc(project, "exp", "run", "-n", "two-processes", "-S", "launch.processes=2")
    assert FINE_TUNING | {"base@llama", "base@qwen"} <= ran(log), ran(log)
    exp = experiments(project)["two-processes"]
    assert exp["params"]["params.yaml"]["data"]["launch"]["processes"] == 2
    scores = exp["metrics"]["metrics/scores.json"]["data"]
    assert {"kobart", "llama_qlora", "qwen_qlora"} <= set(scores)
    for run_name in ("train_kobart", "train_qwen_qlora"):  # same steps, each on twice the data: 2 processes ran
        epoch = json.loads((project / "dvclive" / run_name / "metrics.json").read_text())["epoch"]
        baseline = json.loads(git(project, "show", f"HEAD:dvclive/{run_name}/metrics.json"))["epoch"]
        assert epoch == pytest.approx(2 * baseline), run_name
    git(project, "reset", "-q", "--hard")
    dvc(project, "checkout", "-q")


def test_prompt_style_sweep_reruns_only_the_llm_branches(project: Path) -> None:
    styles = ("simple", "instruction")
    for style in styles:
        dvc(project, "exp", "run", "--queue", "--name", f"style-{style}", "-S", f"prompt.style={style}")
    dvc(project, "queue", "start", "-j", "2")
    deadline = time.monotonic() + 600
    while any(word in dvc(project, "queue", "status") for word in ("Queued", "Running")):
        assert time.monotonic() < deadline, dvc(project, "queue", "status")
        time.sleep(2)
    assert "Failed" not in dvc(project, "queue", "status")

    by_name = experiments(project)
    for style in styles:
        exp = by_name[f"style-{style}"]
        assert exp["params"]["params.yaml"]["data"]["prompt"]["style"] == style
        stages = ran(dvc(project, "queue", "logs", f"style-{style}"))
        assert LLM_BRANCHES <= stages and "evaluate" in stages, stages
        assert not stages & (NEVER_BY_TRAINING | {"train_kobart", "predict@kobart"}), stages

    dvc(project, "exp", "apply", "style-simple")
    assert yaml.safe_load((project / "params.yaml").read_text())["prompt"]["style"] == "simple"
    assert "prompt.style" in dvc(project, "params", "diff")
    assert "metrics/scores.json" in dvc(project, "metrics", "diff")
    dvc(project, "exp", "branch", "style-instruction", "sweep-instruction")
    branch_params = yaml.safe_load(git(project, "show", "sweep-instruction:params.yaml"))
    assert branch_params["prompt"]["style"] == "instruction"


def test_exp_show_stays_within_60_columns(project: Path) -> None:
    """60 for the default pipeline (with State and Executor, there once experiments were queued); DVC also lists the
    opt-in pipelines' dependency paths and the API's two params, run or not."""
    header = dvc(project, "exp", "show", "--csv").splitlines()[0].split(",")
    opt_in = {"api/predictions", "configs/api.yaml", "kfold/data", "kfold/models", "kfold/predictions",
              "api.base_url", "api.model"}
    assert opt_in <= set(header) and len(header) - len(opt_in) <= 60, header
    for column in ("train.lr", "train.scheduler", "prompt.style", "kobart.dev_final", "qwen_qlora.test_final"):
        assert column in header, column


def test_kfold_is_an_opt_in_pipeline_of_matrix_stages(project: Path) -> None:
    log = dvc(project, "repro", "kfold/dvc.yaml")
    per_fold = {f"kfold/dvc.yaml:{stage}@{fold}" for stage in ("train", "predict") for fold in range(3)}
    assert ran(log) == {"kfold/dvc.yaml:split", "kfold/dvc.yaml:report"} | per_fold, ran(log)  # main: up to date
    metrics = json.loads((project / "kfold/metrics/kfold.json").read_text())
    assert set(metrics["test"]) == {"kfold_ensemble", "kfold_and_full", "full_model", "fold_mean"}
    assert 0 < metrics["oof"]["final_mean"] <= 100 and metrics["oof"]["final_std"] >= 0
    scores = json.loads(dvc(project, "metrics", "show", "--json"))
    assert "kfold/metrics/kfold.json" in next(iter(scores.values()))["data"]
    assert not ran(dvc(project, "repro", "kfold/dvc.yaml")) and not ran(dvc(project, "repro"))
    git(project, "clean", "-fdxq", "kfold")  # back to the default pipeline only (the column count test)
    git(project, "checkout", "-q", "kfold")


def test_tune_trials_are_experiments_and_pruned_trials_leave_none(project: Path) -> None:
    import optuna

    def tune(study: str, trials: int, space: dict, pruner: str, pruner_args: dict) -> optuna.Study:
        config = project / f"{study}.yaml"
        config.write_text(yaml.safe_dump({"study": study, "storage": f".optuna/{study}.db", "trials": trials,
                                          "objective": "qwen_qlora.dev_final", "space": space, "pruner": pruner,
                                          "pruner_args": pruner_args}))
        run(project, str(BIN / "python"), "-m", "kosum.tune", str(config))
        config.unlink()
        return optuna.load_study(study_name=study, storage=f"sqlite:///{project}/.optuna/{study}.db")

    before = git(project, "status", "--porcelain")
    study = tune("t", 2, {"prompt.style": {"choices": ["simple", "instruction"]}}, "MedianPruner",
                 {"n_startup_trials": 5})
    found = experiments(project)
    for trial in study.trials:
        assert trial.state == optuna.trial.TrialState.COMPLETE
        exp = found[f"t-{trial.number}"]
        assert exp["params"]["params.yaml"]["data"]["prompt"]["style"] == trial.params["prompt.style"]
        scores = exp["metrics"]["metrics/scores.json"]["data"]
        assert scores["qwen_qlora"]["dev_final"] == pytest.approx(trial.value)
    assert git(project, "status", "--porcelain") == before  # trials run in temp copies: the workspace is untouched

    pruned = tune("p", 1, {"train.seed": {"choices": [7]}}, "ThresholdPruner", {"lower": 101})  # prunes any value
    [trial] = pruned.trials
    assert trial.state == optuna.trial.TrialState.PRUNED and trial.user_attrs["pruned_at_step"] == 4
    assert "p-0" not in experiments(project)
