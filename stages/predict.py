"""DVC stages `predict_seq2seq@<model>`, `predict_qlora@<model>` and `predict_zero_shot@<model>`: summarise dev and
test; write dev.csv and the submission (fname,summary in test order)."""

from __future__ import annotations

import argparse
from pathlib import Path

from kosum.core.config.decode import check_summary_room, load_decode
from kosum.core.config.loader import load_file
from kosum.core.config.params import Params
from kosum.core.config.recipes import QloraConfig, zero_shot_prompt
from kosum.core.model_refs import check_model_reference
from kosum.core.stage import run_stage
from kosum.models.candidates import predict_splits
from kosum.models.generation import load_summarizer, model_card


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
        prompt = zero_shot_prompt(load_file(Params, args.params), args.name, load_file(QloraConfig, args.zero_shot),
                                  where=str(args.params))
        check_model_reference(args.model, f"{args.params} zero_shot.{args.name}")
    decode = load_decode(args.decode, args.name)
    card = model_card(args.model, prompt)
    check_summary_room(decode, card, f"{args.decode}:{args.name}")
    if card.causal and card.base and prompt is None:
        check_model_reference(card.base, f"{args.model}/kosum.json base")
    predict_splits(load_summarizer(args.model, prompt), args.data_dir, args.out_dir, decode)


if __name__ == "__main__":
    run_stage(main)
