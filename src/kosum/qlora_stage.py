"""The one body of the `train_llama_qlora` and `train_qwen_qlora` stages: they differ only in the params section."""

from __future__ import annotations

import argparse
from pathlib import Path

from kosum.causal import train_causal
from kosum.config import CausalConfig, load_section


def qlora_stage(section: str, argv: list[str] | None) -> None:
    """Parse the stage's arguments, read `section` of params.yaml and fine-tune."""
    parser = argparse.ArgumentParser(description=f"DVC stage `{section}`: (Q)LoRA fine-tuning of a causal LM.")
    parser.add_argument("data_dir", type=Path, help="processed splits (train.csv, dev.csv)")
    parser.add_argument("out_dir", type=Path, help="LoRA adapter, tokenizer and kosum.json")
    parser.add_argument("live_dir", type=Path, help="DVCLive metrics and plots")
    parser.add_argument("--checkpoints", type=Path, default=Path("checkpoints") / section)
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args(argv)
    cfg = load_section(CausalConfig, args.params, section)
    train_causal(cfg, args.data_dir, args.out_dir, args.live_dir, args.checkpoints)
