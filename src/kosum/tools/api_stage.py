"""Zero-shot summaries from an OpenAI-compatible chat-completions endpoint (api/dvc.yaml), prompted exactly as the
LLM stages prompt (`prompts.messages`: same style, system prompt and topic) and cleaned as their output is.

Why the dialogue is never cut here: kosum has no tokenizer of a remote model to count its context; the competition's
dialogues fit any current API's window, and an endpoint that refuses one answers 400, which fails at once.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kosum.core.config.recipes import PromptConfig
from kosum.core.io import PREDICTION_FILES, write_prediction_folder
from kosum.data.reading import read_processed, sample_fnames, topic_list
from kosum.models.generation import clean_summary
from kosum.models.prompts import messages
from kosum.tools.api_client import Endpoint, Messages, ResponseCache, cache_key, complete_all


def conversations(frame: pd.DataFrame, prompt: PromptConfig) -> list[Messages]:
    """The chat messages for every row of a processed split."""
    return [messages(d, t, prompt) for d, t in zip(frame["dialogue"], topic_list(frame), strict=True)]


def predict_api(endpoint: Endpoint, prompt: PromptConfig, data_dir: Path, out_dir: Path,
                cache: ResponseCache) -> dict[str, int]:
    """Write `dev.csv`, `submission.csv` and `candidates.csv` (beam1 only) like `predict` does; return how many
    answers came from the cache and how many were asked for."""
    counts, summaries = {"cached": 0, "asked": 0}, {}
    for split in PREDICTION_FILES:
        frame = read_processed(data_dir / f"{split}.csv")
        asks = conversations(frame, prompt)
        cached = sum(cache_key(endpoint, m) in cache for m in asks)
        counts["cached"] += cached
        counts["asked"] += len(asks) - cached
        summaries[split] = pd.DataFrame({"fname": frame["fname"],
                                         "summary": [clean_summary(a) for a in complete_all(endpoint, asks, cache)]})
    rows = [answers.assign(split=split, source="beam1") for split, answers in summaries.items()]
    write_prediction_folder(out_dir, summaries, pd.concat(rows)[["split", "fname", "source", "summary"]],
                            sample=sample_fnames(data_dir))
    return counts
