"""Training launched as 2 processes (gloo on CPU) through `kosum.launch` (accelerate launch) with the shipped DDP config,
as dvc.yaml launches it, equals 1 process with the same global batch, and writes exactly one set of outputs."""

import json
import os
import shutil
import subprocess
import sys

import pandas as pd
import pytest
import torch
from safetensors.torch import load_file

from kosum.launch import cpu_threads
from stages import train_kobart, train_llama_qlora
from tests.conftest import ROOT, save_tiny_base, write_merged

STEPS = {"max_steps": 4, "eval_steps": 4, "warmup_ratio": 0.0}


def _launch_two(script: str, argv: list[str]) -> None:
    """Run a stage script as 2 CPU processes the way dvc.yaml does; fail with their output if it fails."""
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    cmd = [sys.executable, "-m", "kosum.launch", "--config_file", str(ROOT / "configs/accelerate/ddp.yaml"),
           "--num_processes", "2", str(ROOT / "stages" / script), *argv]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def _curve(live, name: str) -> list[float]:
    return list(pd.read_csv(live / f"plots/metrics/{name}.tsv", sep="\t")[name.split("/")[-1]])


def _runs(workspace, tmp_path, name: str, script: str, stage, argv, recipe: str, models: dict):
    """The stage run once as 2 processes with batch 2 and once as 1 process with batch 4: their output folders."""
    runs = {}
    for processes, batch in ((2, 2), (1, 4)):  # 2 x 2 = 4: a length-grouped megabatch (50 x 2) is not all of the data
        root = tmp_path / f"{processes}p"
        root.mkdir()
        params = workspace.params_with(f"{name}_{processes}p", train={**STEPS, "batch_size": batch}, models=models)
        config = write_merged(workspace.configs / recipe, {"logging_steps": 1}, root / recipe)
        args = [str(config), *argv(root), "--checkpoints", str(root / "ckpt"), "--params", str(params)]
        _launch_two(script, args) if processes == 2 else stage.main(args)
        runs[processes] = root
    return runs


def _assert_same_training(runs, weights: str, gradient_free: str = "") -> None:
    """Same weights, loss and gradient-norm curves, and output files. Weights named with `gradient_free` are left
    out: a key bias shifts all of a query's attention logits equally, softmax ignores it, so its gradient is rounding
    noise, which Adam scales to learning-rate-sized steps in any two runs that sum in a different order."""
    one, two = runs[1], runs[2]
    a, b = load_file(one / "model" / weights), load_file(two / "model" / weights)
    assert a.keys() == b.keys()
    for key in a:
        if not (gradient_free and gradient_free in key):
            torch.testing.assert_close(b[key], a[key], atol=5e-5, rtol=1e-3, msg=key)
    for curve in ("loss", "grad_norm"):  # the loss scale too (Adam alone would hide a W-times smaller loss)
        assert _curve(two / "live", curve) == pytest.approx(_curve(one / "live", curve), rel=1e-3)
    assert sorted(p.name for p in (two / "model").iterdir()) == sorted(p.name for p in (one / "model").iterdir())
    assert not any((two / "ckpt").glob("*")), "the checkpoints of a finished run are removed once"
    assert json.loads((two / "model/kosum.json").read_text()) == json.loads((one / "model/kosum.json").read_text())


@pytest.mark.slow
def test_two_processes_train_the_qlora_adapter_one_process_trains(workspace, tmp_path):
    base = save_tiny_base("llama", tmp_path / "base")
    runs = _runs(workspace, tmp_path, "ddp_llama", "train_llama_qlora.py", train_llama_qlora,
                 lambda root: [str(workspace.processed), str(root / "model"), str(root / "live")],
                 "qlora.yaml", {"llama_qlora": str(base)})
    _assert_same_training(runs, "adapter_model.safetensors")


@pytest.mark.slow
def test_two_processes_train_kobart_as_one_process(workspace, tmp_path):
    # 8 copies of the train split: length grouping sorts megabatches of min(50, n / 4B) x B examples, which depend on
    # the per-device batch B only once n > 200 B
    data = tmp_path / "processed"
    shutil.copytree(workspace.processed, data)
    train = pd.read_csv(data / "train.csv", dtype=str, keep_default_na=False)
    pd.concat([train] * 8).to_csv(data / "train.csv", index=False)
    runs = _runs(workspace, tmp_path, "ddp_kobart", "train_kobart.py", train_kobart,
                 lambda root: [str(data), str(workspace.tokenizer), str(root / "model"), str(root / "live")],
                 "seq2seq.yaml", {"kobart": "embedded"})
    _assert_same_training(runs, "model.safetensors", gradient_free="k_proj.bias")


def test_launch_gives_each_process_its_share_of_the_threads(monkeypatch):
    """accelerate alone would pin every process to 1 thread; a user's OMP_NUM_THREADS always wins."""
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(torch, "get_num_threads", lambda: 8)
    assert [cpu_threads(n) for n in (1, 2, 4, 16)] == [8, 4, 2, 1]
    assert cpu_threads(4, machines=2) == 4  # 2 processes on each machine
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert cpu_threads(1) == 1
