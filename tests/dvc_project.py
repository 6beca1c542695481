"""A git + DVC copy of the project with the tiny params profile, and the `dvc` / `git` commands the slow tests run on it.

Every command runs through `tests.processes.run`: output in files, its own process group, a deadline. A project is
torn down with `dvc queue stop --kill` and then every process still running in its folder is stopped, so a queue
worker that lingers (dvc-task's shutdown race) never outlives its test.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, write_merged, write_tiny_project
from tests.processes import run, stop_processes_in

BIN = Path(sys.executable).parent  # the venv's `dvc`, and the `python` that dvc.yaml's commands call
COMMAND_TIMEOUT = 600  # seconds for one command; the slowest (a full `dvc repro`) takes about 2 minutes
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
    "seq2seq.yaml": {"eval_samples": 4, "logging_steps": 2, "decoder_max_len": 8},  # no more than predict decodes
    "qlora.yaml": {"eval_samples": 4, "logging_steps": 2, "max_summary_len": 8},
    "decode.yaml": {"default": {"max_new_tokens": 8}, "kobart": {"max_new_tokens": 8}, "kfold": {"max_new_tokens": 8}},
}


def command(root: Path, *cmd: str) -> str:
    """Run `cmd` in `root`; a failure shows the command's own output."""
    done = run(list(cmd), COMMAND_TIMEOUT, cwd=root, env=ENV)
    assert done.returncode == 0, f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


def dvc(root: Path, *args: str) -> str:
    return command(root, str(BIN / "dvc"), *args)


def git(root: Path, *args: str) -> str:
    return command(root, "git", *args)


def tiny_project(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[Path]:
    """A git + DVC copy of the tracked files with tiny params, after a committed baseline `dvc repro` (a generator for
    a module fixture: what the tests start in it is stopped when the fixture ends, passed or failed).

    The baseline is built once per test run and copied for each module that asks (`.dvc/tmp` left out: DVC keeps
    its run state there), so the slow modules on two xdist workers share its two minutes."""
    built = _baseline(tmp_path_factory)
    root = tmp_path_factory.mktemp(name)
    shutil.copytree(built, root, symlinks=True, dirs_exist_ok=True, ignore=_run_state)
    assert status(root) == {}, "the copied baseline must be up to date"
    try:
        yield root
    finally:
        stop_queue(root)


def _run_state(folder: str, names: list[str]) -> list[str]:
    return ["tmp"] if Path(folder).name == ".dvc" else []


def _baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The baseline project of this test run, built by whichever xdist worker asks first (a lock file in the run's
    own temp folder, which the workers share)."""
    run_dir = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        run_dir = run_dir.parent  # .../pytest-N/popen-gw0 -> .../pytest-N: this run's, shared by its workers
    root = run_dir / "dvc-baseline"
    with open(run_dir / "dvc-baseline.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / ".git").is_dir():
            shutil.rmtree(root, ignore_errors=True)  # a build that failed half-way is rebuilt, not reused
            _build(root)
    return root


def _build(root: Path) -> None:
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


def stop_queue(root: Path) -> list[str]:
    """`dvc queue stop --kill`, then stop whatever still runs in `root`; returns what had to be stopped that way."""
    try:
        run([str(BIN / "dvc"), "queue", "stop", "--kill"], 120, cwd=root, env=ENV)
    except subprocess.TimeoutExpired:
        pass  # the processes are stopped below either way
    return stop_processes_in(root)


def status(root: Path) -> dict:
    """`dvc status` of the default pipeline (plain `dvc status` also lists the opt-in kfold/ and api/ stages until
    they run; `dvc repro` runs dvc.yaml alone)."""
    return json.loads(dvc(root, "status", "--json", "dvc.yaml"))


def ran(log: str) -> set[str]:
    """The stages a `dvc repro`/`dvc exp run` log says it ran."""
    return set(re.findall(r"Running stage '([^']+)'", log))


def experiments(root: Path) -> dict[str, dict]:
    """The `data` of every experiment in `dvc exp show --json` by name (baselines and workspace left out)."""
    show = json.loads(dvc(root, "exp", "show", "--json"))
    return {rev["name"]: rev["data"] for base in show for exp in base.get("experiments") or [] for rev in exp["revs"]}
