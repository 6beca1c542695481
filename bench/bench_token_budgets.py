"""Measurement: token budgets of the real vocabularies (tests/assets) on Korean dialogue summaries.

For each family with a real tokenizer file, kosum's own prompts and training examples are built for the embedded
corpus's train split (`data/processed/train.csv` after `dvc repro preprocess`): tokens per character of dialogues
and summaries, the longest prompt and summary, and the share the configured budgets (configs/qlora.yaml
`max_prompt_len`, `max_summary_len`; configs/seq2seq.yaml `encoder_max_len`, `decoder_max_len`) would cut. Then the
competition's published lengths (dialogue mean ~420 characters, up to ~2,300; summary mean ~86) are converted with
each vocabulary's measured tokens per character, plus the template's fixed prompt tokens. Not a speed benchmark:
the numbers depend on the vocabularies only. Writes `bench/results/token_budgets.json`.
Run: .venv/bin/python bench/bench_token_budgets.py
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from common import write_result

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests/real_tokenizers.py loads the vendored files

from kosum.core.config.loader import load_file  # noqa: E402
from kosum.core.config.params import Params  # noqa: E402
from kosum.core.config.recipes import QloraConfig, Seq2SeqConfig, prompt_config  # noqa: E402
from kosum.data.reading import read_processed  # noqa: E402
from kosum.data.tokenizer import add_tags  # noqa: E402
from kosum.models.budgets import Lengths, cut_count  # noqa: E402
from kosum.models.prompts import prompt_ids, training_examples  # noqa: E402
from kosum.models.seq2seq_inputs import encoder_ids, label_ids  # noqa: E402
from tests.real_tokenizers import REAL_FAMILIES, generation_eos_ids, real_tokenizer  # noqa: E402

COMPETITION = {"dialogue_mean_chars": 420, "dialogue_max_chars": 2300, "summary_mean_chars": 86}
UNLIMITED = 1 << 30


def _causal(name: str, rows: list[dict], prompt) -> dict:
    from kosum.models.chat_format import ready_for_chat

    tokenizer = real_tokenizer(name)
    tokenizer = ready_for_chat(tokenizer, model_stops=generation_eos_ids(name, tokenizer))
    lengths = Lengths()
    training_examples(tokenizer, rows, prompt, lengths)
    fixed = len(prompt_ids(tokenizer, "", rows[0].get("topic"), prompt))  # the template, system prompt, question
    return _figures(lengths, rows, fixed, prompt.max_prompt_len, prompt.max_summary_len, end_tokens=1)


def _kobart(rows: list[dict], recipe: Seq2SeqConfig) -> dict:
    tokenizer = real_tokenizer("kobart")
    add_tags(tokenizer)
    lengths = Lengths([len(encoder_ids(tokenizer, r["dialogue"], UNLIMITED)) for r in rows],
                      [len(label_ids(tokenizer, r["summary"], UNLIMITED)) for r in rows])
    return _figures(lengths, rows, 2, recipe.encoder_max_len, recipe.decoder_max_len, end_tokens=1)


def _figures(lengths: Lengths, rows: list[dict], fixed: int, prompt_limit: int, summary_limit: int,
             end_tokens: int) -> dict:
    dialogue_chars = sum(len(r["dialogue"]) for r in rows)
    summary_chars = sum(len(r["summary"]) for r in rows)
    per_char_dialogue = (sum(lengths.prompts) - fixed * len(rows)) / dialogue_chars
    per_char_summary = (sum(lengths.summaries) - end_tokens * len(rows)) / summary_chars
    return {
        "tokens_per_char_dialogue": round(per_char_dialogue, 3),
        "tokens_per_char_summary": round(per_char_summary, 3),
        "fixed_prompt_tokens": fixed,
        "embedded": {
            "prompt_mean": round(statistics.mean(lengths.prompts), 1), "prompt_max": max(lengths.prompts),
            "summary_mean": round(statistics.mean(lengths.summaries), 1), "summary_max": max(lengths.summaries),
            "prompt_cut_share": cut_count(lengths.prompts, prompt_limit) / len(rows),
            "summary_cut_share": cut_count(lengths.summaries, summary_limit) / len(rows),
        },
        "competition": {
            "prompt_mean": round(fixed + per_char_dialogue * COMPETITION["dialogue_mean_chars"]),
            "prompt_longest": round(fixed + per_char_dialogue * COMPETITION["dialogue_max_chars"]),
            "summary_mean": round(end_tokens + per_char_summary * COMPETITION["summary_mean_chars"]),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--families", nargs="+", default=sorted(REAL_FAMILIES), choices=sorted(REAL_FAMILIES))
    chosen = parser.parse_args().families
    rows = read_processed(Path("data/processed/train.csv")).to_dict("records")
    prompt = prompt_config(load_file(Params, "params.yaml").prompt,
                           load_file(QloraConfig, "configs/qlora.yaml"))
    recipe = load_file(Seq2SeqConfig, "configs/seq2seq.yaml")
    families = {name: _causal(name, rows, prompt) for name in chosen if REAL_FAMILIES[name].vocab != "kobart"}
    if "kobart" in chosen:
        families["kobart"] = _kobart(rows, recipe)
    result = {"rows": len(rows), "competition_lengths": COMPETITION,
              "budgets": {"max_prompt_len": prompt.max_prompt_len, "max_summary_len": prompt.max_summary_len,
                          "encoder_max_len": recipe.encoder_max_len, "decoder_max_len": recipe.decoder_max_len},
              "families": {name: {**figures, "stand_in": REAL_FAMILIES[name].stand_in}
                           for name, figures in families.items()}}
    path = write_result("token_budgets", result)
    for name, figures in families.items():
        print(name, figures["tokens_per_char_dialogue"], figures["embedded"], figures["competition"])
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
