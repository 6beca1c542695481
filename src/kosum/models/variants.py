"""Test-time variants of a model's input: more candidates for the ensemble from the same model.

Input variants (any model) rewrite the dialogue; prompt variants (causal LMs) ask for the same summary in other
words. Each input variant rewrites the dialogue and maps the summary written for the rewrite back to the original dialogue's
terms. `swap_speakers` keeps every fact (the two speakers trade tags, the summary trades them back, Korean particles
follow the tag's reading); `reorder`, `synonym` and `mask` are the perturbations of the design kosum follows, kept as
ablations whose measured effect the README reports. The perturbations are seeded per dialogue, so a variant's
candidates do not depend on batch order.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from kosum.core.errors import ConfigError
from kosum.data.corpus.josa import retag

# Everyday words of the corpus and a synonym each (the `synonym` ablation).
SYNONYMS = {"지금": "이제", "정말": "진짜", "조금": "약간", "빨리": "얼른", "같이": "함께", "괜찮아요": "좋아요",
            "내일": "다음 날", "오늘": "금일", "아마": "어쩌면", "그럼": "그러면"}
MASK = "…"


@dataclass(frozen=True)
class InputVariant:
    """How one variant rewrites a dialogue, and how a summary of the rewrite maps back."""

    name: str
    rewrite: Callable[[str], str]
    restore: Callable[[str], str]


def swap_tags(text: str) -> str:
    """#Person1# <-> #Person2#, with each following particle in the form the new tag's reading takes (#Person1# reads
    원, a final consonant; #Person2# 투, none; the corpus's own agreement rules)."""
    return retag(text, {1: 2, 2: 1})


def _rng(dialogue: str) -> random.Random:
    return random.Random(zlib.crc32(dialogue.encode()))


def reorder_turns(dialogue: str) -> str:
    """Shuffle the turns (facts stay, their order and who answers whom do not)."""
    turns = dialogue.split("\n")
    _rng(dialogue).shuffle(turns)
    return "\n".join(turns)


def replace_synonyms(dialogue: str) -> str:
    """Replace every listed everyday word by its synonym."""
    for word, synonym in SYNONYMS.items():
        dialogue = dialogue.replace(word, synonym)
    return dialogue


def mask_words(dialogue: str, share: float = 0.15) -> str:
    """Mask a seeded `share` of the words after each speaker tag."""
    rng = _rng(dialogue)
    turns = []
    for turn in dialogue.split("\n"):
        tag, sep, words = turn.partition(": ")
        masked = [MASK if rng.random() < share else w for w in words.split(" ")]
        turns.append(tag + sep + " ".join(masked) if sep else turn)
    return "\n".join(turns)


def _same(text: str) -> str:
    return text


VARIANTS = {
    "swap_speakers": InputVariant("swap_speakers", swap_tags, swap_tags),
    "reorder": InputVariant("reorder", reorder_turns, _same),
    "synonym": InputVariant("synonym", replace_synonyms, _same),
    "mask": InputVariant("mask", mask_words, _same),
}


def input_variant(name: str) -> InputVariant:
    """The variant called `name` (configs/decode.yaml `tta`)."""
    if name not in VARIANTS:
        raise ConfigError(f"unknown test-time variant {name!r}; known: {sorted(VARIANTS)}")
    return VARIANTS[name]


@dataclass(frozen=True)
class PromptVariant:
    """A causal LM's prompt asked another way: without the topic, or with a paraphrased instruction."""

    name: str
    with_topic: bool = True
    instruction_idx: int = 0  # kosum.models.prompts.INSTRUCTIONS (the `instruction` style's wording)


PROMPT_VARIANTS = {"no_topic": PromptVariant("no_topic", with_topic=False),
                   **{f"instruction{k}": PromptVariant(f"instruction{k}", instruction_idx=k) for k in range(1, 5)}}


def prompt_variant(name: str) -> PromptVariant:
    """The prompt variant called `name` (configs/decode.yaml `prompt_variants`)."""
    if name not in PROMPT_VARIANTS:
        raise ConfigError(f"unknown prompt variant {name!r}; known: {sorted(PROMPT_VARIANTS)}")
    return PROMPT_VARIANTS[name]
