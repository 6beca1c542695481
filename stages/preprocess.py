"""DVC stage `preprocess`: validate and clean the raw CSVs; write processed splits (test in sample_submission.csv's
order, and that file itself where the raw folder has one), stats.json and the tokenizer."""

from __future__ import annotations

import argparse
from pathlib import Path

from kosum.core.config.embedded import EmbeddedConfig
from kosum.core.config.loader import load_file
from kosum.core.io import atomic_path, write_csv, write_json
from kosum.core.stage import run_stage
from kosum.data.reading import read_raw_dir
from kosum.data.stats import dataset_stats
from kosum.data.tokenizer import train_tokenizer


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("embedded", type=Path, help="configs/embedded.yaml (its `tokenizer` section)")
    parser.add_argument("raw_dir", type=Path, help="train/dev/test.csv: params.yaml preprocess.raw_dir")
    parser.add_argument("out_dir", type=Path, help="processed CSVs and stats.json")
    parser.add_argument("tokenizer_dir", type=Path)
    args = parser.parse_args(argv)
    cfg = load_file(EmbeddedConfig, args.embedded).tokenizer

    splits = read_raw_dir(args.raw_dir)
    train = splits["train"].frame
    tokenizer = train_tokenizer([*train["dialogue"], *train["summary"]], vocab_size=cfg.vocab_size,
                                min_frequency=cfg.min_frequency)
    with atomic_path(args.out_dir) as tmp:
        for name, split in splits.items():  # sample_submission.csv too: the order every submission is checked against
            write_csv(split.frame, tmp / f"{name}.csv")
        write_json(dataset_stats(splits), tmp / "stats.json")
    with atomic_path(args.tokenizer_dir) as tmp:
        tokenizer.save_pretrained(tmp)


if __name__ == "__main__":
    run_stage(main)
