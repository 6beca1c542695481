"""A library's warning never lands above kosum's one-line error (issue 37: asyncssh's CryptographyDeprecationWarning
printed above `kosum remote check`'s): forced here with a stand-in third-party module that warns as it loads."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pytest

from kosum.core.library_warnings import is_own, warnings_log
from tests.processes import run

NOISY = '''
import warnings
class CryptographyDeprecationWarning(UserWarning):  # cryptography's own is a UserWarning, shown by default
    pass
warnings.warn("DSA is deprecated and support will be removed", CryptographyDeprecationWarning, stacklevel=1)
'''
ERROR = "in.csv, row 2, column 'dialogue': empty"
# The stage runner and the console script, each failing after a library warned during the run.
ENTRY_POINTS = {
    "stage": f'''
from kosum.core.errors import DataError
from kosum.core.stage import run_stage
def main():
    import noisy
    raise DataError("{ERROR}")
run_stage(main)
''',
    "console script": f'''
import sys
from kosum.core.errors import DataError
from kosum.tools import remote
def fail(argv):
    import noisy
    raise DataError("{ERROR}")
remote.main = fail  # `kosum remote check`, the command asyncssh warned above (light: no model stack to import)
sys.argv = ["kosum", "remote", "check", "-r", "ssh"]
from kosum.cli import main
main()
''',
}


def _run(tmp_path: Path, code: str, **env: str):
    (tmp_path / "lib").mkdir(exist_ok=True)
    (tmp_path / "lib/noisy.py").write_text(NOISY, encoding="utf-8")
    environ = {**{k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"},
               "PYTHONPATH": os.pathsep.join([str(tmp_path / "lib"), os.environ.get("PYTHONPATH", "")]),
               "KOSUM_WARNINGS_LOG": str(tmp_path / "warnings.log"), **env}
    return run([sys.executable, "-c", textwrap.dedent(code)], 120, env=environ)


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_a_library_warning_goes_to_the_log_and_the_error_stays_one_line(tmp_path, entry):
    done = _run(tmp_path, ENTRY_POINTS[entry])
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == f"error: {ERROR}\n", done.stderr
    log = (tmp_path / "warnings.log").read_text(encoding="utf-8")
    assert "noisy.py" in log and "CryptographyDeprecationWarning: DSA is deprecated" in log


def test_python_w_keeps_warnings_on_the_terminal(tmp_path):
    """A user who asks for warnings (-W, PYTHONWARNINGS) sees them where Python prints them."""
    done = _run(tmp_path, ENTRY_POINTS["stage"], PYTHONWARNINGS="default")
    assert "CryptographyDeprecationWarning: DSA is deprecated" in done.stderr
    assert done.stderr.rstrip().endswith(f"error: {ERROR}") and not (tmp_path / "warnings.log").exists()


def test_kosum_own_warnings_still_show(tmp_path):
    import kosum.core.stage

    assert is_own(kosum.core.stage.__file__) and not is_own(str(tmp_path / "lib/noisy.py"))
    assert not is_own(pytest.__file__)


def test_the_log_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("KOSUM_WARNINGS_LOG", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert warnings_log() == tmp_path / "kosum/warnings.log"
    monkeypatch.setenv("KOSUM_WARNINGS_LOG", str(tmp_path / "w.log"))
    assert warnings_log() == tmp_path / "w.log"
