"""DVC stage `train_kobart`: fine-tune the encoder-decoder named by params.yaml `models.kobart` (the embedded BART,
KoBART or another seq2seq checkpoint) with the shared `train` schedule and configs/seq2seq.yaml."""

from __future__ import annotations

import argparse
from pathlib import Path

from kosum.core.config.loader import load_file
from kosum.core.config.params import Params
from kosum.core.config.recipes import Seq2SeqConfig, model_entry
from kosum.core.model_refs import check_model_reference
from kosum.core.stage import run_stage
from kosum.models.training.seq2seq import train_seq2seq


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("recipe", type=Path, help="configs/seq2seq.yaml")
    parser.add_argument("data_dir", type=Path, help="processed splits (train.csv, dev.csv)")
    parser.add_argument("tokenizer_dir", type=Path, help="tokenizer of the embedded model")
    parser.add_argument("out_dir", type=Path, help="trained model, tokenizer and kosum.json")
    parser.add_argument("live_dir", type=Path, help="DVCLive metrics and plots")
    parser.add_argument("--name", default="kobart", help="the model's name in params.yaml `models`")
    parser.add_argument("--checkpoints", type=Path, default=None, help="default: checkpoints/<name>")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args(argv)
    params = load_file(Params, args.params)
    checkpoints = args.checkpoints or Path("checkpoints") / args.name
    model = model_entry(params, args.name)
    check_model_reference(model, f"{args.params} models.{args.name}", embedded_ok=True)
    train_seq2seq(model, params.train, load_file(Seq2SeqConfig, args.recipe),
                  args.data_dir, args.tokenizer_dir, args.out_dir, args.live_dir, checkpoints)


if __name__ == "__main__":
    run_stage(main)
