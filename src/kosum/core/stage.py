"""Stage-script plumbing: user errors print one sentence, not a traceback, and no library warning above it.

Kept free of model code: every stage imports it, so anything it imported would become a dependency of every stage.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from kosum.core.errors import ConfigError, DataError
from kosum.core.library_warnings import route_library_warnings


def run_stage(main: Callable[[], None]) -> None:
    """Run a stage's `main`; configuration and data errors exit with status 1 and their message."""
    route_library_warnings()
    try:
        main()
    except (ConfigError, DataError) as err:
        sys.exit(f"error: {err}")
