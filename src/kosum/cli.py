"""The `kosum` console script: `kosum summarize ...` (the pipeline itself runs through `dvc repro`)."""

from __future__ import annotations

import sys

from kosum.core.stage import run_stage

COMMANDS = ("summarize",)


def main() -> None:
    command, *rest = sys.argv[1:] or ["--help"]
    if command not in COMMANDS:
        sys.exit(f"usage: kosum {{{','.join(COMMANDS)}}} ... (kosum summarize --help); got {command!r}")
    # imported here: the model stack loads only for a command that needs it
    from kosum import summarize

    run_stage(lambda: summarize.main(rest))
