"""DVC stages `train_seq2seq@<name>`: fine-tune the encoder-decoder of params.yaml `models.seq2seq.<name>` (the
embedded BART, KoBART, pko-t5, mBART, ...) with the shared `train` schedule and configs/seq2seq.yaml, the entry's
own values on top."""

from __future__ import annotations

import argparse
from pathlib import Path

from kosum.core.config.loader import load_file
from kosum.core.config.params import Params
from kosum.core.config.recipes import Seq2SeqConfig, seq2seq_job
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
    parser.add_argument("--name", required=True, help="the model's name under params.yaml `models.seq2seq`")
    parser.add_argument("--checkpoints", type=Path, default=None, help="default: checkpoints/<name>")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args(argv)
    job = seq2seq_job(load_file(Params, args.params), args.name, load_file(Seq2SeqConfig, args.recipe),
                      where=str(args.params))
    check_model_reference(job.model, f"{args.params} models.seq2seq.{args.name}", embedded_ok=True)
    train_seq2seq(job.model, job.train, job.recipe, args.data_dir, args.tokenizer_dir, args.out_dir, args.live_dir,
                  args.checkpoints or Path("checkpoints") / args.name)


if __name__ == "__main__":
    run_stage(main)
