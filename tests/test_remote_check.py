"""`kosum remote check` without a server: its messages, and a real folder remote on a two-file DVC project
(tests/test_remote.py runs it on the kosum pipeline, two clones and an SSH server)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from kosum.core.errors import ConfigError
from kosum.tools.remote import Missing, check, refusal, repair, report
from tests.dvc_project import BIN, ENV
from tests.processes import run


def test_a_refused_connection_is_one_line_with_the_credentials_command():
    error = refusal("box", "ssh://me@gpu/srv/cache", PermissionError("Permission denied for user me on host gpu"))
    text = str(error)
    assert "\n" not in text and text.startswith("DVC remote 'box' (ssh://me@gpu/srv/cache) refused this machine")
    assert "dvc remote modify --local box keyfile" in text and "never in the committed .dvc/config" in text
    s3 = str(refusal("b", "s3://bucket/x", RuntimeError("NoCredentialsError: Unable to locate credentials")))
    assert "AWS_ACCESS_KEY_ID" in s3 and "dvc remote modify --local b access_key_id" in s3
    other = str(refusal("box", "ssh://me@gpu/x", OSError("Connection refused\nmore detail")))
    assert other == "DVC remote 'box' (ssh://me@gpu/x) cannot be reached: OSError: Connection refused"


def test_the_report_says_where_the_missing_files_still_are():
    assert report("s", []) == "DVC remote 's' holds every file of every cached output of this commit."
    lines = report("s", [
        Missing("models/a", ["models/a/w1", "models/a/w2", "models/a/w3", "models/a/w4"], [], "abc.dir"),
        Missing("models/b", ["models/b/w"], ["models/b/w"], "def.dir"),
        Missing("data/c.csv", ["data/c.csv"], ["data/c.csv"]),
    ]).splitlines()
    assert lines[0] == ("models/a: 4 file(s) missing on remote 's' (models/a/w1, models/a/w2, models/a/w3 and 1 more); "
                        "on neither this machine nor the remote: `dvc push` from the machine that produced them "
                        "(there: `kosum remote check`), or `dvc repro` here.")
    assert lines[1].endswith("this machine's cache has them: `kosum remote check --repair`, then `dvc push`.")
    assert lines[2].endswith("this machine's cache has them: `dvc push` sends them.")


@pytest.fixture
def project(tmp_path):
    """A git + DVC project whose one stage writes a folder of two files, pushed to a folder remote."""
    root = tmp_path / "p"
    root.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    (root / "dvc.yaml").write_text("stages:\n  make:\n    cmd: >-\n      python -c \"import pathlib; "
                                   "d = pathlib.Path('out'); d.mkdir(); (d / 'a.txt').write_text('a'); "
                                   "(d / 'b.txt').write_text('b')\"\n    outs: [out]\n")
    for args in (["init", "-q"], ["repro", "-q"], ["remote", "add", "-d", "storage", str(tmp_path / "remote")],
                 ["push", "-q"]):
        done = run([str(BIN / "dvc"), *args], 120, cwd=root, env=ENV)
        assert done.returncode == 0, done.stdout + done.stderr
    return root, tmp_path / "remote"


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_file_lost_behind_the_manifest_is_found_and_repaired(project):
    root, remote = project
    assert check(root) == ("storage", [])
    b_md5 = "92eb5ffee6ae2fec3ad71c777531578f"  # md5 of "b"
    (remote / "files" / "md5" / b_md5[:2] / b_md5[2:]).unlink()
    name, missing = check(root)
    assert [(m.output, m.files, m.local) for m in missing] == [("out", ["out/b.txt"], ["out/b.txt"])]
    assert missing[0].manifest and missing[0].manifest.endswith(".dir")
    push = run([str(BIN / "dvc"), "push"], 120, cwd=root, env=ENV)
    assert "Everything is up to date" in push.stdout  # why the check exists
    assert repair(root, name, missing) == ["out"]
    assert "2 files pushed" in run([str(BIN / "dvc"), "push"], 120, cwd=root, env=ENV).stdout  # it and the manifest
    assert check(root) == ("storage", [])


def test_the_console_command_and_its_errors(project):
    root, _ = project
    ok = run([str(BIN / "kosum"), "remote", "check"], 120, cwd=root, env=ENV)
    assert ok.returncode == 0 and ok.stdout.startswith("DVC remote 'storage' holds every file")
    wrong = run([str(BIN / "kosum"), "remote", "check", "-r", "nope"], 120, cwd=root, env=ENV)
    assert wrong.returncode == 1 and wrong.stderr.strip() == ("error: no DVC remote named 'nope'; `dvc remote list` "
                                                              "shows those there are.")
    with pytest.raises(ConfigError, match="no DVC remote: add one with `dvc remote add -d"):
        run([str(BIN / "dvc"), "remote", "default", "--unset"], 120, cwd=root, env=ENV)
        check(root)
    usage = run([sys.executable, "-c", "from kosum.cli import main; main()", "remote"], 120, cwd=root, env=ENV)
    assert usage.returncode == 1 and "usage: kosum {check | summarize | remote check}" in usage.stderr
