"""Building and loading models: one `model` key selects the embedded default or a real checkpoint.

Why one code path: the embedded default is saved and re-loaded with `from_pretrained` exactly like a hub checkpoint,
so what the tests exercise on CPU is what runs on a GPU box with `digit82/kobart-summarization`.

Embedded models are initialised with std 1/sqrt(width) instead of the hub configs' 0.02 (tuned for widths of
768-1024). Measured on the embedded BART (d_model 128): with 0.02 the attention logits start near zero, the decoder
learns a plain language model of the summaries and the encoder collapses to a constant output (predictions identical
for every dialogue after 1,000 steps at any learning rate tried); with 1/sqrt(128) it is used from step 50.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import torch
from accelerate import DistributedType, PartialState
from bitsandbytes.nn import Linear4bit
from peft import LoraConfig, PeftModel, get_peft_model, prepare_model_for_kbit_training
from transformers import (
    AutoConfig,
    AutoModelForCausalLM,
    AutoModelForSeq2SeqLM,
    AutoTokenizer,
    BartConfig,
    BartForConditionalGeneration,
    BitsAndBytesConfig,
    GenerationConfig,
    LlamaConfig,
    LlamaForCausalLM,
    PreTrainedModel,
    PreTrainedTokenizerBase,
    Qwen3Config,
    Qwen3ForCausalLM,
)

from kosum.core.config.card import CausalCard, read_model_card, write_model_card
from kosum.core.config.embedded import DecoderSizeConfig, Family
from kosum.core.config.loader import check
from kosum.core.config.params import LoraParams
from kosum.core.config.recipes import BartSizeConfig, PrecisionName, QloraConfig, Seq2SeqConfig
from kosum.data.tokenizer import add_tags
from kosum.models.seq2seq_inputs import decoding_start, use_language

EMBEDDED = "embedded"
ModelKind = Literal["seq2seq", "causal"]


@dataclass(frozen=True)
class Precision:
    """Numeric formats for one device: never bf16 weights under a fp16 GradScaler."""

    device: str  # "cpu" or "cuda"
    dtype: torch.dtype  # compute dtype (4-bit compute, inference)
    bf16: bool  # Trainer autocast flags; fp16 turns on the GradScaler
    fp16: bool


_FORMATS = {"bf16": (torch.bfloat16, True, False), "fp16": (torch.float16, False, True),
            "fp32": (torch.float32, False, False)}  # dtype, Trainer's bf16 and fp16 flags


def precision_for(device: str, *, bf16_supported: bool, requested: PrecisionName = "auto") -> Precision:
    """`auto`: fp32 on CPU (bf16 is ~10x slower there), bf16 on a GPU that has it, fp16 autocast otherwise; an
    explicit format (a recipe's `precision`) where the device can run it, else a ConfigError."""
    if requested == "auto":
        requested = "fp32" if device != "cuda" else "bf16" if bf16_supported else "fp16"
    check(requested != "fp16" or device == "cuda",
          "precision: fp16 needs a CUDA GPU (its GradScaler) and this process runs on the CPU; use auto, bf16 or fp32.")
    check(requested != "bf16" or bf16_supported, f"precision: this {'GPU' if device == 'cuda' else 'CPU'} has no bf16 "
                                                 "(NVIDIA's have it from Ampere on); use auto, fp16 or fp32.")
    dtype, bf16, fp16 = _FORMATS[requested]
    return Precision("cuda" if device == "cuda" else "cpu", dtype, bf16=bf16, fp16=fp16)


def detect_precision(requested: PrecisionName = "auto") -> Precision:
    """The precision for the hardware this process runs on: `requested` (a recipe's `precision`) where it can run
    (PyTorch runs bf16 on any CPU, slowly), `auto`'s choice by default (prediction)."""
    cuda = torch.cuda.is_available()
    return precision_for("cuda" if cuda else "cpu", bf16_supported=torch.cuda.is_bf16_supported() if cuda else True,
                         requested=requested)


def embedded_bart(tokenizer: PreTrainedTokenizerBase, size: BartSizeConfig, max_len: int, *,
                  attn_implementation: str | None = None) -> BartForConditionalGeneration:
    """A randomly initialised BART shaped by `size` on the preprocess tokenizer (the embedded KoBART); with
    `attn_implementation` None, transformers' default attention."""
    config = BartConfig(
        vocab_size=len(tokenizer),
        d_model=size.d_model,
        encoder_layers=size.encoder_layers,
        decoder_layers=size.decoder_layers,
        encoder_attention_heads=size.attention_heads,
        decoder_attention_heads=size.attention_heads,
        encoder_ffn_dim=size.ffn_dim,
        decoder_ffn_dim=size.ffn_dim,
        dropout=size.dropout,
        max_position_embeddings=max_len,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.bos_token_id,
        forced_eos_token_id=tokenizer.eos_token_id,
        tie_word_embeddings=size.tie_word_embeddings,
        init_std=size.d_model**-0.5,  # see module docstring: BART's 0.02 leaves a small model's encoder unused
        attn_implementation=attn_implementation,
    )
    return BartForConditionalGeneration(config)


def check_revision(model: str, *, revision: str | None, recipe: str) -> None:
    """A `revision` pins a hub checkpoint; the embedded model and a local folder have none (from_pretrained would
    silently ignore it)."""
    if revision is not None:
        check(model != EMBEDDED and not Path(model).is_dir(),
              f"{recipe} revision: {model} is not a hub checkpoint, it has no revisions; set revision: null.")


def load_seq2seq(
    model_name: str, recipe: Seq2SeqConfig, tokenizer_dir: Path
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """The encoder-decoder `model_name` ("embedded", a hub id or a folder: BART, T5, mBART, ...), with speaker and
    mask tags as single tokens, the recipe's language set and decoding set to start as training does."""
    check_revision(model_name, revision=recipe.revision, recipe="configs/seq2seq.yaml")
    if model_name == EMBEDDED:
        tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
        max_len = max(recipe.encoder_max_len, recipe.decoder_max_len) + 2
        model = embedded_bart(tokenizer, recipe.embedded, max_len, attn_implementation=recipe.attn_implementation)
        return model, tokenizer
    tokenizer = AutoTokenizer.from_pretrained(model_name, trust_remote_code=recipe.trust_remote_code,
                                              revision=recipe.revision)
    use_language(tokenizer, recipe.lang)
    model = AutoModelForSeq2SeqLM.from_pretrained(
        model_name, trust_remote_code=recipe.trust_remote_code, use_safetensors=True,
        attn_implementation=recipe.attn_implementation, revision=recipe.revision,
    )
    if add_tags(tokenizer):
        model.resize_token_embeddings(len(tokenizer))
    model.generation_config.update(**decoding_start(model, tokenizer))
    return model, tokenizer


def stabilize_adapter_config(adapter_dir: Path) -> None:
    """Sort `target_modules` in PEFT's `adapter_config.json`: PEFT keeps them in a set, so their order (and the file's
    bytes, and so DVC's hash of the adapter) changed from run to run with Python's string hashing (measured)."""
    path = adapter_dir / "adapter_config.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(config.get("target_modules"), list):
        config["target_modules"] = sorted(config["target_modules"])
    path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")


ARCHITECTURES = {"llama": (LlamaConfig, LlamaForCausalLM), "qwen": (Qwen3Config, Qwen3ForCausalLM)}


def embedded_decoder(
    tokenizer: PreTrainedTokenizerBase, family: Family, size: DecoderSizeConfig, max_len: int
) -> PreTrainedModel:
    """A randomly initialised Llama or Qwen3 shaped by `size` on a tokenizer that carries the family's chat format."""
    config_class, model_class = ARCHITECTURES[family]
    config = config_class(
        vocab_size=len(tokenizer),
        hidden_size=size.hidden_size,
        intermediate_size=size.intermediate_size,
        num_hidden_layers=size.num_hidden_layers,
        num_attention_heads=size.num_attention_heads,
        num_key_value_heads=size.num_key_value_heads,
        head_dim=size.hidden_size // size.num_attention_heads,
        max_position_embeddings=max_len,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        tie_word_embeddings=True,
        initializer_range=size.hidden_size**-0.5,
    )
    return model_class(config)


def sharded() -> bool:
    """Whether FSDP or DeepSpeed shards the model over the processes (they place its weights themselves)."""
    return PartialState().distributed_type in (DistributedType.FSDP, DistributedType.DEEPSPEED)


def bnb_config(*, quantize_4bit: bool, precision: Precision, shard: bool = False) -> BitsAndBytesConfig | None:
    """QLoRA's 4-bit NF4 storage with double quantization, computing in the hardware's dtype. Sharded (FSDP-QLoRA,
    ZeRO-3-QLoRA), the packed 4-bit weights are stored in the compute dtype, so every flattened parameter has one
    dtype (PEFT's and LLaMA-Factory's documented settings)."""
    if not quantize_4bit:
        return None
    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=precision.dtype,
        bnb_4bit_quant_storage=precision.dtype if shard else torch.uint8,
    )


def lora_config(lora: LoraParams, target_modules: str | tuple[str, ...]) -> LoraConfig:
    """LoRA adapters on the recipe's modules: by default every linear layer but the output head (PEFT's
    "all-linear" finds them in any architecture, 4-bit layers included)."""
    return LoraConfig(
        r=lora.r,
        lora_alpha=lora.alpha,
        lora_dropout=lora.dropout,
        target_modules=target_modules if isinstance(target_modules, str) else list(target_modules),
        bias="none",
        task_type="CAUSAL_LM",
    )


def load_causal(path: str, *, quantize_4bit: bool, precision: Precision, trust_remote_code: bool,
                attn_implementation: str | None = None, revision: str | None = None) -> PreTrainedModel:
    """A causal LM from a folder or hub id (at `revision`), 4-bit quantized when asked (weights in the compute dtype
    otherwise), with `attn_implementation` (None: transformers' default), on this process's GPU (each DDP rank its
    own; FSDP and DeepSpeed place it themselves)."""
    shard = sharded()
    quantization = bnb_config(quantize_4bit=quantize_4bit, precision=precision, shard=shard)
    # Placed explicitly, CPU too: a 4-bit load without a device map goes to a visible GPU whatever `precision` says.
    device = PartialState().local_process_index if precision.device == "cuda" else "cpu"
    model = AutoModelForCausalLM.from_pretrained(
        path,
        quantization_config=quantization,
        dtype=precision.dtype,
        device_map=None if shard else {"": device},
        trust_remote_code=trust_remote_code,
        use_safetensors=True,
        attn_implementation=attn_implementation,
        revision=revision,
    )
    return keep_standard_4bit_layout(model) if quantization is not None else model


def load_as_trained(path: str, card: CausalCard, precision: Precision, *, quantize_4bit: bool) -> PreTrainedModel:
    """`path` (the card's base, or a full model's folder) loaded as the card says training loaded it: remote code,
    attention and hub revision."""
    return load_causal(path, quantize_4bit=quantize_4bit, precision=precision,
                       trust_remote_code=card.trust_remote_code, attn_implementation=card.attn_implementation,
                       revision=card.revision)


def generation_config_of(path: str, *, trust_remote_code: bool, revision: str | None = None) -> GenerationConfig:
    """A checkpoint's generation config without loading its weights (from its config.json where it has none)."""
    try:
        return GenerationConfig.from_pretrained(path, revision=revision)
    except OSError:
        return GenerationConfig.from_model_config(
            AutoConfig.from_pretrained(path, trust_remote_code=trust_remote_code, revision=revision))


def keep_standard_4bit_layout(model: PreTrainedModel) -> PreTrainedModel:
    """Keep every 4-bit layer in bitsandbytes' standard NF4 layout on every CPU (in place; returned too).

    Why: on a CPU with AVX512-BF16, bitsandbytes 0.50.2 rewrites a 4-bit layer into a packed CPU layout the first
    time it runs in eval mode without grad (Trainer evaluation, `generate`). That rewrite needs in_features divisible
    by the 4-bit block size (64; the embedded widths are not, so it crashed), casts absmax to bf16 and drops double
    quantization, and is not undone when training resumes (upstream reports silent corruption around it,
    bitsandbytes issue 2078). Turning it off makes training, evaluation, prediction and merging run the same
    standard kernels on every x86 CPU; the packed path is an inference speed-up kosum does not need. GPUs never
    take that path.
    """
    for module in model.modules():
        if isinstance(module, Linear4bit):
            module.support_avx512bf16_for_cpu = False
    return model


def peft_model_for_training(
    model_name: str, recipe: QloraConfig, lora: LoraParams, precision: Precision
) -> PreTrainedModel:
    """The base `model_name` with fresh LoRA adapters; only the adapters train. Sharded, the model skips PEFT's k-bit
    preparation (it upcasts some weights to fp32, and FSDP needs one dtype), as TRL does for sharded QLoRA."""
    model = load_causal(model_name, quantize_4bit=recipe.quantize_4bit, precision=precision,
                        trust_remote_code=recipe.trust_remote_code, attn_implementation=recipe.attn_implementation,
                        revision=recipe.revision)
    if recipe.quantize_4bit and not sharded():
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=recipe.gradient_checkpointing)
    elif recipe.gradient_checkpointing:
        model.gradient_checkpointing_enable()
    return get_peft_model(model, lora_config(lora, recipe.target_modules))


def load_adapted(adapter_dir: Path, card: CausalCard, precision: Precision) -> PreTrainedModel:
    """A trained adapter on its base, loaded the way it was trained (4-bit or not)."""
    base = load_as_trained(card.base, card, precision, quantize_4bit=card.quantize_4bit)
    return PeftModel.from_pretrained(base, str(adapter_dir))


def merge_adapter(adapter_dir: Path, precision: Precision) -> Path:
    """Fold a trained adapter into an unquantized copy of its base and save it under `<adapter_dir>/merged`
    (a standalone model for serving; merging into 4-bit weights would lose precision)."""
    card = read_model_card(adapter_dir)
    base = load_as_trained(card.base, card, precision, quantize_4bit=False)
    merged = PeftModel.from_pretrained(base, str(adapter_dir)).merge_and_unload()
    out = adapter_dir / "merged"
    merged.save_pretrained(out)
    AutoTokenizer.from_pretrained(adapter_dir).save_pretrained(out)
    write_model_card(out, dataclasses.replace(card, base=None, quantize_4bit=False, revision=None))
    return out
