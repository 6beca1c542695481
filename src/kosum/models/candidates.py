"""Prediction files: `fname,summary` CSVs for dev (scored locally) and test (the competition submission), and every
candidate summary (`candidates.csv`: split, fname, source, summary) for the ensemble."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pandas as pd
from transformers import set_seed

from kosum.core.config.decode import DecodeConfig
from kosum.core.errors import ConfigError
from kosum.core.io import PREDICTION_FILES, STOPS, write_prediction_folder
from kosum.data.reading import read_processed, sample_fnames, topic_list
from kosum.models.generation import Summarizer
from kosum.models.prompts import check_topics
from kosum.models.variants import input_variant, prompt_variant


def candidate_frame(summarizer: Summarizer, frame: pd.DataFrame, cfg: DecodeConfig,
                    at_cap: list[bool] | None = None, label: str = "") -> pd.DataFrame:
    """`fname,source,summary` for every candidate of every row of `frame`: source beam1.., sample1.. of the dialogue
    itself, then `<variant>:beam1..` for each test-time input variant (its summaries mapped back) and each prompt
    variant. `at_cap`, if given, is filled per row with whether its prediction (beam1) was cut by max_new_tokens;
    `label` (model and split) starts each progress bar's name, the candidate source ends it."""
    inputs, prompts = [input_variant(n) for n in cfg.tta], [prompt_variant(n) for n in cfg.prompt_variants]
    if prompts and not summarizer.causal:
        raise ConfigError(f"prompt_variants {list(cfg.prompt_variants)}: an encoder-decoder has no prompt to vary.")
    if any(not p.with_topic for p in prompts) and not summarizer.card.prompt.topic:
        raise ConfigError("prompt_variants no_topic: this model's prompt has no topic to leave out (configs/qlora.yaml "
                          "topic: false); remove the variant.")
    fnames, dialogues = list(frame["fname"]), list(frame["dialogue"])
    topics = topic_list(frame)
    found = summarizer.candidates(dialogues, topics, cfg, progress=True, at_cap=at_cap, label=f"{label} beams".strip())
    sources = [f"beam{i + 1}" for i in range(cfg.n_best)] + [f"sample{i + 1}" for i in range(cfg.samples)]
    rows = [(fname, source, text) for fname, texts in zip(fnames, found) for source, text in zip(sources, texts)]
    beams = replace(cfg, samples=0)
    for variant in inputs:
        found = summarizer.candidates([variant.rewrite(d) for d in dialogues], topics, beams, progress=True,
                                      label=f"{label} {variant.name}".strip())
        rows += _beams(variant.name, fnames, found, variant.restore)
    for prompt in prompts:
        asked = topics if prompt.with_topic else [None] * len(topics)
        found = summarizer.candidates(dialogues, asked, beams, progress=True, instruction_idx=prompt.instruction_idx,
                                      label=f"{label} {prompt.name}".strip())
        rows += _beams(prompt.name, fnames, found)
    return pd.DataFrame(rows, columns=["fname", "source", "summary"])


def _beams(name: str, fnames: list[str], found: list[list[str]], restore: Callable[[str], str] = str
           ) -> list[tuple[str, str, str]]:
    return [(fname, f"{name}:beam{i + 1}", restore(text)) for fname, texts in zip(fnames, found)
            for i, text in enumerate(texts)]


def predict_splits(summarizer: Summarizer, data_dir: Path, out_dir: Path, cfg: DecodeConfig) -> None:
    """Write `dev.csv`, `submission.csv` (the first beam of each dialogue, checked against the sample submission),
    `candidates.csv` and `stops.csv` (whether each prediction was cut by max_new_tokens) into `out_dir` together:
    all appear, or none changes."""
    if summarizer.causal:
        check_topics(summarizer.card.prompt, data_dir)
    set_seed(cfg.seed)
    summaries, everything, stops = {}, [], []
    for split in PREDICTION_FILES:
        frame, at_cap = read_processed(data_dir / f"{split}.csv"), []
        candidates = candidate_frame(summarizer, frame, cfg, at_cap, label=f"{out_dir.name} {split}")
        summaries[split] = candidates[candidates["source"] == "beam1"]
        everything.append(candidates.assign(split=split))
        stops.append(pd.DataFrame({"split": split, "fname": frame["fname"], "at_cap": at_cap}))
    write_prediction_folder(out_dir, summaries, pd.concat(everything)[["split", "fname", "source", "summary"]],
                            {STOPS: pd.concat(stops)}, sample=sample_fnames(data_dir))
