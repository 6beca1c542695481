"""Typed, strict views of `params.yaml` and `configs/*.yaml`: one frozen dataclass per file and per section.

Why two kinds of file: `dvc exp show` has a column for every key of `params.yaml` and for every dependency path, so
`params.yaml` holds only what experiments vary (the shared `train` schedule, the `prompt`, `lora`, which checkpoint
each model starts from); the recipes that rarely change live in `configs/` (one file each, one column each).
Why strict: a typo in either (or in `dvc exp run -S`) must fail loudly instead of silently training with a default,
and a key that moved names its new place. Why coercing: PyYAML reads `2e-5` (no dot) as a string, and
`dvc exp run -S lr=1` writes an int, so a float field accepts both and the error names the key when neither fits.
"""

from __future__ import annotations

import dataclasses
import datetime
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeVar

import yaml

T = TypeVar("T")

DEFAULT_SYSTEM_PROMPT = "당신은 한국어 대화를 정확하고 간결하게 요약하는 어시스턴트입니다."
TEMPLATE_DATE = "2024-07-26"  # the date Llama-3.1+ templates fall back to when no clock is given


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


def load_file(cls: type[T], path: str | Path) -> T:
    """Load a whole params or config file into `cls` (its top-level keys are `cls`'s fields)."""
    return from_dict(cls, load_params(path), str(path))


def from_dict(cls: type[T], raw: Any, where: str) -> T:
    """Build dataclass `cls` from a mapping, rejecting unknown keys and coercing YAML scalars to field types."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping, got {type(raw).__name__}.")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(raw) - set(fields))
    moved: dict[str, str] = getattr(cls, "MOVED", {})
    for key in unknown:
        if key in moved:
            raise ConfigError(f"{where}: '{key}' has moved: {moved[key]}.")
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
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a mapping, got {value!r}.")
        key_type, item_type = typing.get_args(tp)
        return {_coerce(key_type, k, where): _coerce(item_type, v, f"{where}.{k}") for k, v in value.items()}
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


Scheduler = Literal["linear", "cosine", "constant", "constant_with_warmup", "cosine_with_restarts", "polynomial"]
Family = Literal["llama", "qwen"]
PlainFormat = Literal["kullm", "koalpaca", "alpaca"]  # chat_format.PLAIN_FORMATS
RECIPE = "the model's recipe in configs/ (seq2seq.yaml or qlora.yaml)"


def check_prompt_choice(style: str, instruction_variants: int) -> None:
    """The checks a prompt choice gets wherever it is built (params.yaml `prompt`, a trained model's card)."""
    check(0 <= instruction_variants <= 5, "instruction_variants must be within 0..5.")
    check(
        instruction_variants == 0 or style == "instruction",
        f"instruction_variants needs style: instruction (style {style!r} has no instruction to paraphrase).",
    )


def check_token_budgets(max_prompt_len: int, max_summary_len: int, template_date: str) -> None:
    """The checks a prompt's settings get wherever they are set (configs/qlora.yaml, a trained model's card)."""
    check(max_prompt_len >= 64, "max_prompt_len must be at least 64 tokens.")
    check(max_summary_len >= 8, "max_summary_len must be at least 8 tokens.")
    try:
        datetime.date.fromisoformat(template_date)
    except ValueError:
        raise ValueError(f"template_date must be a date as YYYY-MM-DD, got {template_date!r}.") from None


@dataclass(frozen=True)
class TrainConfig:
    """The training schedule: params.yaml `train`, shared by every fine-tuning stage (and, with its own values,
    the embedded bases' pretraining in configs/embedded.yaml)."""

    lr: float = 1e-3  # the base rate; each recipe's lr_scale multiplies it
    scheduler: Scheduler = "cosine"
    warmup_ratio: float = 0.05  # share of the steps spent warming up
    weight_decay: float = 0.01
    epochs: float = 4.0
    max_steps: int = -1  # > 0 overrides epochs
    batch_size: int = 16  # per device
    grad_accum: int = 1  # effective batch = batch_size x grad_accum x devices
    seed: int = 42
    eval_steps: int = 125  # dev loss + dev ROUGE and a checkpoint every N steps; the best by dev ROUGE is kept
    early_stopping_patience: int = 3  # evaluations without a better dev ROUGE; 0: off

    MOVED: ClassVar[dict[str, str]] = {
        "learning_rate": "train.lr (each recipe's lr_scale multiplies it)",
        "lr_scheduler_type": "train.scheduler",
        "num_train_epochs": "train.epochs",
        "per_device_train_batch_size": "train.batch_size",
        "gradient_accumulation_steps": "train.grad_accum",
        **{key: RECIPE for key in ("per_device_eval_batch_size", "label_smoothing_factor", "max_grad_norm",
                                   "logging_steps", "eval_samples")},
    }

    def __post_init__(self) -> None:
        check(self.lr > 0, "lr must be positive.")
        check(0.0 <= self.warmup_ratio < 1.0, "warmup_ratio must be within [0, 1).")
        check(self.epochs > 0 or self.max_steps > 0, "set epochs > 0 or max_steps > 0.")
        for key in ("batch_size", "grad_accum", "eval_steps"):
            check(getattr(self, key) >= 1, f"{key} must be at least 1.")
        check(self.early_stopping_patience >= 0, "early_stopping_patience must be >= 0.")


@dataclass(frozen=True)
class RunSettings:
    """What a recipe adds to the shared schedule: its rate multiplier and the per-model training details."""

    lr_scale: float = 1.0  # this recipe's rate = train.lr x lr_scale, so `-S train.lr=...` moves every model
    label_smoothing: float = 0.0
    max_grad_norm: float = 1.0
    eval_batch_size: int = 32
    eval_samples: int = 64  # dev dialogues scored while training (to pick the best checkpoint); 0: all of dev
    logging_steps: int = 25

    def __post_init__(self) -> None:
        check(self.lr_scale > 0, "lr_scale must be positive.")
        check(0.0 <= self.label_smoothing < 1.0, "label_smoothing must be within [0, 1).")
        check(self.eval_batch_size >= 1 and self.logging_steps >= 1, "eval_batch_size and logging_steps must be >= 1.")
        check(self.eval_samples >= 0, "eval_samples must be >= 0.")


@dataclass(frozen=True)
class BartSize:
    """Shape of the embedded BART (same class as KoBART, built from config)."""

    d_model: int = 128
    encoder_layers: int = 2
    decoder_layers: int = 2
    attention_heads: int = 4
    ffn_dim: int = 512
    dropout: float = 0.0
    tie_word_embeddings: bool = False  # a separate output matrix (KoBART ties them); more capacity for a tiny model


@dataclass(frozen=True)
class Seq2SeqRecipe(RunSettings):
    """configs/seq2seq.yaml: how an encoder-decoder (KoBART, T5, mBART or the embedded BART) is fine-tuned."""

    trust_remote_code: bool = False
    source_prefix: str = ""  # put before every dialogue: T5's task prefix ("summarize: "); never cut
    lang: str = ""  # mBART's language code for source and summary (ko_KR); "" for models without one
    encoder_max_len: int = 512  # dialogue tokens; longer dialogues are cut at the end
    decoder_max_len: int = 100  # summary tokens
    max_cut_share: float = 0.01  # training stops when decoder_max_len would cut more of the train summaries
    embedded: BartSize = BartSize()  # used when the model is `embedded`

    def __post_init__(self) -> None:
        super().__post_init__()
        check(self.encoder_max_len >= 16 and self.decoder_max_len >= 8, "encoder/decoder_max_len are too small.")
        check(0.0 <= self.max_cut_share <= 1.0, "max_cut_share must be within [0, 1].")


@dataclass(frozen=True)
class CausalRecipe(RunSettings):
    """configs/qlora.yaml: how a causal LM is adapted with (Q)LoRA and how long its prompts may be."""

    quantize_4bit: bool = True  # QLoRA: NF4 weights with double quantization; false: plain LoRA
    # PEFT's "all-linear": every linear layer but the output head, whatever the architecture names them (Llama/Qwen:
    # the seven q/k/v/o/gate/up/down projections); or a list of module names
    target_modules: str | tuple[str, ...] = "all-linear"
    plain_format: PlainFormat = "kullm"  # the prompt format of a tokenizer without a chat template (polyglot-ko)
    # None: DEFAULT_SYSTEM_PROMPT for chat templates, the model's own preamble for plain formats; "": no system message
    system_prompt: str | None = None
    template_date: str = TEMPLATE_DATE  # what a template that writes today's date (Llama-3.1+) sees: prompts stay pure
    packing: bool = True  # padding-free batches with per-example position ids; false: padded batches
    gradient_checkpointing: bool = False  # less activation memory, ~30 % slower
    merge_adapter: bool = False  # also save a merged full model under <out>/merged
    trust_remote_code: bool = False
    max_prompt_len: int = 768  # template + dialogue tokens; only the dialogue is ever cut to fit
    max_summary_len: int = 96  # summary tokens learned and generated while training, end-of-turn included
    max_cut_share: float = 0.01  # training stops when max_summary_len would cut more of the train summaries

    def __post_init__(self) -> None:
        super().__post_init__()
        check_token_budgets(self.max_prompt_len, self.max_summary_len, self.template_date)
        check(0.0 <= self.max_cut_share <= 1.0, "max_cut_share must be within [0, 1].")
        check(len(self.target_modules) >= 1, "target_modules must be all-linear or name at least one module.")


@dataclass(frozen=True)
class PromptChoice:
    """params.yaml `prompt`: which prompt the causal LMs get (training, prediction and zero-shot alike)."""

    style: Literal["simple", "structured", "instruction"] = "structured"
    instruction_variants: int = 0  # augmentation: repeat each training example with N of 5 paraphrased instructions

    MOVED: ClassVar[dict[str, str]] = {
        key: "configs/qlora.yaml" for key in ("max_prompt_len", "max_summary_len", "system_prompt")
    }

    def __post_init__(self) -> None:
        check_prompt_choice(self.style, self.instruction_variants)


@dataclass(frozen=True)
class PromptConfig:
    """A causal LM's full prompt settings: the params' choice plus the recipe's token budgets (stored in the card)."""

    style: Literal["simple", "structured", "instruction"] = "structured"
    system_prompt: str | None = None  # None: DEFAULT_SYSTEM_PROMPT, or a plain format's own preamble
    max_prompt_len: int = 1024
    max_summary_len: int = 128
    instruction_variants: int = 0
    plain_format: PlainFormat = "kullm"
    template_date: str = TEMPLATE_DATE

    def __post_init__(self) -> None:
        check_prompt_choice(self.style, self.instruction_variants)
        check_token_budgets(self.max_prompt_len, self.max_summary_len, self.template_date)


def prompt_config(choice: PromptChoice, recipe: CausalRecipe) -> PromptConfig:
    """The prompt a causal LM is trained and prompted with."""
    return PromptConfig(choice.style, recipe.system_prompt, recipe.max_prompt_len, recipe.max_summary_len,
                        choice.instruction_variants, recipe.plain_format, recipe.template_date)


@dataclass(frozen=True)
class LoraSettings:
    """params.yaml `lora`: the adapters' size, shared by every QLoRA model (targets are in configs/qlora.yaml)."""

    r: int = 16  # higher: more capacity, more memory
    alpha: int = 32  # scale = alpha / r
    dropout: float = 0.0

    MOVED: ClassVar[dict[str, str]] = {"target_modules": "configs/qlora.yaml"}

    def __post_init__(self) -> None:
        check(self.r >= 1 and self.alpha >= 1, "lora r and alpha must be at least 1.")
        check(0.0 <= self.dropout < 1.0, "lora dropout must be within [0, 1).")


@dataclass(frozen=True)
class ApiChoice:
    """params.yaml `api`: the OpenAI-compatible endpoint of the opt-in API zero-shot pipeline (api/dvc.yaml). The
    key is never a param: configs/api.yaml names the environment variable that holds it."""

    base_url: str = "https://api.upstage.ai/v1"  # Upstage Solar; any /v1 chat-completions server works
    model: str = "solar-pro2"

    def __post_init__(self) -> None:
        check(self.base_url.startswith(("http://", "https://")), f"api.base_url must be an http(s) URL; got "
              f"{self.base_url!r}.")
        check(bool(self.model), "api.model must name the endpoint's model.")


@dataclass(frozen=True)
class PreprocessConfig:
    """params.yaml `preprocess`: where the raw CSVs are."""

    raw_dir: str = "data/raw"  # read by dvc.yaml; point it at a folder with the competition CSVs to use them

    MOVED: ClassVar[dict[str, str]] = {
        key: "configs/embedded.yaml: tokenizer" for key in ("vocab_size", "min_frequency")
    }


@dataclass(frozen=True)
class LaunchConfig:
    """params.yaml `launch`: how dvc.yaml starts the training stages (`accelerate launch`); checked here so a typo
    fails before any process starts."""

    processes: int = 1  # training processes on this machine; the global batch is processes x batch_size x grad_accum
    config: Literal["ddp", "fsdp_qlora", "deepspeed_zero3_qlora"] = "ddp"  # configs/accelerate/<config>.yaml

    def __post_init__(self) -> None:
        check(self.processes >= 1, "processes must be at least 1.")


@dataclass(frozen=True)
class Params:
    """params.yaml: what experiments vary. Every key is a column of `dvc exp show`, so keep it short."""

    preprocess: PreprocessConfig = PreprocessConfig()
    train: TrainConfig = TrainConfig()
    launch: LaunchConfig = LaunchConfig()
    prompt: PromptChoice = PromptChoice()
    lora: LoraSettings = LoraSettings()
    models: dict[str, str] = dataclasses.field(default_factory=dict)  # name -> checkpoint it starts from
    zero_shot: dict[str, str] = dataclasses.field(default_factory=dict)  # name -> causal LM folder scored untuned
    api: ApiChoice = ApiChoice()

    MOVED: ClassVar[dict[str, str]] = {
        "corpus": "configs/embedded.yaml: corpus",
        "train_kobart": "train (shared schedule), models.kobart (checkpoint) and configs/seq2seq.yaml (the rest)",
        **{f"train_{m}_qlora": f"train, prompt, lora, models.{m}_qlora and configs/qlora.yaml"
           for m in ("llama", "qwen")},
        **{f"base_{m}": "configs/embedded.yaml: bases and pretrain" for m in ("llama", "qwen")},
        "predict": "configs/decode.yaml",
        "evaluate": "models and zero_shot (every model there is scored); the lead baseline's length is the median "
                    "train summary length",
    }

    def __post_init__(self) -> None:
        check(not set(self.models) & set(self.zero_shot), "a name must not be both in models and zero_shot.")
        check("lead" not in {*self.models, *self.zero_shot}, "'lead' is the baseline's name; rename that model.")

    @property
    def scored(self) -> tuple[str, ...]:
        """Every model the pipeline predicts with, in params order: fine-tuned, then zero-shot."""
        return (*self.models, *self.zero_shot)


@dataclass(frozen=True)
class CorpusConfig:
    """The embedded synthetic corpus: same seed, byte-identical CSVs."""

    seed: int = 42
    n_train: int = 2000  # the competition has 12457
    n_dev: int = 200
    n_test: int = 200
    noise_rate: float = 0.05  # share of raw rows carrying the real data's formatting noise

    def __post_init__(self) -> None:
        for key in ("n_train", "n_dev", "n_test"):
            check(getattr(self, key) >= 1, f"{key} must be at least 1.")
        check(0.0 <= self.noise_rate <= 1.0, "noise_rate must be within [0, 1].")


@dataclass(frozen=True)
class TokenizerConfig:
    """The embedded models' byte-level BPE, trained on the train split by `preprocess`."""

    vocab_size: int = 8000  # larger: shorter sequences, bigger embedding matrices
    min_frequency: int = 2  # a merge must occur this often in the train split

    def __post_init__(self) -> None:
        check(self.vocab_size >= 300, "vocab_size must be at least 300 (256 bytes + special tokens).")
        check(self.min_frequency >= 1, "min_frequency must be at least 1.")


@dataclass(frozen=True)
class DecoderSize:
    """Shape of an embedded decoder-only base (Llama or Qwen3 class, built from config)."""

    hidden_size: int = 128
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    num_key_value_heads: int = 2  # grouped-query attention, as in both real families
    intermediate_size: int = 352


@dataclass(frozen=True)
class BaseModel:
    """One embedded decoder base: its architecture and chat format, and its shape."""

    family: Family = "llama"  # Llama-3 or Qwen3 (ChatML)
    size: DecoderSize = DecoderSize()


@dataclass(frozen=True)
class PretrainConfig(RunSettings):
    """How the embedded bases are pretrained on the train split's text (stand-ins for hub checkpoints)."""

    block_size: int = 384  # tokens per pretraining document (dialogue + summary); longer ones are cut
    train: TrainConfig = TrainConfig(lr=3e-3, epochs=3.0, early_stopping_patience=0)


@dataclass(frozen=True)
class EmbeddedConfig:
    """configs/embedded.yaml: the offline default (corpus, tokenizer, base models); unused with real data and
    real checkpoints."""

    corpus: CorpusConfig = CorpusConfig()
    tokenizer: TokenizerConfig = TokenizerConfig()
    pretrain: PretrainConfig = PretrainConfig()
    bases: dict[str, BaseModel] = dataclasses.field(default_factory=dict)

    def base(self, name: str) -> BaseModel:
        """The base `name` under `bases`; a name missing there is a ConfigError."""
        check(name in self.bases, f"configs/embedded.yaml bases: no '{name}'; found {sorted(self.bases)}.")
        return self.bases[name]


@dataclass(frozen=True)
class GenerateConfig:
    """Decoding settings of one model in `predict` (configs/decode.yaml: `default` merged with the model's entry)."""

    num_beams: int = 4
    max_new_tokens: int = 100
    length_penalty: float = 1.0  # > 1 favours longer beams
    no_repeat_ngram_size: int = 3  # 0: off
    repetition_penalty: float = 1.0
    early_stopping: bool = True
    batch_size: int = 32
    block_non_korean: bool = False  # forbid tokens with Han, kana, Cyrillic, ... characters
    seed: int = 42
    n_best: int = 1  # candidates for the ensemble: the n best beams (the first is the prediction); <= num_beams
    samples: int = 0  # more candidates: seeded samples at `temperature` / `top_p`
    temperature: float = 0.7
    top_p: float = 0.95
    tta: tuple[str, ...] = ()  # input variants (kosum.augment), each adding its n_best beams of every dialogue
    prompt_variants: tuple[str, ...] = ()  # causal LMs: prompts asked another way (kosum.augment), n_best beams each

    def __post_init__(self) -> None:
        check(self.num_beams >= 1 and self.max_new_tokens >= 1 and self.batch_size >= 1,
              "num_beams, max_new_tokens and batch_size must be at least 1.")
        check(1 <= self.n_best <= self.num_beams, "n_best must be within 1..num_beams (beam search returns them).")
        check(self.samples >= 0 and self.temperature > 0 and 0 < self.top_p <= 1,
              "samples must be >= 0, temperature > 0 and top_p within (0, 1].")


def load_decode(path: str | Path, name: str) -> GenerateConfig:
    """`name`'s decoding settings: the file's `default` section with `name`'s own section (if any) on top."""
    raw = load_params(path)
    check(isinstance(raw.get("default"), dict), f"{path}: a 'default' section is required.")
    own = raw.get(name) or {}
    check(isinstance(own, dict), f"{path}:{name}: expected a mapping of decoding settings.")
    return from_dict(GenerateConfig, {**raw["default"], **own}, f"{path}:{name}")


@dataclass(frozen=True)
class EnsembleConfig:
    """configs/ensemble.yaml: which candidates of which fine-tuned models the MBR selection weighs.

    Its own file (not a section of configs/decode.yaml, which every predict stage depends on), so that a sweep over
    the ensemble re-runs only `ensemble` and `evaluate`."""

    weights: dict[str, float] = dataclasses.field(default_factory=dict)  # model -> weight; a model left out: 0
    # candidates by source: a kind (beam, sample, or a test-time variant such as swap_speakers) or one source (beam1,
    # swap_speakers:beam1). Hypotheses may be chosen; references vote.
    hypotheses: tuple[str, ...] = ("beam", "sample")
    references: tuple[str, ...] = ("beam", "sample")

    def __post_init__(self) -> None:
        check(all(w >= 0 for w in self.weights.values()) and any(w > 0 for w in self.weights.values()),
              "ensemble weights must be >= 0, at least one of them > 0.")
        check(bool(self.hypotheses) and bool(self.references),
              "ensemble hypotheses and references must each name at least one kind of candidate.")


def load_ensemble(path: str | Path) -> EnsembleConfig:
    """The ensemble file (configs/ensemble.yaml)."""
    return from_dict(EnsembleConfig, load_params(path), str(path))


@dataclass(frozen=True)
class ApiRecipe:
    """configs/api.yaml: how the API zero-shot stage asks its endpoint (which one: params.yaml `api`)."""

    key_env: str = "UPSTAGE_API_KEY"  # the environment variable with the key; unset: no Authorization header
    temperature: float = 0.0  # greedy, as the in-process zero-shot decoding
    max_tokens: int = 64  # configs/decode.yaml's max_new_tokens for the zero-shot LLMs
    timeout_s: float = 60.0  # per request; a timeout is retried
    retries: int = 5  # after the first attempt, on 408/409/429/5xx, timeouts and malformed answers
    backoff_s: float = 1.0  # the first wait, doubled at each retry unless the server sends Retry-After
    concurrency: int = 4  # requests in flight
    cache_dir: str = "~/.cache/kosum/api"  # answers on disk, outside the repository: a rerun pays for nothing twice

    def __post_init__(self) -> None:
        check(self.key_env.isidentifier(), f"key_env must name an environment variable; got {self.key_env!r}.")
        check(self.temperature >= 0 and self.max_tokens >= 1, "temperature must be >= 0 and max_tokens >= 1.")
        check(self.timeout_s > 0 and self.retries >= 0 and self.backoff_s >= 0,
              "timeout_s must be > 0, retries and backoff_s >= 0.")
        check(self.concurrency >= 1, "concurrency must be at least 1.")


@dataclass(frozen=True)
class Dimension:
    """One searched param of configs/tune.yaml: `choices`, or a `low`..`high` range."""

    choices: tuple[str | int | float, ...] = ()
    low: float | None = None
    high: float | None = None
    log: bool = False  # sample the range on a log scale (learning rates)
    integer: bool = False  # whole numbers only (LoRA r)

    def __post_init__(self) -> None:
        ranged = self.low is not None and self.high is not None
        check(bool(self.choices) != ranged, "give either choices or low and high.")
        check(not ranged or self.low < self.high, "low must be below high.")
        check(not self.log or (ranged and self.low > 0), "log needs a range with low > 0.")


@dataclass(frozen=True)
class TuneConfig:
    """configs/tune.yaml: an Optuna search in which every trial is a `dvc exp run --temp -S ...` (kosum.tune)."""

    study: str = "kosum"  # trials become experiments named <study>-<number>
    storage: str = ".optuna/kosum.db"  # SQLite file (relative: to the project root): a killed search resumes
    trials: int = 8  # finished trials (completed or pruned) to reach
    objective: str = "qwen_qlora.dev_final"  # a metrics/scores.json column, maximised
    seed: int = 42  # TPE sampler
    pruner: str = "MedianPruner"  # an optuna.pruners class, fed the dev ROUGE of the objective model's training
    pruner_args: dict[str, float] = dataclasses.field(
        default_factory=lambda: {"n_startup_trials": 2, "n_warmup_steps": 250})
    space: dict[str, Dimension] = dataclasses.field(default_factory=dict)  # params.yaml key -> its range

    def __post_init__(self) -> None:
        check(self.trials >= 1, "trials must be at least 1.")
        check(self.objective.count(".") == 1, "objective must be <model>.<metric>, e.g. qwen_qlora.dev_final.")
        check(bool(self.space), "space must name at least one params.yaml key to search.")


@dataclass(frozen=True)
class CausalJob:
    """Everything a (Q)LoRA fine-tune reads, gathered from params.yaml and configs/qlora.yaml."""

    model: str  # the checkpoint it starts from
    train: TrainConfig
    recipe: CausalRecipe
    lora: LoraSettings
    prompt: PromptConfig


def model_entry(params: Params, name: str) -> str:
    """The checkpoint `params.models[name]` starts from; a name missing there is a ConfigError."""
    check(name in params.models, f"params.yaml models: no entry '{name}'; add `{name}: <checkpoint>` under models.")
    return params.models[name]


def causal_job(params: Params, name: str, recipe: CausalRecipe) -> CausalJob:
    """The fine-tune of `params.models[name]` with `recipe`."""
    return CausalJob(model_entry(params, name), params.train, recipe, params.lora, prompt_config(params.prompt, recipe))
