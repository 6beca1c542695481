"""Typed, strict views of `params.yaml`: one frozen dataclass per section.

Why strict: a typo in `params.yaml` (or in `dvc exp run -S`) must fail loudly instead of silently training with a
default. Why coercing: PyYAML reads `2e-5` (no dot) as a string, and `dvc exp run -S lr=1` writes an int, so a float
field accepts both and the error names the key when neither fits.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml

T = TypeVar("T")


class ConfigError(ValueError):
    """A params.yaml value is missing, unknown or of the wrong type."""


def load_params(path: str | Path) -> dict[str, Any]:
    """Read a params file into a dict; an unreadable or non-mapping file is a ConfigError."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise ConfigError(f"{path}: cannot read params file ({err}).") from err
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of sections at the top level.")
    return data


def load_section(cls: type[T], path: str | Path, name: str) -> T:
    """Load section `name` (dots for nested sections, e.g. `predict.kobart`) of a params file into `cls`."""
    node: Any = load_params(path)
    for part in name.split("."):
        if not isinstance(node, dict) or part not in node:
            raise ConfigError(f"{path}: section '{name}' is missing.")
        node = node[part]
    return from_dict(cls, node, f"{path}:{name}")


def from_dict(cls: type[T], raw: Any, where: str) -> T:
    """Build dataclass `cls` from a mapping, rejecting unknown keys and coercing YAML scalars to field types."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping, got {type(raw).__name__}.")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {unknown}; allowed: {sorted(fields)}.")
    hints = typing.get_type_hints(cls)
    values = {}
    for name, field in fields.items():
        if name in raw:
            values[name] = _coerce(hints[name], raw[name], f"{where}.{name}")
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise ConfigError(f"{where}: required key '{name}' is missing.")
    try:
        return cls(**values)
    except (TypeError, ValueError) as err:
        raise ConfigError(f"{where}: {err}") from err


def _coerce(tp: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        return from_dict(tp, value, where)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(tp)
        if value is None and type(None) in options:
            return None
        errors = []
        for option in (o for o in options if o is not type(None)):
            try:
                return _coerce(option, value, where)
            except ConfigError as err:
                errors.append(str(err))
        raise ConfigError(errors[0])
    if origin is Literal:
        allowed = typing.get_args(tp)
        if value not in allowed:
            raise ConfigError(f"{where}: {value!r} is not allowed; choose one of {list(allowed)}.")
        return value
    if origin in (tuple, list):
        if not isinstance(value, list | tuple):
            raise ConfigError(f"{where}: expected a list, got {value!r}.")
        item = typing.get_args(tp)[0]
        return tuple(_coerce(item, v, f"{where}[{i}]") for i, v in enumerate(value))
    return _scalar(tp, value, where)


def _scalar(tp: Any, value: Any, where: str) -> Any:
    if tp is bool:
        if isinstance(value, bool):
            return value
    elif tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
    elif tp is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
    elif tp is str:
        if isinstance(value, str):
            return value
    else:
        raise TypeError(f"unsupported config field type {tp!r} at {where}")
    raise ConfigError(f"{where}: expected {tp.__name__}, got {value!r}.")


def check(condition: bool, message: str) -> None:
    """Raise a ConfigError with `message` unless `condition` holds (used by `__post_init__` checks)."""
    if not condition:
        raise ConfigError(message)


@dataclass(frozen=True)
class CorpusConfig:
    """The embedded synthetic corpus: same seed, byte-identical CSVs."""

    seed: int = 42
    n_train: int = 2000
    n_dev: int = 200
    n_test: int = 200
    noise_rate: float = 0.05  # share of raw rows carrying the real data's formatting noise

    def __post_init__(self) -> None:
        for key in ("n_train", "n_dev", "n_test"):
            check(getattr(self, key) >= 1, f"{key} must be at least 1.")
        check(0.0 <= self.noise_rate <= 1.0, "noise_rate must be within [0, 1].")


@dataclass(frozen=True)
class PromptConfig:
    """How a causal LM sees a dialogue: the prompt variant, its system text and the token budget."""

    style: Literal["simple", "structured", "instruction"] = "structured"
    system_prompt: str = "당신은 한국어 대화를 정확하고 간결하게 요약하는 어시스턴트입니다."
    max_prompt_len: int = 1024  # tokens for template + dialogue; only the dialogue is ever cut to fit
    max_summary_len: int = 128  # training target tokens, end-of-turn token included
    instruction_variants: int = 0  # augmentation: repeat each training example with N of 5 paraphrased instructions

    def __post_init__(self) -> None:
        check(self.max_prompt_len >= 64, "max_prompt_len must be at least 64 tokens.")
        check(self.max_summary_len >= 8, "max_summary_len must be at least 8 tokens.")
        check(0 <= self.instruction_variants <= 5, "instruction_variants must be within 0..5.")
        check(
            self.instruction_variants == 0 or self.style == "instruction",
            f"instruction_variants needs style: instruction (style {self.style!r} has no instruction to paraphrase).",
        )


@dataclass(frozen=True)
class PreprocessConfig:
    """Cleaning and the embedded models' tokenizer."""

    raw_dir: str = "data/raw"  # read by dvc.yaml; point it at a folder with the competition CSVs to use them
    vocab_size: int = 8000  # BPE vocabulary of the embedded models; larger: shorter sequences, bigger embeddings
    min_frequency: int = 2  # a merge must occur this often in the train split

    def __post_init__(self) -> None:
        check(self.vocab_size >= 300, "vocab_size must be at least 300 (256 bytes + special tokens).")
        check(self.min_frequency >= 1, "min_frequency must be at least 1.")


Scheduler = Literal["linear", "cosine", "constant", "constant_with_warmup", "cosine_with_restarts", "polynomial"]


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation settings shared by every train stage; names are those of HF `TrainingArguments`."""

    learning_rate: float = 5e-4
    lr_scheduler_type: Scheduler = "cosine"
    warmup_ratio: float = 0.05  # share of the steps spent warming up
    weight_decay: float = 0.01
    num_train_epochs: float = 3.0
    max_steps: int = -1  # > 0 overrides num_train_epochs
    per_device_train_batch_size: int = 16
    per_device_eval_batch_size: int = 32
    gradient_accumulation_steps: int = 1  # effective batch = batch size x accumulation
    label_smoothing_factor: float = 0.0
    max_grad_norm: float = 1.0
    seed: int = 42
    logging_steps: int = 10
    eval_steps: int = 100  # evaluate (dev loss and dev ROUGE) and checkpoint every N steps
    eval_samples: int = 64  # dev dialogues used for evaluation during training; 0: the whole dev split
    early_stopping_patience: int = 3  # evaluations without a better dev ROUGE before stopping; 0: off

    def __post_init__(self) -> None:
        check(self.learning_rate > 0, "learning_rate must be positive.")
        check(0.0 <= self.warmup_ratio < 1.0, "warmup_ratio must be within [0, 1).")
        check(self.num_train_epochs > 0 or self.max_steps > 0, "set num_train_epochs > 0 or max_steps > 0.")
        for key in ("per_device_train_batch_size", "per_device_eval_batch_size", "gradient_accumulation_steps",
                    "logging_steps", "eval_steps"):
            check(getattr(self, key) >= 1, f"{key} must be at least 1.")
        check(0.0 <= self.label_smoothing_factor < 1.0, "label_smoothing_factor must be within [0, 1).")
        check(self.eval_samples >= 0 and self.early_stopping_patience >= 0,
              "eval_samples and early_stopping_patience must be >= 0.")


@dataclass(frozen=True)
class BartSize:
    """Shape of the embedded BART (same class as KoBART, built from config)."""

    d_model: int = 128
    encoder_layers: int = 2
    decoder_layers: int = 2
    attention_heads: int = 4
    ffn_dim: int = 512
    dropout: float = 0.1
    tie_word_embeddings: bool = False  # a separate output matrix (KoBART ties them); more capacity for a tiny model


@dataclass(frozen=True)
class Seq2SeqConfig(TrainConfig):
    """The `train_kobart` section: which encoder-decoder to fine-tune, and how."""

    model: str = "embedded"  # "embedded", a hub id (digit82/kobart-summarization) or a local folder
    embedded: BartSize = BartSize()
    trust_remote_code: bool = False
    encoder_max_len: int = 512  # dialogue tokens; longer dialogues are cut at the end
    decoder_max_len: int = 100  # summary tokens

    def __post_init__(self) -> None:
        super().__post_init__()
        check(self.encoder_max_len >= 16 and self.decoder_max_len >= 8, "encoder/decoder_max_len are too small.")


@dataclass(frozen=True)
class GenerateConfig:
    """Decoding settings of the `predict` stage (one section per model under `predict`)."""

    num_beams: int = 4
    max_new_tokens: int = 100
    length_penalty: float = 1.0  # > 1 favours longer beams
    no_repeat_ngram_size: int = 3  # 0: off
    repetition_penalty: float = 1.0
    early_stopping: bool = True
    batch_size: int = 32
    block_non_korean: bool = False  # forbid tokens with Han, kana, Cyrillic, ... characters
    seed: int = 42

    def __post_init__(self) -> None:
        check(self.num_beams >= 1 and self.max_new_tokens >= 1 and self.batch_size >= 1,
              "num_beams, max_new_tokens and batch_size must be at least 1.")


@dataclass(frozen=True)
class EvaluateConfig:
    """Which models the `evaluate` stage scores, and the lead baseline's length."""

    models: tuple[str, ...] = ("kobart",)  # folders under predictions/; add one line per model
    lead_max_chars: int = 0  # lead baseline length in characters; 0: the median train summary length

    def __post_init__(self) -> None:
        check(len(set(self.models)) == len(self.models), "models must not repeat.")
        check("lead" not in self.models, "'lead' is the baseline's name; rename that model.")
        check(self.lead_max_chars >= 0, "lead_max_chars must be >= 0.")


Family = Literal["llama", "qwen"]
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


@dataclass(frozen=True)
class DecoderSize:
    """Shape of an embedded decoder-only base (Llama or Qwen3 class, built from config)."""

    hidden_size: int = 128
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    num_key_value_heads: int = 2  # grouped-query attention, as in both real families
    intermediate_size: int = 352


@dataclass(frozen=True)
class BaseConfig(TrainConfig):
    """A `base_*` section: causal-LM pretraining of an embedded base on the train split's text."""

    family: Family = "llama"  # architecture and chat format: Llama-3 or Qwen3 (ChatML)
    size: DecoderSize = DecoderSize()
    block_size: int = 384  # tokens per pretraining document (dialogue + summary); longer ones are cut


@dataclass(frozen=True)
class LoraSettings:
    """LoRA adapters; the defaults adapt all seven linear projections of a Llama/Qwen block."""

    r: int = 16  # higher: more capacity, more memory
    alpha: int = 32  # scale = alpha / r
    dropout: float = 0.05
    target_modules: tuple[str, ...] = LORA_TARGETS

    def __post_init__(self) -> None:
        check(self.r >= 1 and self.alpha >= 1, "lora r and alpha must be at least 1.")
        check(0.0 <= self.dropout < 1.0, "lora dropout must be within [0, 1).")


@dataclass(frozen=True)
class CausalConfig(TrainConfig):
    """A `train_*_qlora` section: which causal LM to adapt with (Q)LoRA, its prompt, and how."""

    model: str = "models/base_llama"  # the embedded base (stage base_llama) or a hub id / folder
    trust_remote_code: bool = False
    quantize_4bit: bool = True  # QLoRA: NF4 weights with double quantization; false: plain LoRA
    lora: LoraSettings = LoraSettings()
    prompt: PromptConfig = PromptConfig()
    packing: bool = True  # padding-free batches with per-example position ids; false: padded batches
    gradient_checkpointing: bool = False  # less activation memory, ~30% slower
    merge_adapter: bool = False  # also save a merged full model under <out>/merged
