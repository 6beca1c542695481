"""The tools around the default pipeline under the real `dvc` commands, on a tiny project of their own (so the two
slow DVC modules run side by side under pytest-xdist): `launch.processes` through `dvc exp run`, the opt-in K-fold
pipeline and the Optuna search whose trials are experiments."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from tests.dvc_project import BIN, command, dvc, experiments, git, ran, tiny_project

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(900),  # the first test also builds the project (about 2 minutes on 2 cores)
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory):
    yield from tiny_project(tmp_path_factory, "tools")


def test_two_training_processes_through_dvc_exp_run(project: Path) -> None:
    """The launch key alone turns a training stage into 2 gloo processes on a CPU box (every training stage reads it:
    tests/test_experiments.py; tests/test_distributed.py compares 2 processes with 1)."""
    log = dvc(project, "exp", "run", "-n", "two-processes", "-S", "launch.processes=2", "train_seq2seq@kobart")
    assert ran(log) == {"train_seq2seq@kobart"}, ran(log)
    assert experiments(project)["two-processes"]["params"]["params.yaml"]["data"]["launch"]["processes"] == 2
    # same steps, each on twice the data: 2 processes ran
    epoch = json.loads((project / "dvclive/train_kobart/metrics.json").read_text())["epoch"]
    baseline = json.loads(git(project, "show", "HEAD:dvclive/train_kobart/metrics.json"))["epoch"]
    assert epoch == pytest.approx(2 * baseline)
    git(project, "reset", "-q", "--hard")
    dvc(project, "checkout", "-q")


def test_kfold_is_an_opt_in_pipeline_of_matrix_stages(project: Path) -> None:
    folds = project / "kfold/dvc.yaml"
    folds.write_text(folds.read_text(encoding="utf-8").replace("folds: [0, 1, 2]", "folds: [0, 1]"), encoding="utf-8")
    log = dvc(project, "repro", "kfold/dvc.yaml")
    per_fold = {f"kfold/dvc.yaml:{stage}@{fold}" for stage in ("train", "predict") for fold in range(2)}
    assert ran(log) == {"kfold/dvc.yaml:split", "kfold/dvc.yaml:report"} | per_fold, ran(log)  # main: up to date
    metrics = json.loads((project / "kfold/metrics/kfold.json").read_text())
    assert set(metrics["test"]) == {"kfold_ensemble", "kfold_and_full", "full_model", "fold_mean"}
    assert 0 < metrics["oof"]["final_mean"] <= 100 and metrics["oof"]["final_std"] >= 0
    scores = json.loads(dvc(project, "metrics", "show", "--json"))
    assert "kfold/metrics/kfold.json" in next(iter(scores.values()))["data"]
    assert not ran(dvc(project, "repro", "kfold/dvc.yaml")) and not ran(dvc(project, "repro"))
    git(project, "clean", "-fdxq", "kfold")  # back to the default pipeline only
    git(project, "checkout", "-q", "kfold")


def test_tune_trials_are_experiments_and_pruned_trials_leave_none(project: Path) -> None:
    import optuna

    def tune(study: str, space: dict, pruner: str, pruner_args: dict, model: str) -> optuna.Study:
        config = project / f"{study}.yaml"
        config.write_text(yaml.safe_dump({"study": study, "storage": f".optuna/{study}.db", "trials": 1,
                                          "objective": f"{model}.dev_final", "space": space, "pruner": pruner,
                                          "pruner_args": pruner_args}))
        command(project, str(BIN / "python"), "-m", "kosum.tools.tune", str(config))
        config.unlink()
        return optuna.load_study(study_name=study, storage=f"sqlite:///{project}/.optuna/{study}.db")

    # completed: a zero-shot row's base, the cheapest trial (one prediction stage, ensemble and evaluate re-run; a
    # training key re-ran six stages). Each study tries its own value, as DVC's run cache would restore a value run
    # before instead of running (and pruning) it again.
    before = git(project, "status", "--porcelain")
    key = "zero_shot.llama_zero_shot.checkpoint"
    [trial] = tune("t", {key: {"choices": ["models/bases/qwen"]}}, "MedianPruner", {"n_startup_trials": 5},
                   "llama_zero_shot").trials
    assert trial.state == optuna.trial.TrialState.COMPLETE
    exp = experiments(project)["t-0"]
    assert exp["params"]["params.yaml"]["data"]["zero_shot"]["llama_zero_shot"]["checkpoint"] == trial.params[key]
    assert exp["metrics"]["metrics/scores.json"]["data"]["llama_zero_shot"]["dev_final"] == pytest.approx(trial.value)
    assert git(project, "status", "--porcelain") == before  # trials run in temp copies: the workspace is untouched

    # pruned by its objective's model, the first LLM DVC trains: no other stage runs
    [pruned] = tune("p", {"lora.r": {"choices": [8]}}, "ThresholdPruner", {"lower": 101}, "llama_qlora").trials
    assert pruned.state == optuna.trial.TrialState.PRUNED and pruned.user_attrs["pruned_at_step"] == 4
    assert "p-0" not in experiments(project)

