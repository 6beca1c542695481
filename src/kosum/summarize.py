"""`kosum summarize MODEL_DIR INPUT.csv OUTPUT.csv` (or `python -m kosum.summarize`): summarize a CSV of your own
dialogues with a model folder a train stage wrote, as `predict` does, outside the pipeline.

Why its own command: `predict` reads only the pipeline's processed splits. Here any CSV with a `dialogue` column
(`fname` and `topic` optional) is checked and cleaned as a raw split is (one-line errors naming file, row and
column), decoded with `configs/decode.yaml` (the `default` section and the model's own, named after its folder),
and written as `fname,summary` in one step: an interrupted or failed run leaves no partial output.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kosum.core.config.decode import check_summary_room, load_decode
from kosum.core.config.loader import load_file
from kosum.core.config.params import Params
from kosum.core.config.recipes import QloraConfig, prompt_config
from kosum.core.io import write_csv
from kosum.core.model_refs import check_model_reference
from kosum.core.stage import run_stage
from kosum.data.reading import DIALOGUES, read_split, topic_list
from kosum.models.generation import load_summarizer, model_card


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="kosum summarize", description=__doc__.split("\n\n")[0])
    parser.add_argument("model", type=Path, help="a folder written by a train stage (models/kobart, models/qwen_qlora)")
    parser.add_argument("input", type=Path, help="a CSV with a `dialogue` column; `fname` and `topic` optional")
    parser.add_argument("output", type=Path, help="the summaries: fname,summary")
    parser.add_argument("--decode", type=Path, default=Path("configs/decode.yaml"), help="decoding settings")
    parser.add_argument("--name", help="the decode file's section to use on top of `default` (default: the folder's "
                                       "name, e.g. kobart)")
    parser.add_argument("--zero-shot", type=Path, metavar="RECIPE",
                        help="configs/qlora.yaml: prompt an untuned causal LM (any folder) as the fine-tuned ones are")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"), help="its `prompt` section, zero-shot")
    args = parser.parse_args(argv)

    frame = read_split(args.input, "dialogues", DIALOGUES).frame  # checked before the model loads
    decode = load_decode(args.decode, args.name or args.model.name)
    prompt = None
    if args.zero_shot:
        prompt = prompt_config(load_file(Params, args.params).prompt, load_file(QloraConfig, args.zero_shot))
        check_model_reference(str(args.model), "kosum summarize MODEL")
    check_summary_room(decode, model_card(args.model, prompt), f"{args.decode}:{args.name or args.model.name}")
    summaries = load_summarizer(args.model, prompt).summarize(list(frame["dialogue"]), topic_list(frame), decode,
                                                              progress=True)
    write_csv(frame[["fname"]].assign(summary=summaries), args.output)
    print(f"{args.output}: {len(summaries)} summaries by {args.model}")


if __name__ == "__main__":
    run_stage(main)
