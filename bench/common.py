"""What every benchmark records beside its numbers: machine, library versions, date; and where results go."""

from __future__ import annotations

import datetime
import json
import os
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

# KOSUM_BENCH_RESULTS: another folder (the CI smoke run, tests/test_bench.py, never touches the committed results)
DEFAULT_RESULTS = Path(__file__).parent / "results"
RESULTS = Path(os.environ.get("KOSUM_BENCH_RESULTS") or DEFAULT_RESULTS)
CPUINFO = Path("/proc/cpuinfo")
PACKAGES = ("torch", "transformers", "peft", "trl", "accelerate", "bitsandbytes", "dvc", "python-mecab-ko",
            "python-mecab-ko-dic", "rouge")


def environment() -> dict[str, Any]:
    """Machine, versions and date: absolute numbers mean nothing without them (ratios travel better)."""
    versions = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    machine: dict[str, Any] = {"processor": platform.processor() or platform.machine(), "cpu_count": os.cpu_count(),
                               **cpu_features()}
    try:
        import torch

        machine["torch_threads"] = torch.get_num_threads()
        machine["cpu_capability"] = torch.backends.cpu.get_cpu_capability()
        if torch.cuda.is_available():
            machine["gpu"] = torch.cuda.get_device_name()
    except ImportError:
        pass
    return {"machine": machine, "versions": versions, "date": datetime.date.today().isoformat()}


def cpu_features(cpuinfo: Path = CPUINFO) -> dict[str, Any]:
    """The CPU's model and whether it has AVX512-BF16: speed and training results depend on the CPU type (PyTorch
    picks kernels by instruction set), not only on the core count. None where /proc/cpuinfo is unreadable or lacks
    the field (ARM has no `flags`)."""
    try:
        first_cpu = cpuinfo.read_text(encoding="utf-8", errors="replace").split("\n\n", 1)[0]
    except OSError:
        first_cpu = ""
    fields: dict[str, str] = {}
    for line in first_cpu.splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    flags = fields.get("flags")
    return {"cpu_model": fields.get("model name"),
            "avx512_bf16": None if flags is None else "avx512_bf16" in flags.split()}


def write_result(name: str, result: dict[str, Any]) -> Path:
    """`bench/results/<name>.json`, written whole (temp file, then rename)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({**result, **environment()}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path
