"""configs/embedded.yaml: the embedded default's corpus, tokenizer and tiny base models."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kosum.core.config.loader import check
from kosum.core.config.params import TrainParams
from kosum.core.config.recipes import RunConfig

Family = Literal["llama", "qwen"]


@dataclass(frozen=True)
class CorpusConfig:
    """The embedded synthetic corpus: same seed, byte-identical CSVs."""

    seed: int = 42
    n_train: int = 2000  # the competition has 12457
    n_dev: int = 200
    n_test: int = 200
    noise_rate: float = 0.05  # share of raw rows with a literal \n, <br>, doubled spaces or odd tag spacing
    # each drawn on its own, independently of noise_rate (a row may have several), at the real data's share
    trailing_space_rate: float = 0.3  # a space before some or all line breaks (real: 25-33 %)
    one_line_rate: float = 0.005  # every turn on one line, joined by spaces
    jamo_typo_rate: float = 0.02  # one or two stray jamo (ㅋ, ㅎ, ㅜ...) typed into words

    def __post_init__(self) -> None:
        for key in ("n_train", "n_dev", "n_test"):
            check(getattr(self, key) >= 1, f"{key} must be at least 1.")
        for key in ("noise_rate", "trailing_space_rate", "one_line_rate", "jamo_typo_rate"):
            check(0.0 <= getattr(self, key) <= 1.0, f"{key} must be within [0, 1].")


@dataclass(frozen=True)
class TokenizerConfig:
    """The embedded models' byte-level BPE, trained on the train split by `preprocess`."""

    vocab_size: int = 8000  # larger: shorter sequences, bigger embedding matrices
    min_frequency: int = 2  # a merge must occur this often in the train split

    def __post_init__(self) -> None:
        check(self.vocab_size >= 300, "vocab_size must be at least 300 (256 bytes + special tokens).")
        check(self.min_frequency >= 1, "min_frequency must be at least 1.")


@dataclass(frozen=True, kw_only=True)
class DecoderSizeConfig:
    """Shape of an embedded decoder-only base (Llama or Qwen3 class, built from config)."""

    hidden_size: int = 128
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    num_key_value_heads: int = 2  # grouped-query attention, as in both real families
    intermediate_size: int = 352


@dataclass(frozen=True)
class BaseModelConfig:
    """One embedded decoder base: its architecture and chat format, and its shape."""

    family: Family  # Llama-3 or Qwen3 (ChatML)
    size: DecoderSizeConfig = DecoderSizeConfig()


@dataclass(frozen=True)
class PretrainConfig(RunConfig):
    """How the embedded bases are pretrained on the train split's text (stand-ins for hub checkpoints)."""

    block_size: int = 384  # tokens per pretraining document (dialogue + summary); longer ones are cut
    train: TrainParams = TrainParams(lr=3e-3, scheduler="cosine", epochs=1.0, batch_size=2, eval_steps=250,
                                     early_stopping_patience=0)
    best_metric: Literal["final", "loss"] = "loss"  # RunConfig's field: a base writes no summaries to score

    def __post_init__(self) -> None:
        super().__post_init__()
        check(self.best_metric == "loss", "best_metric must be loss: a base writes no summaries to score.")
        check(self.revision is None, "revision must be null: the embedded bases are built from config, not the hub.")
        # pretraining always runs kosum's packed attention (models/attention.py); the fine-tunes choose their own
        check(self.attn_implementation is None, "attn_implementation must be null: pretraining runs packed attention.")


@dataclass(frozen=True, kw_only=True)
class EmbeddedConfig:
    """configs/embedded.yaml: the offline default (corpus, tokenizer, base models); unused with real data and
    real checkpoints."""

    corpus: CorpusConfig = CorpusConfig()
    tokenizer: TokenizerConfig = TokenizerConfig()
    pretrain: PretrainConfig = PretrainConfig()
    bases: dict[str, BaseModelConfig]  # required: the file's data, not a default

    def base(self, name: str) -> BaseModelConfig:
        """The base `name` under `bases`; a name missing there is a ConfigError."""
        check(name in self.bases, f"configs/embedded.yaml bases: no '{name}'; found {sorted(self.bases)}.")
        return self.bases[name]
