"""DVC stage `train_kobart`: fine-tune an encoder-decoder (KoBART or the embedded BART) on the processed data."""

from __future__ import annotations

import argparse
from pathlib import Path

from kosum.cli import run_stage
from kosum.config import Seq2SeqConfig, load_section
from kosum.seq2seq import train_seq2seq


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data_dir", type=Path, help="processed splits (train.csv, dev.csv)")
    parser.add_argument("tokenizer_dir", type=Path, help="tokenizer of the embedded model")
    parser.add_argument("out_dir", type=Path, help="trained model, tokenizer and kosum.json")
    parser.add_argument("live_dir", type=Path, help="DVCLive metrics and plots")
    parser.add_argument("--section", default="train_kobart", help="params section")
    parser.add_argument("--checkpoints", type=Path, default=None, help="default: checkpoints/<section>")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args(argv)
    cfg = load_section(Seq2SeqConfig, args.params, args.section)
    checkpoints = args.checkpoints or Path("checkpoints") / args.section
    train_seq2seq(cfg, args.data_dir, args.tokenizer_dir, args.out_dir, args.live_dir, checkpoints)


if __name__ == "__main__":
    run_stage(main)
