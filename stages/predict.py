"""DVC stages `predict@<model>` and `predict_zero_shot@<model>`: summarise dev and test; write dev.csv and the
submission (fname,summary in test order)."""

from __future__ import annotations

import argparse
from pathlib import Path

from kosum.cli import run_stage
from kosum.config import CausalRecipe, Params, load_decode, load_file, prompt_config
from kosum.generation import load_summarizer
from kosum.predictions import predict_splits


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("decode", type=Path, help="configs/decode.yaml")
    parser.add_argument("model", help="a folder written by a train stage, or (with --zero-shot) any causal LM")
    parser.add_argument("data_dir", type=Path, help="processed splits (dev.csv, test.csv)")
    parser.add_argument("out_dir", type=Path, help="dev.csv and submission.csv (fname,summary)")
    parser.add_argument("--name", required=True, help="the model's name: its section in the decode file")
    parser.add_argument("--zero-shot", type=Path, metavar="RECIPE",
                        help="configs/qlora.yaml: prompt an untuned causal LM as the fine-tuned ones are prompted")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args(argv)
    prompt = None
    if args.zero_shot:
        prompt = prompt_config(load_file(Params, args.params).prompt, load_file(CausalRecipe, args.zero_shot))
    decode = load_decode(args.decode, args.name)
    predict_splits(load_summarizer(args.model, prompt), args.data_dir, args.out_dir, decode)


if __name__ == "__main__":
    run_stage(main)
