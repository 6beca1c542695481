"""What every benchmark records beside its numbers: machine, library versions, date; and where results go."""

from __future__ import annotations

import datetime
import json
import os
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
PACKAGES = ("torch", "transformers", "peft", "bitsandbytes", "dvc", "python-mecab-ko", "python-mecab-ko-dic", "rouge")


def environment() -> dict[str, Any]:
    """Machine, versions and date: absolute numbers mean nothing without them (ratios travel better)."""
    versions = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    machine: dict[str, Any] = {"processor": platform.processor() or platform.machine(), "cpu_count": os.cpu_count()}
    try:
        import torch

        machine["torch_threads"] = torch.get_num_threads()
        if torch.cuda.is_available():
            machine["gpu"] = torch.cuda.get_device_name()
    except ImportError:
        pass
    return {"machine": machine, "versions": versions, "date": datetime.date.today().isoformat()}


def write_result(name: str, result: dict[str, Any]) -> Path:
    """`bench/results/<name>.json`, written whole (temp file, then rename)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({**result, **environment()}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path
