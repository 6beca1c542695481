"""params.yaml: what experiments vary. Every key is a column of `dvc exp show`, so it stays short."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from kosum.core.config.loader import check

Scheduler = Literal["linear", "cosine", "constant", "constant_with_warmup", "cosine_with_restarts", "polynomial"]

RECIPE = "the model's recipe in configs/ (seq2seq.yaml or qlora.yaml)"


def check_prompt_params(style: str, instruction_variants: int) -> None:
    """The checks a prompt choice gets wherever it is built (params.yaml `prompt`, a trained model's card)."""
    check(0 <= instruction_variants <= 5, "instruction_variants must be within 0..5.")
    check(
        instruction_variants == 0 or style == "instruction",
        f"instruction_variants needs style: instruction (style {style!r} has no instruction to paraphrase).",
    )


@dataclass(frozen=True)
class TrainParams:
    """The training schedule: params.yaml `train`, shared by every fine-tuning stage (and, with its own values,
    the embedded bases' pretraining in configs/embedded.yaml)."""

    lr: float = 2e-3  # the base rate; each recipe's lr_scale multiplies it
    scheduler: Scheduler = "linear"
    warmup_ratio: float = 0.05  # share of the steps spent warming up
    weight_decay: float = 0.01
    epochs: float = 6.0
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
class PromptParams:
    """params.yaml `prompt`: which prompt the causal LMs get (training, prediction and zero-shot alike)."""

    style: Literal["simple", "structured", "instruction"] = "structured"
    instruction_variants: int = 0  # augmentation: repeat each training example with N of 5 paraphrased instructions

    MOVED: ClassVar[dict[str, str]] = {
        key: "configs/qlora.yaml" for key in ("max_prompt_len", "max_summary_len", "system_prompt")
    }

    def __post_init__(self) -> None:
        check_prompt_params(self.style, self.instruction_variants)


@dataclass(frozen=True)
class LoraParams:
    """params.yaml `lora`: the adapters' size, shared by every QLoRA model (targets are in configs/qlora.yaml)."""

    r: int = 16  # higher: more capacity, more memory
    alpha: int = 32  # scale = alpha / r
    dropout: float = 0.0

    MOVED: ClassVar[dict[str, str]] = {"target_modules": "configs/qlora.yaml"}

    def __post_init__(self) -> None:
        check(self.r >= 1 and self.alpha >= 1, "lora r and alpha must be at least 1.")
        check(0.0 <= self.dropout < 1.0, "lora dropout must be within [0, 1).")


@dataclass(frozen=True)
class ApiParams:
    """params.yaml `api`: the OpenAI-compatible endpoint of the opt-in API zero-shot pipeline (api/dvc.yaml). The
    key is never a param: configs/api.yaml names the environment variable that holds it."""

    base_url: str = "https://api.upstage.ai/v1"  # Upstage Solar; any /v1 chat-completions server works
    model: str = "solar-pro2"

    def __post_init__(self) -> None:
        check(self.base_url.startswith(("http://", "https://")), f"api.base_url must be an http(s) URL; got "
              f"{self.base_url!r}.")
        check(bool(self.model), "api.model must name the endpoint's model.")


@dataclass(frozen=True)
class PreprocessParams:
    """params.yaml `preprocess`: where the raw CSVs are."""

    raw_dir: str = "data/raw"  # read by dvc.yaml; point it at a folder with the competition CSVs to use them

    MOVED: ClassVar[dict[str, str]] = {
        key: "configs/embedded.yaml: tokenizer" for key in ("vocab_size", "min_frequency")
    }


@dataclass(frozen=True)
class LaunchParams:
    """params.yaml `launch`: how dvc.yaml starts the training stages (`accelerate launch`); checked here so a typo
    fails before any process starts."""

    processes: int = 1  # training processes on this machine; the global batch is processes x batch_size x grad_accum
    config: Literal["ddp", "fsdp_qlora", "deepspeed_zero3_qlora"] = "ddp"  # configs/accelerate/<config>.yaml

    def __post_init__(self) -> None:
        check(self.processes >= 1, "processes must be at least 1.")


@dataclass(frozen=True, kw_only=True)
class ModelEntry:
    """One model under params.yaml `models.<recipe>` or `zero_shot`: the checkpoint it starts from and, beside it,
    the model's own values of any `train` or recipe key (batch_size: 2, max_prompt_len: 1536, ...), which win over
    the shared ones (kosum.core.config.recipes: seq2seq_job, causal_job, zero_shot_prompt)."""

    checkpoint: str  # "embedded", a hub id or a folder
    own: dict[str, Any] = field(default_factory=dict)  # every other key, checked against its recipe when used

    EXTRA: ClassVar[str] = "own"
    SHAPE: ClassVar[str] = " such as {checkpoint: <hub id or folder>, batch_size: 4}"

    def __post_init__(self) -> None:
        check(bool(self.checkpoint), "checkpoint must name a model (embedded, a hub id or a folder).")


@dataclass(frozen=True, kw_only=True)
class ModelsParams:
    """params.yaml `models`: the fine-tuned models, by recipe (configs/<recipe>.yaml), so each recipe's stages
    depend on exactly that recipe and the params it reads. Both keys are required, even when empty (`seq2seq: {}`):
    dvc.yaml generates each recipe's stages from its section."""

    seq2seq: dict[str, ModelEntry]  # encoder-decoders: KoBART, pko-t5, mBART, the embedded BART
    qlora: dict[str, ModelEntry]  # causal LMs with (Q)LoRA adapters

    MOVED: ClassVar[dict[str, str]] = {
        name: f"models.{recipe}.{name} (an entry is now {{checkpoint: ...}} under its recipe)"
        for name, recipe in (("kobart", "seq2seq"), ("llama_qlora", "qlora"), ("qwen_qlora", "qlora"))
    }

    def __post_init__(self) -> None:
        both = sorted(set(self.seq2seq) & set(self.qlora))
        check(not both, f"{both} is under both seq2seq and qlora; a name must be unique.")

    @property
    def recipes(self) -> dict[str, str]:
        """Every fine-tuned model's recipe, in params order (seq2seq first)."""
        return {**dict.fromkeys(self.seq2seq, "seq2seq"), **dict.fromkeys(self.qlora, "qlora")}


@dataclass(frozen=True, kw_only=True)
class Params:
    """params.yaml: what experiments vary. Every key is a column of `dvc exp show`, so keep it short. `models` and
    `zero_shot` are required: they are the file's data (dvc.yaml's `foreach` needs both), not a default."""

    preprocess: PreprocessParams = PreprocessParams()
    train: TrainParams = TrainParams()
    launch: LaunchParams = LaunchParams()
    prompt: PromptParams = PromptParams()
    lora: LoraParams = LoraParams()
    models: ModelsParams  # recipe -> name -> entry
    zero_shot: dict[str, ModelEntry]  # name -> causal LM scored untuned, prompted with the qlora recipe
    api: ApiParams = ApiParams()

    MOVED: ClassVar[dict[str, str]] = {
        "corpus": "configs/embedded.yaml: corpus",
        "train_kobart": "train (shared schedule), models.seq2seq.kobart (checkpoint and its own values) and "
                        "configs/seq2seq.yaml (the rest)",
        **{f"train_{m}_qlora": f"train, prompt, lora, models.qlora.{m}_qlora and configs/qlora.yaml"
           for m in ("llama", "qwen")},
        **{f"base_{m}": "configs/embedded.yaml: bases and pretrain" for m in ("llama", "qwen")},
        "predict": "configs/decode.yaml",
        "evaluate": "models and zero_shot (every model there is scored); the lead baseline's length is the median "
                    "train summary length",
    }

    def __post_init__(self) -> None:
        fine_tuned = self.models.recipes
        check(not set(fine_tuned) & set(self.zero_shot), "a name must not be both in models and zero_shot.")
        check("lead" not in {*fine_tuned, *self.zero_shot}, "'lead' is the baseline's name; rename that model.")

    @property
    def fine_tuned(self) -> tuple[str, ...]:
        """Every fine-tuned model, in params order."""
        return tuple(self.models.recipes)

    @property
    def scored(self) -> tuple[str, ...]:
        """Every model the pipeline predicts with, in params order: fine-tuned, then zero-shot."""
        return (*self.fine_tuned, *self.zero_shot)
