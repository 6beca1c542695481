"""`python -m kosum.models.training.launch`: `accelerate launch` (same arguments) with a CPU thread count that fits the processes.

Why: accelerate's launcher sets OMP_NUM_THREADS in every process it starts, to 1 unless the variable is already set,
so even a single training process on a CPU ran on one core (seen on the 2-core box: OMP_NUM_THREADS=1 in the stage,
load average 1.0, and other floats, as they follow the thread count). This passes `--num_cpu_threads_per_process`:
the user's OMP_NUM_THREADS when set (the README's advice for `dvc queue start -j 2`), else PyTorch's own default
divided by the processes of this machine, so one process computes exactly as `python stages/...` does.
"""

from __future__ import annotations

import os

import torch
from accelerate.commands.launch import launch_command, launch_command_parser


def cpu_threads(processes: int, machines: int = 1) -> int:
    """Threads per process: OMP_NUM_THREADS if set, else torch's default shared among this machine's processes."""
    given = os.environ.get("OMP_NUM_THREADS")
    if given:
        return int(given)
    return max(1, torch.get_num_threads() // max(1, processes // max(1, machines)))


def main(argv: list[str] | None = None) -> None:
    args = launch_command_parser().parse_args(argv)
    if args.num_cpu_threads_per_process is None:
        args.num_cpu_threads_per_process = cpu_threads(args.num_processes or 1, args.num_machines or 1)
    launch_command(args)


if __name__ == "__main__":
    main()
