"""configs/decode.yaml: how each model generates (beams, samples, test-time variants)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kosum.core.config.card import ModelCard
from kosum.core.config.loader import check, from_dict, load_params


@dataclass(frozen=True)
class DecodeConfig:
    """Decoding settings of one model in `predict` (configs/decode.yaml: `default` merged with the model's entry;
    the defaults are `default`'s)."""

    num_beams: int = 1
    max_new_tokens: int = 96
    length_penalty: float = 1.0  # > 1 favours longer beams
    no_repeat_ngram_size: int = 0  # 0: off
    repetition_penalty: float = 1.0
    early_stopping: bool = True
    batch_size: int = 16
    block_non_korean: bool = True  # forbid tokens with Han, kana, Cyrillic, ... characters
    seed: int = 42
    n_best: int = 1  # candidates for the ensemble: the n best beams (the first is the prediction); <= num_beams
    samples: int = 0  # more candidates: seeded samples at `temperature` / `top_p`
    temperature: float = 0.7
    top_p: float = 0.95
    tta: tuple[str, ...] = ()  # input variants (kosum.models.variants), each adding its n_best beams of every dialogue
    prompt_variants: tuple[str, ...] = ()  # causal LMs: prompts asked another way (kosum.models.variants), n_best beams each

    def __post_init__(self) -> None:
        check(self.num_beams >= 1 and self.max_new_tokens >= 1 and self.batch_size >= 1,
              "num_beams, max_new_tokens and batch_size must be at least 1.")
        check(1 <= self.n_best <= self.num_beams, "n_best must be within 1..num_beams (beam search returns them).")
        check(self.samples >= 0 and self.temperature > 0 and 0 < self.top_p <= 1,
              "samples must be >= 0, temperature > 0 and top_p within (0, 1].")


def load_decode(path: str | Path, name: str) -> DecodeConfig:
    """`name`'s decoding settings: the file's `default` section with `name`'s own section (if any) on top."""
    raw = load_params(path)
    check(isinstance(raw.get("default"), dict), f"{path}: a 'default' section is required.")
    own = raw.get(name) or {}
    check(isinstance(own, dict), f"{path}:{name}: expected a mapping of decoding settings.")
    return from_dict(DecodeConfig, {**raw["default"], **own}, f"{path}:{name}")


def check_summary_room(cfg: DecodeConfig, card: ModelCard, where: str) -> None:
    """Decoding must leave room for the longest summary the model was trained on: a lower `max_new_tokens` cuts
    summaries mid-sentence without a word (64 against the LLMs' 96 did, issue 38). `where`: the decode file and
    section, as `configs/decode.yaml:qwen_qlora`."""
    key, budget = card.summary_budget
    check(cfg.max_new_tokens >= budget,
          f"{where}: max_new_tokens {cfg.max_new_tokens} is below {key} {budget}, the longest summary the model was "
          f"trained on: summaries that long would be cut; set max_new_tokens to at least {budget}.")
