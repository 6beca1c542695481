"""The real `dvc.yaml` under the real `dvc` commands, on a copy of the project with the tiny params profile.

Why: the unit tests call each stage's `main`, but only DVC itself shows whether `dvc.yaml` is right: every stage
runs, a second `dvc repro` does nothing, a changed param re-runs exactly the stages that read it, and
`dvc exp run -S` yields an experiment with its changed param and its metrics.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.conftest import save_tiny_base
from tests.dvc_project import dvc, experiments, git, ran, status, stop_queue, tiny_project

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(900),  # the first test also builds the project (about 2 minutes on 2 cores)
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
]
FINE_TUNING = {"train_seq2seq@kobart", "train_qlora@llama_qlora", "train_qlora@qwen_qlora"}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory):
    yield from tiny_project(tmp_path_factory, "project")


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


def _changed_by_edit(project: Path, relative: str) -> set[str]:
    """The stages `dvc status` marks changed after a comment is appended to one source file (then restored)."""
    source = project / relative
    original = source.read_text(encoding="utf-8")
    source.write_text(original + "\n# edited\n", encoding="utf-8")
    try:
        return set(status(project))
    finally:
        source.write_text(original, encoding="utf-8")


def test_a_code_edit_marks_only_the_stages_that_run_that_code(project: Path) -> None:
    """Each stage depends on its script and the src/kosum subpackages it runs: an edit to a plot never retrains."""
    assert _changed_by_edit(project, "src/kosum/evaluation/plots.py") == {"evaluate"}
    assert _changed_by_edit(project, "src/kosum/ensemble/mbr.py") == {"ensemble"}
    assert _changed_by_edit(project, "src/kosum/tools/tune.py") == set()
    assert _changed_by_edit(project, "stages/evaluate.py") == {"evaluate"}
    models = _changed_by_edit(project, "src/kosum/models/generation.py")
    assert {"train_seq2seq@kobart", "predict_seq2seq@kobart", "predict_zero_shot@qwen_zero_shot"} <= models
    assert not models & {"corpus", "preprocess", "ensemble", "evaluate"}, models
    assert status(project) == {}


def _restore(project: Path, *created: str) -> None:
    """Back to the committed baseline: params and DVC's lock and .gitignore files from git, outputs from the cache;
    `created`: outputs of stages the baseline lacks (git ignores models/ and predictions/, so a reset keeps them)."""
    git(project, "reset", "-q", "--hard")
    for relative in created:
        shutil.rmtree(project / relative, ignore_errors=True)
    dvc(project, "checkout", "-q")
    assert status(project) == {}


def test_the_shared_lr_reaches_exactly_the_fine_tunes_times_each_recipes_scale(project: Path) -> None:
    """The card's `dvc exp run -S train.lr=...`: `train.lr` puts exactly the three fine-tunes out of date (not the
    corpus, the bases or the zero-shot rows; what reads their models follows them); then an experiment on two of them
    (cheaper than all three: the queued sweep below runs whole experiments) trains at lr x each recipe's scale."""
    params = yaml.safe_load((project / "params.yaml").read_text(encoding="utf-8"))
    params["train"]["lr"] = 2e-5
    (project / "params.yaml").write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    try:
        assert set(status(project)) == FINE_TUNING
    finally:
        git(project, "checkout", "-q", "params.yaml")
    log = dvc(project, "exp", "run", "-n", "lr-2e-3", "-S", "train.lr=2e-3", "train_seq2seq@kobart",
              "train_qlora@qwen_qlora")
    assert ran(log) == {"train_seq2seq@kobart", "train_qlora@qwen_qlora"}, ran(log)
    exp = experiments(project)["lr-2e-3"]
    assert float(exp["params"]["params.yaml"]["data"]["train"]["lr"]) == pytest.approx(2e-3)
    for name, scale in (("kobart", 1), ("qwen_qlora", 2)):  # the recipes' lr_scale
        logged = yaml.safe_load((project / "dvclive" / f"train_{name}" / "params.yaml").read_text())
        assert float(logged["learning_rate"]) == pytest.approx(2e-3 * scale), name
    _restore(project)


def test_adding_a_model_is_one_params_entry(project: Path, tmp_path: Path) -> None:
    """A new `models.qlora` entry: its train and predict stages, and the two stages that read `models`, are all that
    is out of date and all that runs; the ensemble takes it in through other_weight and evaluate scores it."""
    base = save_tiny_base("qwen", tmp_path / "tiny_base")  # a hub-like folder: weights, tokenizer, chat template
    params = yaml.safe_load((project / "params.yaml").read_text(encoding="utf-8"))
    params["models"]["qlora"]["tiny_qlora"] = {"checkpoint": str(base)}
    (project / "params.yaml").write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    new = {"train_qlora@tiny_qlora", "predict_qlora@tiny_qlora", "ensemble", "evaluate"}
    try:
        assert set(status(project)) == new
        assert ran(dvc(project, "repro")) == new
        scores = json.loads((project / "metrics/scores.json").read_text())
        assert "tiny_qlora" in scores and 0 <= scores["tiny_qlora"]["dev_final"] <= 100
        assert "tiny_qlora" in set(pd.read_csv(project / "ensemble/candidates.csv")["member"])
        assert status(project) == {}
    finally:
        _restore(project, "models/tiny_qlora", "predictions/tiny_qlora", "dvclive/train_tiny_qlora")


def test_removing_kobart_needs_no_ensemble_edit(project: Path) -> None:
    """`models.seq2seq: {}`: its stages are gone; configs/ensemble.yaml still weighs kobart, which the ensemble leaves
    out (and says so) instead of failing; the LLMs still form an ensemble."""
    params = yaml.safe_load((project / "params.yaml").read_text(encoding="utf-8"))
    params["models"]["seq2seq"] = {}
    (project / "params.yaml").write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    assert "kobart" in yaml.safe_load((project / "configs/ensemble.yaml").read_text())["weights"]
    try:
        log = dvc(project, "repro")
        assert ran(log) == {"ensemble", "evaluate"}, ran(log)
        assert "weights ['kobart']: not under params.yaml models; left out" in log, log
        scores = json.loads((project / "metrics/scores.json").read_text())
        assert "kobart" not in scores and {"ensemble", "llama_qlora", "qwen_qlora"} <= set(scores), scores
        assert set(pd.read_csv(project / "ensemble/candidates.csv")["member"]) == {"llama_qlora", "qwen_qlora"}
        assert (project / "ensemble/submission.csv").is_file()
    finally:
        _restore(project)


def test_queued_sweep_runs_whole_experiments_that_rerun_only_what_changed(project: Path) -> None:
    """`dvc exp run --queue` + `dvc queue start -j 2`, then the commands that compare and keep a result. The swept
    keys are the zero-shot rows' base models: each re-runs one prediction stage, `ensemble` (its dep is all of
    predictions/) and `evaluate`, the cheapest whole experiment (a QLoRA key re-ran six stages per experiment)."""
    swaps = {"llama_zero_shot": "models/bases/qwen", "qwen_zero_shot": "models/bases/llama"}
    for name, base in swaps.items():
        dvc(project, "exp", "run", "--queue", "--name", f"swap-{name}", "-S", f"zero_shot.{name}.checkpoint={base}")
    dvc(project, "queue", "start", "-j", "2")
    deadline = time.monotonic() + 600
    while any(word in dvc(project, "queue", "status") for word in ("Queued", "Running")):
        assert time.monotonic() < deadline, dvc(project, "queue", "status")
        time.sleep(5)  # each `dvc queue status` is a Python process: polled often, it takes a core from the runs
    assert "Failed" not in dvc(project, "queue", "status")
    # Both runs are done, but a worker may linger after "shutting down due to empty queue" (dvc-task's race): the
    # README's advice is `dvc queue stop`; whatever still runs after it is stopped here, not left to the suite.
    dvc(project, "queue", "stop")
    stop_queue(project)

    by_name = experiments(project)
    for name, base in swaps.items():
        exp = by_name[f"swap-{name}"]
        assert exp["params"]["params.yaml"]["data"]["zero_shot"][name] == {"checkpoint": base}
        assert set(exp["metrics"]["metrics/scores.json"]["data"]) >= {"kobart", name}
        stages = ran(dvc(project, "queue", "logs", f"swap-{name}"))
        assert stages == {f"predict_zero_shot@{name}", "ensemble", "evaluate"}, stages  # ensemble: predictions/

    dvc(project, "exp", "apply", "swap-llama_zero_shot")
    assert yaml.safe_load((project / "params.yaml").read_text())["zero_shot"]["llama_zero_shot"] == {
        "checkpoint": "models/bases/qwen"}
    assert "zero_shot.llama_zero_shot.checkpoint" in dvc(project, "params", "diff")
    assert "llama_zero_shot.dev_final" in dvc(project, "metrics", "diff", "--all")
    dvc(project, "exp", "branch", "swap-qwen_zero_shot", "sweep-qwen-base")
    assert yaml.safe_load(git(project, "show", "sweep-qwen-base:params.yaml"))["zero_shot"]["qwen_zero_shot"] == {
        "checkpoint": "models/bases/llama"}


def test_exp_show_stays_within_70_columns(project: Path) -> None:
    """At most 70 for the default pipeline: its experiment, params, metrics and deps columns (each stage's script
    and subpackages included). Not counted: DVC's queue columns State and Executor (there once experiments were
    queued) and the opt-in pipelines' own deps and the API's two params, which DVC lists run or not."""
    header = dvc(project, "exp", "show", "--csv").splitlines()[0].split(",")
    opt_in = {"api/predictions", "configs/api.yaml", "kfold/data", "kfold/models", "kfold/predictions",
              "api.base_url", "api.model", "stages/kfold_split.py", "stages/kfold_report.py", "stages/predict_api.py",
              "src/kosum/tools"}
    queue = {"State", "Executor"} & set(header)
    assert opt_in <= set(header) and len(header) - len(opt_in) - len(queue) <= 70, header
    for column in ("train.lr", "train.scheduler", "prompt.style", "kobart.dev_final", "qwen_qlora.test_final",
                   "models.seq2seq.kobart.checkpoint", "zero_shot.qwen_zero_shot.checkpoint",
                   "stages/train_seq2seq.py", "models/bases"):
        assert column in header, column
