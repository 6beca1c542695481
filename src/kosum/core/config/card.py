"""kosum.json, the model card a train stage writes beside its model: what `predict` needs to use the model exactly
as it was trained, read back through the same strict loader as the config files."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from kosum.core.config.loader import from_dict
from kosum.core.config.recipes import PromptConfig

MODEL_CARD = "kosum.json"


@dataclass(frozen=True, kw_only=True)
class Seq2SeqCard:
    """An encoder-decoder: how its inputs and targets were framed and cut."""

    kind: Literal["seq2seq"]
    encoder_max_len: int
    decoder_max_len: int
    source_prefix: str = ""  # T5's task prefix
    lang: str = ""  # mBART's language code
    attn_implementation: str | None = None  # the recipe's: predict loads the model with the same attention
    revision: str | None = None  # the hub revision training started from (provenance: predict loads the folder)

    @property
    def causal(self) -> bool:
        return False

    @property
    def summary_budget(self) -> tuple[str, int]:
        """The longest summary training taught, in tokens, and the key that set it."""
        return "configs/seq2seq.yaml decoder_max_len", self.decoder_max_len


@dataclass(frozen=True, kw_only=True)
class CausalCard:
    """A causal LM (a LoRA adapter on `base`, or a merged model with `base` None): how it was loaded and prompted."""

    kind: Literal["causal"]
    base: str | None
    quantize_4bit: bool
    trust_remote_code: bool
    prompt: PromptConfig
    attn_implementation: str | None = None  # the recipe's: predict loads the model with the same attention
    revision: str | None = None  # the hub revision of `base`, which predict loads again

    @property
    def causal(self) -> bool:
        return True

    @property
    def summary_budget(self) -> tuple[str, int]:
        """The longest summary training taught, in tokens (end-of-turn included), and the key that set it."""
        return "configs/qlora.yaml max_summary_len", self.prompt.max_summary_len


ModelCard = Seq2SeqCard | CausalCard
# The cards' fields are in the order the cards have always been written, so an unchanged model keeps its bytes (and
# DVC hash); the prompt's keys too, which PromptConfig (the params fields first) no longer has.
_PROMPT_ORDER = ("style", "system_prompt", "max_prompt_len", "max_summary_len", "instruction_variants",
                 "plain_format", "template_date", "topic")
# Keys added later, written only when set: a card of a model trained without them keeps its bytes (read: the default)
_WRITTEN_WHEN_SET = ("attn_implementation", "revision")


def write_model_card(out_dir: Path, card: ModelCard) -> None:
    ordered = {key: value for key, value in dataclasses.asdict(card).items()
               if key not in _WRITTEN_WHEN_SET or value is not None}
    if card.causal:
        ordered["prompt"] = {key: ordered["prompt"][key] for key in _PROMPT_ORDER}
    (out_dir / MODEL_CARD).write_text(json.dumps(ordered, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def read_model_card(model_dir: Path) -> ModelCard:
    """The card `write_model_card` wrote; a folder without one was not written by a kosum train stage."""
    path = model_dir / MODEL_CARD
    if not path.exists():
        raise FileNotFoundError(f"{path}: missing; {model_dir} was not written by a kosum train stage.")
    raw = json.loads(path.read_text(encoding="utf-8"))
    cls = CausalCard if isinstance(raw, dict) and raw.get("kind") == "causal" else Seq2SeqCard
    if cls is CausalCard and isinstance(raw.get("prompt"), dict):
        raw["prompt"].setdefault("topic", True)  # cards written before prompt.topic: those models learnt the topic
    return from_dict(cls, raw, str(path))
