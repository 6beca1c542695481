"""The one body of the `train_llama_qlora` and `train_qwen_qlora` stages: they differ only in the model's name."""

from __future__ import annotations

import argparse
from pathlib import Path

from kosum.causal import train_causal
from kosum.config import CausalRecipe, Params, causal_job, load_file


def qlora_stage(name: str, argv: list[str] | None) -> None:
    """Parse the stage's arguments and fine-tune params.yaml `models.<name>` with configs/qlora.yaml."""
    parser = argparse.ArgumentParser(description=f"DVC stage `train_{name}`: (Q)LoRA fine-tuning of a causal LM.")
    parser.add_argument("recipe", type=Path, help="configs/qlora.yaml")
    parser.add_argument("data_dir", type=Path, help="processed splits (train.csv, dev.csv)")
    parser.add_argument("out_dir", type=Path, help="LoRA adapter, tokenizer and kosum.json")
    parser.add_argument("live_dir", type=Path, help="DVCLive metrics and plots")
    parser.add_argument("--checkpoints", type=Path, default=Path("checkpoints") / name)
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args(argv)
    job = causal_job(load_file(Params, args.params), name, load_file(CausalRecipe, args.recipe))
    train_causal(job, args.data_dir, args.out_dir, args.live_dir, args.checkpoints)
