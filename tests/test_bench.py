"""Every benchmark runs, on the tiny profile, in seconds: a refactor that breaks one fails the suite.

Each script runs as a user runs it (its own process, in a project after `dvc repro`: the tiny baseline of
tests/dvc_project.py) with the smallest sizes its options allow, writing its result into a temporary folder
(KOSUM_BENCH_RESULTS), never over the committed bench/results.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.dvc_project import ENV, tiny_project
from tests.processes import run

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900),
              pytest.mark.skipif(shutil.which("git") is None, reason="needs git")]
BENCH = Path(__file__).resolve().parents[1] / "bench"
SMOKE = {  # script: (arguments, the result's name, keys it must have)
    "bench_metrics.py": (["--pairs", "40"], "metrics", {"pairs", "seconds", "pairs_per_s"}),
    "bench_mbr.py": (["--dialogues", "4", "--per-dialogue", "2", "--naive-dialogues", "2"], "mbr",
                     {"seconds", "speedup"}),
    "bench_predict.py": (["--dialogues", "2", "--rounds", "1"], "predict", {"models"}),
    "bench_packing.py": (["--examples", "8", "--batch-size", "4", "--rounds", "1"], "packing", {"modes"}),
    "bench_trl.py": (["--steps", "1", "--rounds", "1", "--dev-sample", "2"], "trl_peer", {"trainers", "kosum_vs_trl"}),
    "bench_token_budgets.py": (["--families", "kobart"], "token_budgets", {"families", "budgets"}),
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory):
    yield from tiny_project(tmp_path_factory, "bench")


def _bench(script: str, args: list[str], cwd: Path, results: Path) -> str:
    done = run([sys.executable, str(BENCH / script), *args], 600, cwd=cwd,
               env={**ENV, "KOSUM_BENCH_RESULTS": str(results)})
    assert done.returncode == 0, f"{script} failed:\n{done.stdout}\n{done.stderr}"
    assert "kernels-community" not in done.stderr, f"{script}: bitsandbytes' kernel warning is not silenced"
    return done.stdout


def test_every_benchmark_runs_on_the_tiny_profile_and_the_report_renders(project, tmp_path):
    committed = {p.name: p.read_bytes() for p in (BENCH / "results").glob("*.json")}
    report = (BENCH / "RESULTS.md").read_bytes()
    runs = [(script, args) for script, (args, _, _) in SMOKE.items()]
    runs.append(("bench_pipeline.py", ["--project", str(project), "--stages", "corpus"]))
    with ThreadPoolExecutor(2) as pool:  # two at a time: mostly single-threaded imports and tiny models
        list(pool.map(lambda run: _bench(run[0], run[1], project, tmp_path), runs))
    for script, (_, name, keys) in SMOKE.items():
        result = json.loads((tmp_path / f"{name}.json").read_text())
        assert keys <= set(result), (script, sorted(result))
    pipeline = json.loads((tmp_path / "pipeline.json").read_text())
    assert set(pipeline["stages"]) == {"corpus"} and pipeline["noop_repro_seconds"] >= 0
    _bench("report.py", [], project, tmp_path)
    rendered = (tmp_path / "RESULTS.md").read_text()
    assert "Token budgets of the real vocabularies" in rendered and "Not run yet" in rendered  # the GPU benchmark
    assert {p.name: p.read_bytes() for p in (BENCH / "results").glob("*.json")} == committed
    assert (BENCH / "RESULTS.md").read_bytes() == report
    assert os.environ.get("KOSUM_BENCH_RESULTS") is None
