"""DVC stage `base@<name>`: pretrain an embedded Llama/Qwen3 base (configs/embedded.yaml `bases.<name>`) on the train
split's text: the stand-in for a hub checkpoint, so the QLoRA stages adapt a base that already knows Korean dialogue."""

from __future__ import annotations

import argparse
from pathlib import Path

from kosum.core.config.embedded import EmbeddedConfig
from kosum.core.config.loader import load_file
from kosum.core.stage import run_stage
from kosum.models.training.causal import pretrain_base


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("embedded", type=Path, help="configs/embedded.yaml (`pretrain` and `bases`)")
    parser.add_argument("data_dir", type=Path, help="processed splits (train.csv, dev.csv)")
    parser.add_argument("tokenizer_dir", type=Path, help="the preprocess tokenizer; the family's chat format is added")
    parser.add_argument("out_dir", type=Path, help="base model and tokenizer, loadable with from_pretrained")
    parser.add_argument("live_dir", type=Path, help="DVCLive metrics and plots")
    parser.add_argument("--base", required=True, help="name under `bases`, e.g. llama")
    parser.add_argument("--checkpoints", type=Path, default=None, help="default: checkpoints/base_<name>")
    args = parser.parse_args(argv)
    cfg = load_file(EmbeddedConfig, args.embedded)
    checkpoints = args.checkpoints or Path("checkpoints") / f"base_{args.base}"
    pretrain_base(cfg.base(args.base), cfg.pretrain, args.data_dir, args.tokenizer_dir, args.out_dir,
                  args.live_dir, checkpoints)


if __name__ == "__main__":
    run_stage(main)
