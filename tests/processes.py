"""Subprocesses that cannot hang the test suite.

Why not `subprocess.run(..., capture_output=True)`: it waits for EOF on the pipes, and a process that outlives the
command keeps them open. `dvc queue start` forks a daemon that inherits its stdout and stays until its queue worker
exits; a worker that lingers after "shutting down due to empty queue" (dvc-task's shutdown race) held a test for 17
minutes. Here output goes to files, the command runs in its own process group with a deadline, and whatever is left
in that group when it returns is killed. Daemons that leave the group (DVC's queue workers) are stopped by
`stop_processes_in`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
from pathlib import Path

import psutil


def run(cmd: list[str], timeout: float, **popen: object) -> subprocess.CompletedProcess[str]:
    """`subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)`, but captured through files and in a
    process group of its own: it returns when `cmd` exits, and a timeout kills the whole group and raises
    `subprocess.TimeoutExpired` with the output so far."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True,
                                   **popen)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired as expired:
            _kill_group(process.pid)
            process.wait()
            expired.output, expired.stderr = _read(out), _read(err)
            raise
        finally:  # also on KeyboardInterrupt or a pytest-timeout signal
            _kill_group(process.pid)
        return subprocess.CompletedProcess(cmd, process.returncode, _read(out), _read(err))


def _read(file) -> str:
    file.seek(0)
    return file.read().decode("utf-8", errors="replace")


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # the group is empty: nothing was left behind


def processes_in(folder: Path) -> list[psutil.Process]:
    """Processes of this user whose working directory is `folder` or below it (this process excepted)."""
    root, found = str(Path(folder).resolve()), []
    for proc in psutil.process_iter(["pid", "cwd"]):
        cwd = proc.info["cwd"]
        if proc.pid != os.getpid() and cwd and (cwd == root or cwd.startswith(root + os.sep)):
            found.append(proc)
    return found


def stop_processes_in(folder: Path, grace: float = 5.0) -> list[str]:
    """Terminate, then kill, every process still running in `folder` (queue workers, their daemons, experiment
    runs); returns their command lines, for a test that asserts none was left."""
    procs = processes_in(folder)
    names = []
    for proc in procs:
        try:
            names.append(" ".join(proc.cmdline()))
            proc.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(procs, timeout=grace)
    for proc in alive:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=grace)
    return names
