"""Benchmark: the embedded-default pipeline from a clean cache, stage by stage, then a no-op `dvc repro`.

Clones the committed project (HEAD) into a temporary folder, so nothing is cached, and runs `dvc repro -s <stage>`
for each stage in dvc.yaml order under `/usr/bin/time`: wall time and peak RSS (the largest process: the stage's
Python) per stage. Then a second, no-op `dvc repro`. The stages run this venv's Python with the clone's `src` first
on the path. Keep the machine otherwise idle: the stages use both cores.
Writes `bench/results/pipeline.json`.
Run: .venv/bin/python bench/bench_pipeline.py
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from functools import reduce
from operator import getitem
from pathlib import Path

import yaml
from common import write_result

ROOT = Path(__file__).resolve().parents[1]
TARGET_TOTAL_S, TARGET_NOOP_S = 600.0, 10.0


def stage_names(dvc_yaml: Path) -> list[str]:
    """Stages in file order (already an order that satisfies dependencies), `foreach` expanded as DVC names them:
    `stage@item` for a list, `stage@key` for a mapping, written inline or as `${key}` of params.yaml."""
    params = yaml.safe_load((dvc_yaml.parent / "params.yaml").read_text(encoding="utf-8"))
    names = []
    for name, stage in yaml.safe_load(dvc_yaml.read_text(encoding="utf-8"))["stages"].items():
        if "foreach" not in stage:
            names.append(name)
            continue
        items = stage["foreach"]
        if isinstance(items, str):  # ${models.qlora}: a dotted path into params.yaml
            items = reduce(getitem, items.removeprefix("${").removesuffix("}").split("."), params)
        names += [f"{name}@{item}" for item in items]
    return names


def timed(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of a command and everything it waited for."""
    done = subprocess.run(["/usr/bin/time", "-f", "%e %M", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    seconds, kib = done.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kib) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", type=Path, help="also copy the finished clone (with its DVC cache) here")
    parser.add_argument("--project", type=Path, default=ROOT, help="the git repository to clone (default: kosum)")
    parser.add_argument("--stages", nargs="+", help="only these stages, in dvc.yaml order (default: all)")
    args = parser.parse_args()
    venv_bin = Path(sys.executable).parent
    with tempfile.TemporaryDirectory(prefix="kosum-pipeline-") as tmp:
        clone = Path(tmp) / "kosum"
        subprocess.run(["git", "clone", "-q", str(args.project), str(clone)], check=True)
        env = {**os.environ, "PATH": f"{venv_bin}:{os.environ['PATH']}", "PYTHONPATH": str(clone / "src")}
        stages = {}
        start = time.perf_counter()
        names = [n for n in stage_names(clone / "dvc.yaml") if not args.stages or n in args.stages]
        for name in names:
            seconds, rss = timed([str(venv_bin / "dvc"), "repro", "-s", name], clone, env)
            stages[name] = {"seconds": round(seconds, 1), "peak_rss_mib": round(rss)}
            print(f"{name:<28}{seconds:>8.1f} s{rss:>9.0f} MiB", flush=True)
        total = time.perf_counter() - start
        noop, _ = timed([str(venv_bin / "dvc"), "repro", *(["-s", *names] if args.stages else [])], clone, env)
        board = clone / "metrics" / "leaderboard.md"
        leaderboard = board.read_text(encoding="utf-8") if board.exists() else None
        if args.keep:
            shutil.copytree(clone, args.keep, symlinks=True)
    print(f"{'total':<28}{total:>8.1f} s\n{'no-op dvc repro':<28}{noop:>8.1f} s")
    result = {
        "stages": stages,
        "total_seconds": round(total, 1),
        "noop_repro_seconds": round(noop, 1),
        "targets": {"total_seconds": TARGET_TOTAL_S, "noop_repro_seconds": TARGET_NOOP_S},
        "meets_targets": {"total": total <= TARGET_TOTAL_S, "noop": noop <= TARGET_NOOP_S},
        "leaderboard": leaderboard,
    }
    print(f"wrote {write_result('pipeline', result)}")


if __name__ == "__main__":
    main()
