"""`kosum remote check [-r NAME] [--repair]`: is every cached output of this commit really on the DVC remote, file by
file? Names what is missing, and says in one line how to set credentials when the remote refuses this machine.

Why, beside `dvc push` / `dvc pull` / `dvc status -c`:
- DVC takes a folder output's manifest (`.dir`) on the remote as proof that all its files are there: it uploads the
  manifest last, so an interrupted push is safe, but a file lost later (a remote cleaned by another project's
  `dvc gc -c`, a lifecycle rule, a half-copied bucket) is never noticed: `dvc push` says "Everything is up to date"
  and `dvc pull` fails with "failed to transfer '<md5>'", naming no output. This check lists every file object.
- `--repair` removes the manifest of each folder output that lost files the local cache still has, so the next
  `dvc push` sends them again.
- A refused connection surfaces from DVC as "unexpected error - Permission denied ..."; here it is one line with the
  `dvc remote modify --local` command (credentials stay out of the committed `.dvc/config`).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kosum.core.errors import ConfigError

REFUSALS = ("permission denied", "no credentials", "unable to locate credentials", "access denied", "forbidden",
            "invalidaccesskeyid", "signaturedoesnotmatch", "authentication", "401", "403")
CREDENTIALS = {  # scheme -> how to give this machine its credentials (DVC's local config or the environment)
    "ssh": "dvc remote modify --local {name} keyfile ~/.ssh/id_ed25519 (or: password, ask_password true)",
    "s3": ("export AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... (or: dvc remote modify --local {name} "
           "access_key_id ... and secret_access_key ...; S3-compatible: endpointurl)"),
    "gs": "export GOOGLE_APPLICATION_CREDENTIALS=/path/key.json (or: dvc remote modify --local {name} credentialpath)",
    "azure": "dvc remote modify --local {name} connection_string ... (or: account_name and account_key)",
}


@dataclass
class Missing:
    """An output with files the remote lacks; `local`: those of them this machine's cache has."""

    output: str
    files: list[str] = field(default_factory=list)
    local: list[str] = field(default_factory=list)
    manifest: str | None = None  # the folder's `.dir` object on the remote (what --repair removes)


def refusal(name: str, url: str, error: Exception) -> ConfigError:
    """One line: the remote refused this machine (or another connection error), and how to set credentials."""
    text = f"{type(error).__name__}: {error}".strip()
    scheme = url.split("://", 1)[0] if "://" in url else "local"
    if any(word in text.lower() for word in REFUSALS):
        how = CREDENTIALS.get(scheme, "dvc remote modify --local {name} <option> <value> (dvc.org/doc/command-"
                                      "reference/remote/modify)").format(name=name)
        return ConfigError(f"DVC remote {name!r} ({url}) refused this machine ({text.splitlines()[0]}); set its "
                           f"credentials here, never in the committed .dvc/config: {how}")
    return ConfigError(f"DVC remote {name!r} ({url}) cannot be reached: {text.splitlines()[0]}")


def _files(out: Any, odb: Any) -> tuple[list[tuple[str, str]], str | None]:
    """(path, md5) of every file of a cached output and its folder manifest, read from this machine's cache or else
    from the remote (`odb`: a failed pull leaves no manifest here); one found in neither is checked alone."""
    from dvc_data.hashfile.tree import Tree

    if not out.hash_info.isdir:
        return [(str(out), out.hash_info.value)], None
    for source in (out.cache, odb):
        try:
            tree = Tree.load(source, out.hash_info)
        except (FileNotFoundError, OSError, ValueError):
            continue
        return [(str(Path(str(out), *key)), hash_info.value) for key, _, hash_info in tree], out.hash_info.value
    return [(f"{out} (its file list)", out.hash_info.value)], None


def check(root: Path, remote: str | None = None) -> tuple[str, list[Missing]]:
    """The remote's name and the cached outputs of `root`'s workspace (every dvc.yaml, the opt-in ones that ran
    included) whose files are not all on it."""
    from dvc.repo import Repo

    with Repo(str(root)) as repo:
        name = remote or repo.config["core"].get("remote")
        if not name:
            raise ConfigError("no DVC remote: add one with `dvc remote add -d <name> <url>` (docs/sharing.md).")
        if name not in repo.config["remote"]:
            raise ConfigError(f"no DVC remote named {name!r}; `dvc remote list` shows those there are.")
        url = repo.config["remote"][name]["url"]
        odb = repo.cloud.get_remote_odb(name)
        local = repo.cache.local
        outputs = [out for out in repo.index.outs if out.use_cache and out.hash_info and out.hash_info.value]
        try:
            missing = []
            for out in outputs:
                files, manifest = _files(out, odb)
                present = set(odb.oids_exist([md5 for _, md5 in files] + ([manifest] if manifest else [])))
                lost = [(path, md5) for path, md5 in files if md5 not in present]
                if lost:
                    held = set(local.oids_exist([md5 for _, md5 in lost]))
                    missing.append(Missing(str(out), [p for p, _ in lost], [p for p, m in lost if m in held],
                                           manifest if manifest in present else None))
        except Exception as error:  # DVC's filesystems raise their own kinds (asyncssh, botocore, ...)
            raise refusal(name, url, error) from error
        return name, missing


def repair(root: Path, remote: str, missing: list[Missing]) -> list[str]:
    """Remove the remote manifest of each folder output whose lost files this machine's cache has (then `dvc push`
    sends them); returns those outputs."""
    from dvc.repo import Repo

    repaired = []
    with Repo(str(root)) as repo:
        odb = repo.cloud.get_remote_odb(remote)
        for item in missing:
            if item.manifest and item.local == item.files:
                odb.fs.rm(odb.oid_to_path(item.manifest))
                repaired.append(item.output)
    return repaired


def report(remote: str, missing: list[Missing]) -> str:
    """What to print: one line per output with lost files, each saying where they still are."""
    if not missing:
        return f"DVC remote {remote!r} holds every file of every cached output of this commit."
    lines = []
    for item in missing:
        if item.local != item.files:
            where = ("on neither this machine nor the remote: `dvc push` from the machine that produced them (there: "
                     "`kosum remote check`), or `dvc repro` here")
        elif item.manifest:  # the remote's manifest hides them from `dvc push`
            where = "this machine's cache has them: `kosum remote check --repair`, then `dvc push`"
        else:
            where = "this machine's cache has them: `dvc push` sends them"
        shown = ", ".join(item.files[:3]) + (f" and {len(item.files) - 3} more" if len(item.files) > 3 else "")
        lines.append(f"{item.output}: {len(item.files)} file(s) missing on remote {remote!r} ({shown}); {where}.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kosum remote check", description=__doc__.splitlines()[0])
    parser.add_argument("-r", "--remote", help="the DVC remote (default: the project's default remote)")
    parser.add_argument("--repair", action="store_true",
                        help="let the next `dvc push` re-send folder outputs whose lost files this cache has")
    parser.add_argument("--root", type=Path, default=Path("."), help="the project (default: here)")
    args = parser.parse_args(argv)
    name, missing = check(args.root, args.remote)
    print(report(name, missing))
    if args.repair and missing:
        for output in repair(args.root, name, missing):
            print(f"{output}: its manifest is removed from {name!r}; `dvc push` now sends the lost files.")
    return 1 if missing else 0
