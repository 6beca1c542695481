"""Warnings from other people's code go to a log file, not above kosum's one-line errors.

Why: a library warns at import or call time whatever kosum does (asyncssh 2.24 with cryptography 51 printed a
CryptographyDeprecationWarning above `kosum remote check`'s error), and a user reading the terminal cannot act on it.
kosum's own warnings still show; `python -W ...` or PYTHONWARNINGS turns the routing off, as the user asked to see
warnings. The log: $KOSUM_WARNINGS_LOG, else $XDG_CACHE_HOME/kosum/warnings.log (~/.cache/kosum/warnings.log).
"""

from __future__ import annotations

import os
import sys
import warnings
from datetime import datetime, timezone
from pathlib import Path

import kosum

LOG_ENV = "KOSUM_WARNINGS_LOG"
OWN = Path(kosum.__file__).resolve().parent


def warnings_log() -> Path:
    """Where library warnings are appended."""
    if os.environ.get(LOG_ENV):
        return Path(os.environ[LOG_ENV])
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "kosum" / "warnings.log"


def is_own(filename: str) -> bool:
    """A warning raised in kosum's package or beside the script run by path (a stage in stages/) is kosum's own;
    `python -m pkg` runs a package's file, which is not."""
    path = Path(filename).resolve()
    main = sys.modules.get("__main__")
    script = getattr(main, "__file__", None) if getattr(main, "__spec__", None) is None else None
    own_dirs = [OWN] + ([Path(script).resolve().parent] if script else [])
    return any(path.is_relative_to(folder) for folder in own_dirs)


def route_library_warnings() -> None:
    """From now on, warnings raised outside kosum are appended to `warnings_log()` instead of printed."""
    if sys.warnoptions:
        return
    show = warnings.showwarning
    if getattr(show, "kosum_routes", False):
        return

    def route(message, category, filename, lineno, file=None, line=None):  # noqa: ANN001 (warnings' signature)
        if is_own(filename):
            show(message, category, filename, lineno, file, line)
            return
        text = warnings.formatwarning(message, category, filename, lineno, line)
        stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
        try:
            log = warnings_log()
            log.parent.mkdir(parents=True, exist_ok=True)
            with log.open("a", encoding="utf-8") as out:
                out.write(f"{stamp} {' '.join(sys.argv)}\n{text}")
        except OSError:
            pass  # an unwritable log must not turn a warning into a failure, nor onto the terminal

    route.kosum_routes = True
    warnings.showwarning = route
