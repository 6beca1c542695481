"""The real `dvc.yaml` under the real `dvc` commands, on a copy of the project with the tiny params profile.

Why: the unit tests call each stage's `main`, but only DVC itself shows whether `dvc.yaml` is right: every stage
runs, a second `dvc repro` does nothing, a changed param re-runs exactly the stages that read it, and
`dvc exp run -S` yields an experiment with its changed param and its metrics.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, TINY, merged

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
# On top of TINY: the fewest steps and tokens that still run every stage (this test checks DVC, not quality).
FAST = {
    "corpus": {"n_dev": 8, "n_test": 8},
    "train_kobart": {"max_steps": 30, "eval_steps": 30},
    "predict": {name: {"max_new_tokens": 8} for name in
                ("kobart", "llama_qlora", "qwen_qlora", "llama_zero_shot", "qwen_zero_shot")},
    **{section: {"max_steps": 4, "eval_steps": 4, "logging_steps": 2, "eval_samples": 4}
       for section in ("base_llama", "base_qwen", "train_llama_qlora", "train_qwen_qlora")},
}
UNRELATED = {"corpus", "preprocess", "base@llama", "base@qwen", "train_llama_qlora", "train_qwen_qlora"}


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
    real = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    tiny = merged(merged(real, TINY), FAST)
    (root / "params.yaml").write_text(yaml.safe_dump(tiny, allow_unicode=True), encoding="utf-8")

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
    return json.loads(dvc(root, "status", "--json"))


def test_second_repro_does_nothing(project: Path) -> None:
    assert status(project) == {}
    out = dvc(project, "repro")
    assert "Running stage" not in out
    assert git(project, "status", "--porcelain") == ""


def test_metrics_show_lists_lead_and_kobart(project: Path) -> None:
    shown = json.loads(dvc(project, "metrics", "show", "--json"))
    files = next(iter(shown.values()))["data"]
    for name in ("metrics/lead.json", "metrics/kobart.json"):
        assert 0 <= files[name]["data"]["dev"]["final"] <= 100, name


def test_changed_learning_rate_reruns_only_train_kobart(project: Path) -> None:
    params = project / "params.yaml"
    original = params.read_text(encoding="utf-8")
    values = yaml.safe_load(original)
    values["train_kobart"]["learning_rate"] = 2e-3
    params.write_text(yaml.safe_dump(values, allow_unicode=True), encoding="utf-8")
    try:
        changed = status(project)
    finally:
        params.write_text(original, encoding="utf-8")
    assert set(changed) == {"train_kobart"}, changed
    (entry,) = changed["train_kobart"]
    assert entry["changed deps"]["params.yaml"] == {"train_kobart": "modified"}  # whole sections
    assert status(project) == {}


@pytest.mark.parametrize(("module", "expected"), [
    ("plots.py", {"plots"}),
    ("attention.py", {"base@llama", "base@qwen", "train_llama_qlora", "train_qwen_qlora"}),
    ("metrics.py", {"train_kobart", "base@llama", "base@qwen", "train_llama_qlora", "train_qwen_qlora", "evaluate"}),
])
def test_code_change_reruns_exactly_the_stages_that_import_it(project: Path, module: str, expected: set) -> None:
    source = project / "src" / "kosum" / module
    original = source.read_text(encoding="utf-8")
    source.write_text(original + "\n# edited\n", encoding="utf-8")
    try:
        changed = status(project)
    finally:
        source.write_text(original, encoding="utf-8")
    assert set(changed) == expected
    assert status(project) == {}


def experiments(root: Path) -> dict[str, dict]:
    """The `data` of every experiment in `dvc exp show --json` by name (baselines and workspace left out)."""
    show = json.loads(dvc(root, "exp", "show", "--json"))
    return {rev["name"]: rev["data"] for base in show for exp in base.get("experiments") or [] for rev in exp["revs"]}


def test_exp_run_with_set_param(project: Path) -> None:
    # DVC writes 0.002 here; the string form (`2e-3`, a str to PyYAML) is already in the baseline's LLM sections.
    out = dvc(project, "exp", "run", "-S", "train_kobart.learning_rate=2e-3")
    for stage in ("train_kobart", "predict@kobart", "evaluate"):
        assert f"Running stage '{stage}'" in out, stage
    for stage in UNRELATED:
        assert f"Running stage '{stage}'" not in out, stage

    (exp,) = experiments(project).values()
    lr = exp["params"]["params.yaml"]["data"]["train_kobart"]["learning_rate"]
    assert float(lr) == pytest.approx(2e-3)
    kobart = exp["metrics"]["metrics/kobart.json"]["data"]
    assert 0 <= kobart["dev"]["final"] <= 100


def test_queued_sweep_then_apply_and_branch(project: Path) -> None:
    git(project, "reset", "-q", "--hard")  # back to the baseline: the previous test left its experiment applied
    dvc(project, "checkout", "-q")
    styles = ("simple", "instruction")
    for style in styles:
        dvc(project, "exp", "run", "--queue", "--name", f"style-{style}", "-S", f"train_qwen_qlora.prompt.style={style}")
    dvc(project, "queue", "start", "-j", "2")
    deadline = time.monotonic() + 600
    while any(word in dvc(project, "queue", "status") for word in ("Queued", "Running")):
        assert time.monotonic() < deadline, dvc(project, "queue", "status")
        time.sleep(2)
    assert "Failed" not in dvc(project, "queue", "status")

    by_name = experiments(project)
    for style in styles:
        exp = by_name[f"style-{style}"]
        assert exp["params"]["params.yaml"]["data"]["train_qwen_qlora"]["prompt"]["style"] == style
        assert 0 <= exp["metrics"]["metrics/qwen_qlora.json"]["data"]["dev"]["final"] <= 100
        log = dvc(project, "queue", "logs", f"style-{style}")
        assert "Running stage 'train_qwen_qlora'" in log and "Running stage 'evaluate'" in log
        assert not {s for s in UNRELATED - {"train_qwen_qlora"} if f"Running stage '{s}'" in log}, log

    dvc(project, "exp", "apply", "style-simple")
    assert yaml.safe_load((project / "params.yaml").read_text())["train_qwen_qlora"]["prompt"]["style"] == "simple"
    assert "train_qwen_qlora.prompt.style" in dvc(project, "params", "diff")
    assert "metrics/qwen_qlora.json" in dvc(project, "metrics", "diff")
    dvc(project, "exp", "branch", "style-instruction", "sweep-instruction")
    branch_params = yaml.safe_load(git(project, "show", "sweep-instruction:params.yaml"))
    assert branch_params["train_qwen_qlora"]["prompt"]["style"] == "instruction"
