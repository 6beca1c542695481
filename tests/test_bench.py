"""Every benchmark runs, on the tiny profile, in seconds: a refactor that breaks one fails the suite.

Each script runs as a user runs it (its own process, in a project after `dvc repro`: the tiny baseline of
tests/dvc_project.py) with the smallest sizes its options allow, writing its result into a temporary folder
(KOSUM_BENCH_RESULTS), never over the committed bench/results. A `sitecustomize` on PYTHONPATH watches every Python
process the benchmarks start (bench_trl's training runs included) and records whether kosum.models had silenced
bitsandbytes' kernel warning before bitsandbytes loaded: on every CPU, not only on those where the warning fires.
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
    "bench_token_budgets.py": (["--families", "kobart", "qwen3_hybrid"], "token_budgets", {"families", "budgets"}),
}
# Loaded by every Python process started with PYTHONPATH=<its folder>: logs each first import of bitsandbytes, and
# whether kosum.models' filter was already on the logger that warns.
WATCH_BITSANDBYTES = """
import json, logging, os, sys


class BitsandbytesWatch:
    def find_spec(self, name, path=None, target=None):
        if name == "bitsandbytes":
            filters = logging.getLogger("bitsandbytes.backends.cpu.ops").filters
            with open(os.environ["KOSUM_BITSANDBYTES_LOG"], "a", encoding="utf-8") as log:
                log.write(json.dumps({"argv": sys.orig_argv, "silenced": bool(filters)}) + "\\n")
        return None


sys.meta_path.insert(0, BitsandbytesWatch())
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory):
    yield from tiny_project(tmp_path_factory, "bench")


def _bench(script: str, args: list[str], cwd: Path, results: Path) -> str:
    watch = results / "watch"
    env = {**ENV, "KOSUM_BENCH_RESULTS": str(results), "KOSUM_BITSANDBYTES_LOG": str(watch / "bitsandbytes.jsonl"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(watch), ENV.get("PYTHONPATH")]))}
    done = run([sys.executable, str(BENCH / script), *args], 600, cwd=cwd, env=env)
    assert done.returncode == 0, f"{script} failed:\n{done.stdout}\n{done.stderr}"
    assert "kernels-community" not in done.stderr, f"{script}: bitsandbytes' kernel warning is not silenced"
    return done.stdout


def test_every_benchmark_runs_on_the_tiny_profile_and_the_report_renders(project, tmp_path):
    committed = {p.name: p.read_bytes() for p in (BENCH / "results").glob("*.json")}
    report = (BENCH / "RESULTS.md").read_bytes()
    (tmp_path / "watch").mkdir()
    (tmp_path / "watch" / "sitecustomize.py").write_text(WATCH_BITSANDBYTES, encoding="utf-8")
    runs = [(script, args) for script, (args, _, _) in SMOKE.items()]
    runs.append(("bench_pipeline.py", ["--project", str(project), "--stages", "corpus"]))
    with ThreadPoolExecutor(2) as pool:  # two at a time: mostly single-threaded imports and tiny models
        list(pool.map(lambda run: _bench(run[0], run[1], project, tmp_path), runs))
    for script, (_, name, keys) in SMOKE.items():
        result = json.loads((tmp_path / f"{name}.json").read_text())
        assert keys <= set(result), (script, sorted(result))
    imports = [json.loads(line) for line in (tmp_path / "watch" / "bitsandbytes.jsonl").read_text().splitlines()]
    assert all(i["silenced"] for i in imports), [i["argv"] for i in imports if not i["silenced"]]
    trl_runs = {i["argv"][i["argv"].index("--one") + 1] for i in imports if "--one" in i["argv"]}
    assert trl_runs == {"kosum", "trl"}, "bench_trl's training runs must be watched too"
    pipeline = json.loads((tmp_path / "pipeline.json").read_text())
    assert set(pipeline["stages"]) == {"corpus"} and pipeline["noop_repro_seconds"] >= 0
    _bench("report.py", [], project, tmp_path)
    rendered = (tmp_path / "RESULTS.md").read_text()
    assert "Token budgets of the real vocabularies" in rendered
    assert rendered.count("Not run yet") == 1  # the GPU benchmark; every other section rendered from a smoke result
    assert {p.name: p.read_bytes() for p in (BENCH / "results").glob("*.json")} == committed
    assert (BENCH / "RESULTS.md").read_bytes() == report
    assert os.environ.get("KOSUM_BENCH_RESULTS") is None
