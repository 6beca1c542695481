"""DVC stages `predict@<model>` and `predict_zero_shot@<family>`: summarise dev and test; write dev.csv and the
submission (fname,summary in test order)."""

from __future__ import annotations

import argparse
from pathlib import Path

from kosum.cli import run_stage
from kosum.config import GenerateConfig, PromptConfig, load_section
from kosum.generation import load_summarizer
from kosum.predictions import predict_splits


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model", help="a folder written by a train stage, or (with --prompt-section) any causal LM")
    parser.add_argument("data_dir", type=Path, help="processed splits (dev.csv, test.csv)")
    parser.add_argument("out_dir", type=Path, help="dev.csv and submission.csv (fname,summary)")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    parser.add_argument("--section", required=True, help="params section with the decoding settings")
    parser.add_argument("--prompt-section", help="params section with a prompt config: zero-shot use of a base model")
    args = parser.parse_args(argv)
    cfg = load_section(GenerateConfig, args.params, args.section)
    prompt = load_section(PromptConfig, args.params, args.prompt_section) if args.prompt_section else None
    predict_splits(load_summarizer(args.model, prompt), args.data_dir, args.out_dir, cfg)


if __name__ == "__main__":
    run_stage(main)
