"""`python -m kosum.models.training.launch`: `accelerate launch` (same arguments) with a CPU thread count that fits the
processes, and params.yaml `launch` (the accelerate config and the process count) unless they are given.

Why: accelerate's launcher sets OMP_NUM_THREADS in every process it starts, to 1 unless the variable is already set,
so even a single training process on a CPU ran on one core (seen on the 2-core box: OMP_NUM_THREADS=1 in the stage,
load average 1.0, and other floats, as they follow the thread count). This passes `--num_cpu_threads_per_process`:
the user's OMP_NUM_THREADS when set (the README's advice for `dvc queue start -j 2`), else PyTorch's own default
divided by the processes of this machine, so one process computes exactly as `python stages/...` does. A failed
stage exits with its own status and its own one-line error, without the launcher's traceback under it.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
from pathlib import Path

import torch
from accelerate.commands.launch import launch_command, launch_command_parser
from torch.distributed.elastic.multiprocessing.errors import ChildFailedError

from kosum.core.config.loader import from_dict, load_params
from kosum.core.config.params import LaunchParams
from kosum.core.errors import ConfigError

PARAMS = Path("params.yaml")


def cpu_threads(processes: int, machines: int = 1) -> int:
    """Threads per process: OMP_NUM_THREADS if set, else torch's default shared among this machine's processes."""
    given = os.environ.get("OMP_NUM_THREADS")
    if given:
        return int(given)
    return max(1, torch.get_num_threads() // max(1, processes // max(1, machines)))


def _is_stage_error(record: logging.LogRecord) -> bool:
    """torchrun's log line for a process that exited with status 1: a stage's user error, already said in one line.
    Other statuses (a signal: -9 is the OOM killer) stay, as that line may be the only trace of them."""
    return "(exitcode: 1)" in record.getMessage()


def from_params(args: argparse.Namespace, params: Path = PARAMS) -> argparse.Namespace:
    """Without --config_file: configs/accelerate/<launch.config>.yaml and launch.processes from params.yaml, so
    dvc.yaml writes only `python -m kosum.models.training.launch <stage script> ...` (explicit arguments win)."""
    if args.config_file is None and params.is_file():
        launch = from_dict(LaunchParams, load_params(params).get("launch", {}), f"{params} launch")
        args.config_file = str(Path("configs/accelerate") / f"{launch.config}.yaml")
        args.num_processes = args.num_processes or launch.processes
    return args


def main(argv: list[str] | None = None) -> None:
    logging.getLogger("torch.distributed.elastic.multiprocessing.api").addFilter(lambda r: not _is_stage_error(r))
    try:
        args = from_params(launch_command_parser().parse_args(argv))
    except ConfigError as err:
        sys.exit(f"error: {err}")
    if args.num_cpu_threads_per_process is None:
        args.num_cpu_threads_per_process = cpu_threads(args.num_processes or 1, args.num_machines or 1)
    try:
        launch_command(args)
    except subprocess.CalledProcessError as err:  # one process: the stage has printed its own error
        sys.exit(err.returncode)
    except ChildFailedError as err:  # torchrun's: its report would bury the stage's one-line error
        sys.exit(next(iter(err.failures.values())).exitcode or 1)


if __name__ == "__main__":
    main()
