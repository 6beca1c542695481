"""configs/seq2seq.yaml and configs/qlora.yaml: the training recipes, and the jobs and prompt settings built from them
with params.yaml."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Literal

from kosum.core.config.loader import check
from kosum.core.config.params import LoraParams, Params, PromptParams, TrainParams

DEFAULT_SYSTEM_PROMPT = "당신은 한국어 대화를 정확하고 간결하게 요약하는 어시스턴트입니다."


TEMPLATE_DATE = "2024-07-26"  # the date Llama-3.1+ templates fall back to when no clock is given


PlainFormat = Literal["kullm", "koalpaca", "alpaca"]  # chat_format.PLAIN_FORMATS




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

    def __post_init__(self) -> None:
        check(self.lr_scale > 0, "lr_scale must be positive.")
        check(0.0 <= self.label_smoothing < 1.0, "label_smoothing must be within [0, 1).")
        check(self.eval_batch_size >= 1 and self.logging_steps >= 1, "eval_batch_size and logging_steps must be >= 1.")
        check(self.eval_samples >= 0, "eval_samples must be >= 0.")


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
    gradient_checkpointing: bool = False  # less activation memory, ~30 % slower
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
class CausalJob:
    """Everything a (Q)LoRA fine-tune reads, gathered from params.yaml and configs/qlora.yaml."""

    model: str  # the checkpoint it starts from
    train: TrainParams
    recipe: QloraConfig
    lora: LoraParams
    prompt: PromptConfig


def model_entry(params: Params, name: str) -> str:
    """The checkpoint `params.models[name]` starts from; a name missing there is a ConfigError."""
    check(name in params.models, f"params.yaml models: no entry '{name}'; add `{name}: <checkpoint>` under models.")
    return params.models[name]


def causal_job(params: Params, name: str, recipe: QloraConfig) -> CausalJob:
    """The fine-tune of `params.models[name]` with `recipe`."""
    return CausalJob(model_entry(params, name), params.train, recipe, params.lora, prompt_config(params.prompt, recipe))
