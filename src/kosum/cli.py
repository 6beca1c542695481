"""The `kosum` console script: `kosum check`, `kosum summarize ...` and `kosum remote check ...` (the pipeline itself
runs through `dvc repro`)."""

from __future__ import annotations

import sys

from kosum.core.library_warnings import route_library_warnings
from kosum.core.stage import run_stage

COMMANDS = {
    "check": "check params.yaml, configs/, the raw data and every model reference before a run",
    "summarize": "summarize a CSV of your own dialogues with a trained model folder",
    "remote check": "check that every cached output of this commit is on the DVC remote",
}


def main() -> None:
    route_library_warnings()  # before the lazy imports below: libraries warn as they load (asyncssh does)
    args = sys.argv[1:] or ["--help"]
    if args[0] in ("-h", "--help"):
        print("usage: kosum COMMAND ... (kosum COMMAND --help)\n\ncommands:")
        print("\n".join(f"  {name:<14}{text}" for name, text in COMMANDS.items()))
        return
    if args[0] == "check":
        from kosum import check

        run_stage(lambda: check.main(args[1:]))
    elif args[0] == "summarize":
        # imported here: the model stack loads only for a command that needs it
        from kosum import summarize

        run_stage(lambda: summarize.main(args[1:]))
    elif args[:2] == ["remote", "check"]:
        from kosum.tools import remote

        run_stage(lambda: sys.exit(remote.main(args[2:])))
    else:
        sys.exit(f"usage: kosum {{{' | '.join(COMMANDS)}}} ... (kosum --help); got {' '.join(args)!r}")
