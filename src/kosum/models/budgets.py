"""Token budgets measured on the data: how many prompts and summaries a length limit cuts, with the model's own
tokenizer.

Why measure instead of trusting the defaults: the same Korean text takes 2-4 times more tokens in a 32k
SentencePiece vocabulary (byte fallback) than in Qwen's 151k one, so a budget that fits one model silently cuts
a quarter of the summaries of another. A cut prompt loses the end of a dialogue (kosum says how many); a cut
summary teaches the model to stop mid-sentence, so training refuses to start when more than `max_cut_share` of the
summaries would be cut, and names the key to raise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from kosum.core.errors import ConfigError


@dataclass
class Lengths:
    """Untruncated token lengths, filled while examples are built."""

    prompts: list[int] = field(default_factory=list)
    summaries: list[int] = field(default_factory=list)


def cut_count(lengths: list[int], limit: int) -> int:
    return sum(n > limit for n in lengths)


def needed(lengths: list[int], share: float) -> int:
    """The smallest limit that cuts at most `share` of `lengths`."""
    ranked = sorted(lengths)
    keep = math.ceil(len(ranked) * (1 - share))
    return ranked[keep - 1] if keep else 0


def describe(what: str, key: str, lengths: list[int], limit: int) -> str:
    """One line: how many of `lengths` the limit `key` = `limit` cuts, and the longest."""
    cut = cut_count(lengths, limit)
    share = cut / len(lengths) if lengths else 0.0
    longest = max(lengths, default=0)
    return f"{key}={limit} cuts {cut} of {len(lengths)} {what} ({share:.1%}; longest {longest} tokens)"


def check_summaries(lengths: list[int], *, key: str, limit: int, max_share: float, share_key: str) -> None:
    """Stop with one line naming `key` when more than `max_share` of the summaries are longer than `limit`."""
    cut = cut_count(lengths, limit)
    if lengths and cut / len(lengths) > max_share:
        raise ConfigError(
            f"{key}={limit} would cut {cut} of {len(lengths)} train summaries ({cut / len(lengths):.1%}, more than "
            f"{share_key}={max_share}); raise {key} to at least {needed(lengths, max_share)}."
        )


def report(lengths: Lengths, *, prompt_key: str, prompt_limit: int, summary_key: str, summary_limit: int,
           max_share: float, share_key: str) -> str:
    """The budgets' line for the stage's log; raises when the summary budget cuts too much."""
    line = "; ".join([describe("inputs (dialogue end dropped)", prompt_key, lengths.prompts, prompt_limit),
                      describe("summaries", summary_key, lengths.summaries, summary_limit)])
    check_summaries(lengths.summaries, key=summary_key, limit=summary_limit, max_share=max_share, share_key=share_key)
    return f"token budgets: {line}"
