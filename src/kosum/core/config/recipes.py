"""configs/seq2seq.yaml and configs/qlora.yaml: the training recipes, and the jobs and prompt settings built from them
with params.yaml."""

from __future__ import annotations

import dataclasses
import datetime
import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, TypeVar

from kosum.core.config.loader import check, from_dict
from kosum.core.config.params import LoraParams, ModelEntry, Params, PromptParams, TrainParams

DEFAULT_SYSTEM_PROMPT = "당신은 한국어 대화를 정확하고 간결하게 요약하는 어시스턴트입니다."
TEMPLATE_DATE = "2024-07-26"  # the date Llama-3.1+ templates fall back to when no clock is given
PlainFormat = Literal["kullm", "koalpaca", "alpaca"]  # chat_format.PLAIN_FORMATS
PrecisionName = Literal["auto", "bf16", "fp16", "fp32"]  # loading.precision_for

# transformers' `report_to` names (integration_utils.INTEGRATION_TO_CALLBACK, but dvclive: kosum attaches it itself)
# -> the package each needs, looked up when the recipe loads, before hours of training
TRACKERS = {"azure_ml": "azureml", "clearml": "clearml", "codecarbon": "codecarbon", "comet_ml": "comet_ml",
            "dagshub": "dagshub", "flyte": "flytekit", "kubeflow": "kubeflow", "mlflow": "mlflow", "neptune": "neptune",
            "swanlab": "swanlab", "tensorboard": "tensorboard", "trackio": "trackio", "wandb": "wandb"}
DEFAULT_OPTIMIZER = "adamw_torch_fused"  # transformers 5's own default: what ran before the key existed


def check_optimizer(name: str) -> None:
    """`name` must be one of transformers' `OptimizerNames`."""
    if name == DEFAULT_OPTIMIZER:
        return  # no transformers import (and torch with it) just to read a recipe that keeps the default
    from transformers.training_args import OptimizerNames

    valid = [o.value for o in OptimizerNames]
    check(name in valid, f"optimizer {name!r} is not a transformers optimizer; e.g. adamw_torch, adamw_torch_fused, "
                         f"paged_adamw_8bit, adamw_bnb_8bit, adafactor ({len(valid)} in transformers' OptimizerNames).")


def check_trackers(names: tuple[str, ...]) -> None:
    """Each of `names` is a tracker transformers reports to, and its package is installed."""
    for name in names:
        check(name in TRACKERS, f"report_to {name!r} is not allowed; choose from {sorted(TRACKERS)} (DVCLive needs no "
                                "entry: kosum always attaches it).")
        check(importlib.util.find_spec(TRACKERS[name]) is not None,
              f"report_to {name}: its package {TRACKERS[name]!r} is not installed; install it or remove {name}.")


def check_token_budgets(max_prompt_len: int, max_summary_len: int, template_date: str) -> None:
    """The checks a prompt's settings get wherever they are set (configs/qlora.yaml, a trained model's card)."""
    check(max_prompt_len >= 64, "max_prompt_len must be at least 64 tokens.")
    check(max_summary_len >= 8, "max_summary_len must be at least 8 tokens.")
    try:
        datetime.date.fromisoformat(template_date)
    except ValueError:
        raise ValueError(f"template_date must be a date as YYYY-MM-DD, got {template_date!r}.") from None


@dataclass(frozen=True)
class RunConfig:
    """What a recipe adds to the shared schedule: its rate multiplier and the per-model training details."""

    lr_scale: float = 1.0  # this recipe's rate = train.lr x lr_scale, so `-S train.lr=...` moves every model
    label_smoothing: float = 0.0
    max_grad_norm: float = 1.0
    eval_batch_size: int = 32
    eval_samples: int = 64  # dev dialogues scored while training (to pick the best checkpoint); 0: all of dev
    logging_steps: int = 25
    optimizer: str = DEFAULT_OPTIMIZER  # a transformers OptimizerNames: paged_adamw_8bit, adamw_bnb_8bit, adafactor
    precision: PrecisionName = "auto"  # auto: bf16 on a GPU that has it, fp16 on older GPUs, fp32 on CPU
    attn_implementation: str | None = None  # None: transformers' default (sdpa); eager, sdpa, flash_attention_2, ...
    revision: str | None = None  # the hub checkpoint's branch, tag or commit; None: its default branch
    save_total_limit: int = 2  # checkpoints kept while training (transformers keeps the best among them)
    best_metric: Literal["final", "loss"] = "final"  # picks the kept checkpoint, drives early stopping: dev ROUGE/loss
    report_to: tuple[str, ...] = ()  # trackers beside DVCLive (wandb, mlflow, ...); each one's package installed
    gradient_checkpointing: bool = False  # less activation memory, ~30 % slower

    def __post_init__(self) -> None:
        check(self.lr_scale > 0, "lr_scale must be positive.")
        check(0.0 <= self.label_smoothing < 1.0, "label_smoothing must be within [0, 1).")
        check(self.eval_batch_size >= 1 and self.logging_steps >= 1, "eval_batch_size and logging_steps must be >= 1.")
        check(self.eval_samples >= 0, "eval_samples must be >= 0.")
        check_optimizer(self.optimizer)
        for key in ("attn_implementation", "revision"):
            check(getattr(self, key) is None or getattr(self, key).strip() != "", f"{key} must be null or a name.")
        check(self.save_total_limit >= 1, "save_total_limit must be >= 1 (the best checkpoint is one of them).")
        check_trackers(self.report_to)


@dataclass(frozen=True)
class BartSizeConfig:
    """Shape of the embedded BART (same class as KoBART, built from config)."""

    d_model: int = 128
    encoder_layers: int = 2
    decoder_layers: int = 2
    attention_heads: int = 4
    ffn_dim: int = 512
    dropout: float = 0.0
    tie_word_embeddings: bool = False  # a separate output matrix (KoBART ties them); more capacity for a tiny model


@dataclass(frozen=True)
class Seq2SeqConfig(RunConfig):
    """configs/seq2seq.yaml: how an encoder-decoder (KoBART, T5, mBART or the embedded BART) is fine-tuned."""

    label_smoothing: float = 0.1  # RunConfig's field, with seq2seq.yaml's value
    trust_remote_code: bool = False
    source_prefix: str = ""  # put before every dialogue: T5's task prefix ("summarize: "); never cut
    lang: str = ""  # mBART's language code for source and summary (ko_KR); "" for models without one
    encoder_max_len: int = 512  # dialogue tokens; longer dialogues are cut at the end
    decoder_max_len: int = 100  # summary tokens
    max_cut_share: float = 0.01  # training stops when decoder_max_len would cut more of the train summaries
    embedded: BartSizeConfig = BartSizeConfig()  # used when the model is `embedded`

    def __post_init__(self) -> None:
        super().__post_init__()
        check(self.encoder_max_len >= 16 and self.decoder_max_len >= 8, "encoder/decoder_max_len are too small.")
        check(0.0 <= self.max_cut_share <= 1.0, "max_cut_share must be within [0, 1].")


@dataclass(frozen=True)
class QloraConfig(RunConfig):
    """configs/qlora.yaml: how a causal LM is adapted with (Q)LoRA and how long its prompts may be."""

    lr_scale: float = 2.0  # RunConfig's fields, with qlora.yaml's values: adapters take a higher rate
    eval_samples: int = 32
    quantize_4bit: bool = True  # QLoRA: NF4 weights with double quantization; false: plain LoRA
    # PEFT's "all-linear": every linear layer but the output head, whatever the architecture names them (Llama/Qwen:
    # the seven q/k/v/o/gate/up/down projections); or a list of module names
    target_modules: str | tuple[str, ...] = "all-linear"
    plain_format: PlainFormat = "kullm"  # the prompt format of a tokenizer without a chat template (polyglot-ko)
    # None: DEFAULT_SYSTEM_PROMPT for chat templates, the model's own preamble for plain formats; "": no system message
    system_prompt: str | None = None
    template_date: str = TEMPLATE_DATE  # what a template that writes today's date (Llama-3.1+) sees: prompts stay pure
    packing: bool = True  # padding-free batches with per-example position ids; false: padded batches
    merge_adapter: bool = False  # also save a merged full model under <out>/merged
    trust_remote_code: bool = False
    max_prompt_len: int = 768  # template + dialogue tokens; only the dialogue is ever cut to fit
    max_summary_len: int = 96  # summary tokens learned and generated while training, end-of-turn included
    max_cut_share: float = 0.01  # training stops when max_summary_len would cut more of the train summaries
    # ask with the dialogue's topic (structured style): the competition's test.csv has none, so a model trained with
    # topics meets a prompt it never saw; true only where every split has one (docs/training.md, "Topics")
    topic: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        check_token_budgets(self.max_prompt_len, self.max_summary_len, self.template_date)
        check(0.0 <= self.max_cut_share <= 1.0, "max_cut_share must be within [0, 1].")
        check(len(self.target_modules) >= 1, "target_modules must be all-linear or name at least one module.")


@dataclass(frozen=True)
class PromptConfig(PromptParams):
    """A causal LM's full prompt: params.yaml `prompt` plus configs/qlora.yaml's system prompt, token budgets, plain
    format, template date and topic (stored in the model card)."""

    # defaults: QloraConfig's (configs/qlora.yaml's), where `prompt_config` takes them from
    system_prompt: str | None = QloraConfig.system_prompt  # None: DEFAULT_SYSTEM_PROMPT, or a plain format's preamble
    max_prompt_len: int = QloraConfig.max_prompt_len
    max_summary_len: int = QloraConfig.max_summary_len
    plain_format: PlainFormat = QloraConfig.plain_format
    template_date: str = QloraConfig.template_date
    topic: bool = QloraConfig.topic

    def __post_init__(self) -> None:
        super().__post_init__()
        check_token_budgets(self.max_prompt_len, self.max_summary_len, self.template_date)


def prompt_config(params: PromptParams, recipe: QloraConfig) -> PromptConfig:
    """The prompt a causal LM is trained and prompted with."""
    return PromptConfig(style=params.style, instruction_variants=params.instruction_variants,
                        system_prompt=recipe.system_prompt, max_prompt_len=recipe.max_prompt_len,
                        max_summary_len=recipe.max_summary_len, plain_format=recipe.plain_format,
                        template_date=recipe.template_date, topic=recipe.topic)


@dataclass(frozen=True)
class Seq2SeqJob:
    """Everything an encoder-decoder fine-tune reads: its entry's checkpoint, schedule and recipe."""

    model: str  # the checkpoint it starts from
    train: TrainParams
    recipe: Seq2SeqConfig


@dataclass(frozen=True)
class CausalJob:
    """Everything a (Q)LoRA fine-tune reads, gathered from params.yaml and configs/qlora.yaml."""

    model: str  # the checkpoint it starts from
    train: TrainParams
    recipe: QloraConfig
    lora: LoraParams
    prompt: PromptConfig


R = TypeVar("R", Seq2SeqConfig, QloraConfig)
SCHEDULE_KEYS = frozenset(f.name for f in dataclasses.fields(TrainParams))


def seq2seq_job(params: Params, name: str, recipe: Seq2SeqConfig, *, where: str = "params.yaml") -> Seq2SeqJob:
    """The fine-tune of `params.models.seq2seq[name]`: `recipe` and `train` with the entry's own values on top."""
    entry, train, own_recipe = _entry(params.models.seq2seq, name, params.train, recipe, f"{where} models.seq2seq")
    return Seq2SeqJob(entry.checkpoint, train, own_recipe)


def causal_job(params: Params, name: str, recipe: QloraConfig, *, where: str = "params.yaml") -> CausalJob:
    """The fine-tune of `params.models.qlora[name]`: `recipe` and `train` with the entry's own values on top."""
    entry, train, own_recipe = _entry(params.models.qlora, name, params.train, recipe, f"{where} models.qlora")
    return CausalJob(entry.checkpoint, train, own_recipe, params.lora, prompt_config(params.prompt, own_recipe))


def zero_shot_prompt(params: Params, name: str, recipe: QloraConfig, *, where: str = "params.yaml") -> PromptConfig:
    """The prompt the untuned `params.zero_shot[name]` gets: the qlora recipe's, with the entry's own budgets."""
    _, _, own_recipe = _entry(params.zero_shot, name, params.train, recipe, f"{where} zero_shot", schedule=False)
    return prompt_config(params.prompt, own_recipe)


def _entry(section: Mapping[str, ModelEntry], name: str, shared: TrainParams, recipe: R, where: str, *,
           schedule: bool = True) -> tuple[ModelEntry, TrainParams, R]:
    """An entry, its schedule and its recipe, its own values winning; a key neither takes is a ConfigError."""
    check(name in section, f"{where}: no entry '{name}'; add `{name}: {{checkpoint: <hub id or folder>}}` there.")
    entry, at = section[name], f"{where}.{name}"
    own_train = {k: v for k, v in entry.own.items() if schedule and k in SCHEDULE_KEYS}
    own_recipe = {k: v for k, v in entry.own.items() if k not in own_train}
    recipe_keys = {f.name for f in dataclasses.fields(recipe)}
    unknown = sorted(set(own_recipe) - recipe_keys)
    takes = "any key of `train` or of its recipe" if schedule else "any key of configs/qlora.yaml"
    check(not unknown, f"{at}: unknown key(s) {unknown}; an entry takes checkpoint and {takes}.")
    train = from_dict(TrainParams, {**dataclasses.asdict(shared), **own_train}, at) if own_train else shared
    mine = from_dict(type(recipe), {**dataclasses.asdict(recipe), **own_recipe}, at) if own_recipe else recipe
    return entry, train, mine
