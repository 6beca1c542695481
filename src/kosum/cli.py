"""The `kosum` console script: `kosum summarize ...` and `kosum remote check ...` (the pipeline itself runs through
`dvc repro`)."""

from __future__ import annotations

import sys

from kosum.core.library_warnings import route_library_warnings
from kosum.core.stage import run_stage

COMMANDS = ("summarize", "remote check")


def main() -> None:
    route_library_warnings()  # before the lazy imports below: libraries warn as they load (asyncssh does)
    args = sys.argv[1:] or ["--help"]
    if args[0] == "summarize":
        # imported here: the model stack loads only for a command that needs it
        from kosum import summarize

        run_stage(lambda: summarize.main(args[1:]))
    elif args[:2] == ["remote", "check"]:
        from kosum.tools import remote

        run_stage(lambda: sys.exit(remote.main(args[2:])))
    else:
        sys.exit(f"usage: kosum {{{' | '.join(COMMANDS)}}} ... (kosum summarize --help); got {' '.join(args)!r}")
