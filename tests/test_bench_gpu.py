"""bench/bench_gpu.py, the GPU benchmark of issue 41, runs on a CPU at tiny sizes, as a user runs it.

One run goes through every part once, each in its own process: the random checkpoints, 3B-shaped training with kosum's
trainer and TRL's, the SOLAR-shaped run and prediction from a saved adapter. Its result goes to a temporary folder
(KOSUM_BENCH_RESULTS), never over bench/results. No DVC project is needed: the script builds its own models and
data. The verdicts that exist only on a GPU (the targets, fitting a 24 GiB card) are checked on made-up CUDA rows.
"""

from __future__ import annotations

import importlib
import json
import math
import sys
from pathlib import Path

import pytest

from kosum.models.attention import PACKED_ATTENTION
from tests.conftest import ROOT
from tests.dvc_project import ENV
from tests.processes import run

BENCH = ROOT / "bench"
# One process per part: checkpointing on only, one SOLAR batch size, beam search only (greedy and the other settings
# are the same code with another value)
SMOKE = ["--tiny", "--checkpointing", "on", "--solar-batch-sizes", "1", "--beams", "4"]
KEYS = {"command", "device", "shapes", "parts", "steps", "warmup_steps", "torchtune", "targets", "training",
        "kosum_vs_trl", "solar", "prediction", "meets_targets", "errors", "build_seconds", "total_seconds", "machine",
        "versions", "date"}


def _positive(value: object) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value) and value > 0


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_gpu_benchmark_runs_every_part_on_a_cpu_at_tiny_sizes(tmp_path: Path):
    committed = sorted(p.name for p in (BENCH / "results").iterdir())
    done = run([sys.executable, str(BENCH / "bench_gpu.py"), *SMOKE], 540, cwd=ROOT,
               env={**ENV, "KOSUM_BENCH_RESULTS": str(tmp_path)})
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    assert "kernels-community" not in done.stderr, "bitsandbytes' kernel warning is not silenced"
    result = json.loads((tmp_path / "gpu_smoke.json").read_text())
    assert sorted(p.name for p in (BENCH / "results").iterdir()) == committed

    assert KEYS <= set(result), sorted(KEYS - set(result))
    assert result["errors"] == {} and "--tiny" in result["command"]
    assert result["device"]["cuda"] is None and result["meets_targets"] is None  # a CPU run claims nothing
    assert {name: s["vocab_size"] for name, s in result["shapes"].items()} == {"llama-3.2-3b": 128256,
                                                                               "solar-10.7b": 32000}
    assert set(result["training"]) == {"kosum, checkpointing on", "trl, checkpointing on"}
    assert set(result["solar"]) == {"batch 1"} and set(result["prediction"]) == {"beams 4"}
    for row in [*result["training"].values(), *result["solar"].values()]:
        assert row["measured_steps"] == result["steps"] - result["warmup_steps"] >= 1
        assert all(_positive(row[k]) for k in ("seconds", "real_tokens", "real_tokens_per_s", "peak_memory_gib",
                                                "train_loss")), row
        assert row["prompt_tokens_mean"] > row["summary_tokens_mean"] > 0 and row["gradient_checkpointing"]
    assert result["training"]["kosum, checkpointing on"]["attention"] == PACKED_ATTENTION
    assert result["training"]["trl, checkpointing on"]["attention"] == "sdpa"
    assert all(_positive(v) for v in result["kosum_vs_trl"]["checkpointing on"].values())
    assert result["solar"]["batch 1"]["fits_24_gib"] is None
    beams = result["prediction"]["beams 4"]
    assert beams["num_beams"] == 4 and beams["dialogues"] == 4
    assert _positive(beams["dialogues_per_s"]) and _positive(beams["peak_memory_gib"])


def _training(trainer: str, tokens_per_s: float, peak_gib: float) -> dict:
    return {"shape": "llama-3.2-3b", "trainer": trainer, "gradient_checkpointing": True,
            "real_tokens_per_s": tokens_per_s, "peak_memory_gib": peak_gib}


def _solar(batch_size: int, reserved_gib: float) -> dict:
    return {"shape": "solar-10.7b", "trainer": "kosum", "batch_size": batch_size, "peak_reserved_gib": reserved_gib}


@pytest.mark.parametrize(("kosum", "met"), [((9000.0, 5.0), True), ((7000.0, 6.5), False)])
def test_on_cuda_the_targets_and_the_24_gib_fit_are_judged(monkeypatch: pytest.MonkeyPatch, kosum, met):
    monkeypatch.syspath_prepend(str(BENCH))
    bench_gpu = importlib.import_module("bench_gpu")
    runs = [_training("kosum", *kosum), _training("trl", 3000.0, 10.0), _solar(1, 9.0), _solar(4, 23.5)]
    summary = bench_gpu.summarise(runs, {"device": {"cuda": "12.8"}})
    assert summary["meets_targets"] == {"torchtune_tokens_per_s": met, "peak_memory_gib": met,
                                        "ahead_of_trl": {"checkpointing on": True}}
    assert summary["kosum_vs_trl"]["checkpointing on"]["tokens_per_s"] == kosum[0] / 3000.0
    # 23.5 GiB reserved leaves no room for the CUDA context on a 24 GiB card
    assert [row["fits_24_gib"] for row in summary["solar"].values()] == [True, False]
    assert bench_gpu.summarise(runs, {"device": {"cuda": None}})["meets_targets"] is None
