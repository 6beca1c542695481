"""Nothing a test starts can hang the suite: tests/processes.py and the pytest-timeout backstop, each checked against
the hang it exists for."""

import os
import subprocess
import sys
import time

import psutil
import pytest

from tests.conftest import ROOT
from tests.processes import run, stop_processes_in


def _gone(pid: int, wait: float = 0.0) -> bool:
    """Whether `pid` has ended (a zombie counts: it runs nothing), waiting up to `wait` seconds for a killed one."""
    deadline = time.monotonic() + wait
    while True:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


def test_a_daemon_holding_the_output_does_not_hold_the_command(tmp_path):
    """What `dvc queue start` does: its daemon leaves the process group and keeps the inherited stdout open. With
    `capture_output=True` the caller waits for EOF, i.e. for the daemon (17 minutes, once); here for the command."""
    started = time.monotonic()
    daemonize = "import subprocess; print(subprocess.Popen(['sleep', '120'], start_new_session=True).pid)"
    done = run([sys.executable, "-c", daemonize], 30, cwd=tmp_path)
    assert time.monotonic() - started < 10
    daemon = int(done.stdout)
    assert not _gone(daemon), "the daemon outlives the command, as DVC's does"
    assert stop_processes_in(tmp_path) == ["sleep 120"]
    assert _gone(daemon, wait=5)


def test_a_timeout_kills_the_whole_group(tmp_path):
    script = tmp_path / "pid"
    with pytest.raises(subprocess.TimeoutExpired):
        run(["sh", "-c", f"sleep 120 & echo $! > {script}; wait"], 1)
    assert _gone(int(script.read_text()), wait=5)


def test_a_hung_test_fails_by_the_timeout_instead_of_hanging(tmp_path):
    """The backstop for anything else: pytest-timeout (pyproject.toml) names the test and moves on."""
    hung = tmp_path / "test_hung.py"
    hung.write_text("import subprocess\n\ndef test_hangs():\n    subprocess.run(['sleep', '120'])\n\n"
                    "def test_after():\n    pass\n")
    started = time.monotonic()
    done = run([sys.executable, "-m", "pytest", str(hung), "--timeout=2", "-p", "no:cacheprovider", "-p", "no:xdist",
                "--rootdir", str(tmp_path)], 60, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert time.monotonic() - started < 45
    assert done.returncode == 1, done.stdout
    assert "Timeout" in done.stdout and "1 failed, 1 passed" in done.stdout, done.stdout[-3000:]
