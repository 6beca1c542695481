"""DVC stages `train_qlora@<name>`: (Q)LoRA fine-tuning of the causal LM of params.yaml `models.qlora.<name>` with
the shared `train` schedule, `prompt`, `lora` and configs/qlora.yaml, the entry's own values on top."""

from __future__ import annotations

import argparse
from pathlib import Path

from kosum.core.config.loader import load_file
from kosum.core.config.params import Params
from kosum.core.config.recipes import QloraConfig, causal_job
from kosum.core.model_refs import check_model_reference
from kosum.core.stage import run_stage
from kosum.models.training.causal import train_causal


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("recipe", type=Path, help="configs/qlora.yaml")
    parser.add_argument("data_dir", type=Path, help="processed splits (train.csv, dev.csv)")
    parser.add_argument("out_dir", type=Path, help="LoRA adapter, tokenizer and kosum.json")
    parser.add_argument("live_dir", type=Path, help="DVCLive metrics and plots")
    parser.add_argument("--name", required=True, help="the model's name under params.yaml `models.qlora`")
    parser.add_argument("--checkpoints", type=Path, default=None, help="default: checkpoints/<name>")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args(argv)
    job = causal_job(load_file(Params, args.params), args.name, load_file(QloraConfig, args.recipe),
                     where=str(args.params))
    check_model_reference(job.model, f"{args.params} models.qlora.{args.name}")
    train_causal(job, args.data_dir, args.out_dir, args.live_dir, args.checkpoints or Path("checkpoints") / args.name)


if __name__ == "__main__":
    run_stage(main)
