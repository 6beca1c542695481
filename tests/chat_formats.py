"""Tiny stand-ins for hub causal LMs of every prompt format kosum supports, and what each format's documentation
says the prompt must look like.

SOLAR and Gemma use the real tokenizer files vendored in tests/assets (their published templates; a 32k
SentencePiece stand-in vocabulary, see tests/real_tokenizers.py). Typed here is only what no real file here covers:
EXAONE's template (copied verbatim from its tokenizer_config.json) and polyglot-ko's special tokens (KULLM, KoAlpaca,
Alpaca prompt through kosum's plain formats); their tokenizers are trained on a few Korean lines with each model's
own special tokens, so the code under test sees what the hub checkpoint gives it. The embedded families (llama3,
chatml) use kosum's own tokenizers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import (
    GemmaConfig,
    GemmaForCausalLM,
    GPTNeoXConfig,
    GPTNeoXForCausalLM,
    LlamaConfig,
    LlamaForCausalLM,
    PreTrainedModel,
    PreTrainedTokenizerFast,
)

from kosum.data.tokenizer import train_tokenizer
from kosum.models.chat_format import install_chat_format, ready_for_chat
from tests.conftest import korean_lines, korean_tokenizer
from tests.real_tokenizers import real_tokenizer

SYSTEM = "당신은 대화를 요약하는 어시스턴트입니다."
USER = "#Person1#: 안녕하세요.\n#Person2#: 반가워요."
REPLY = "두 사람이 인사했다."

# LGAI-EXAONE/EXAONE-3.5-*-Instruct: a user turn ends with a newline only, EOS is `[|endofturn|]`.
EXAONE_TEMPLATE = (
    "{% for message in messages %}{% if loop.first and message['role'] != 'system' %}"
    "{{ '[|system|][|endofturn|]\\n' }}{% endif %}{{ '[|' + message['role'] + '|]' + message['content'] }}"
    "{% if message['role'] == 'user' %}{{ '\\n' }}{% else %}{{ '[|endofturn|]\\n' }}{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}{{ '[|assistant|]' }}{% endif %}"
)
# EleutherAI/polyglot-ko (KULLM-v2 and KoAlpaca are fine-tunes of it): no template, EOS = pad = `<|endoftext|>`.
POLYGLOT_TOKENS = {"eos_token": "<|endoftext|>", "pad_token": "<|endoftext|>"}


@dataclass(frozen=True)
class Format:
    """One prompt format: the tokenizer's special tokens and template, the architecture of its models, and the
    documented renderings of (SYSTEM, USER) as a prompt and of REPLY as the assistant turn."""

    special_tokens: dict[str, str]
    extra_tokens: tuple[str, ...]
    template: str | None
    architecture: str
    prompt: str
    reply: str  # what the template writes from the end of the prompt on
    end_of_turn: str
    after_stop: str = ""  # the template's text after the stop token (input, not a target)
    plain_format: str = "kullm"
    real: str = ""  # the tests/real_tokenizers.py row whose vendored files give the tokenizer
    tokenizer_bos: bool = False  # BOS comes from the tokenizer, not the template (SOLAR's model card)


FORMATS: dict[str, Format] = {
    "llama3": Format(
        {}, (), None, "llama",
        f"<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n{SYSTEM}<|eot_id|>"
        f"<|start_header_id|>user<|end_header_id|>\n\n{USER}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
        f"{REPLY}<|eot_id|>", "<|eot_id|>",
    ),
    "chatml": Format(
        {}, (), None, "qwen",
        f"<|im_start|>system\n{SYSTEM}<|im_end|>\n<|im_start|>user\n{USER}<|im_end|>\n<|im_start|>assistant\n",
        f"{REPLY}<|im_end|>\n", "<|im_end|>", after_stop="\n",
    ),
    "solar": Format(
        {}, (), None, "llama", f"### System:\n{SYSTEM}\n\n### User:\n{USER}\n\n### Assistant:\n", REPLY, "</s>",
        real="solar_instruct", tokenizer_bos=True,
    ),
    "gemma": Format(
        {}, (), None, "gemma",
        f"<bos><start_of_turn>user\n{SYSTEM}\n\n{USER}<end_of_turn>\n<start_of_turn>model\n",
        f"{REPLY}<end_of_turn>\n", "<end_of_turn>", after_stop="\n", real="gemma2_it",
    ),
    "exaone": Format(
        {"bos_token": "[BOS]", "eos_token": "[|endofturn|]", "unk_token": "[UNK]", "pad_token": "[PAD]"},
        ("[|system|]", "[|user|]", "[|assistant|]"), EXAONE_TEMPLATE, "llama",
        f"[|system|]{SYSTEM}[|endofturn|]\n[|user|]{USER}\n[|assistant|]",
        f"{REPLY}[|endofturn|]\n", "[|endofturn|]", after_stop="\n",
    ),
    "kullm": Format(
        POLYGLOT_TOKENS, ("<|unused0|>", "<|unused1|>", "<|sep|>"), None, "gpt_neox",
        f"{SYSTEM}\n\n### 명령어:\n{USER}\n\n### 응답:\n", f"{REPLY}<|endoftext|>", "<|endoftext|>",
    ),
    "koalpaca": Format(
        POLYGLOT_TOKENS, ("<|unused0|>", "<|unused1|>", "<|sep|>"), None, "gpt_neox",
        f"{SYSTEM}\n\n### 질문: {USER}\n\n### 답변:", f" {REPLY}<|endoftext|>", "<|endoftext|>",
        plain_format="koalpaca",
    ),
    "alpaca": Format(
        POLYGLOT_TOKENS, ("<|unused0|>", "<|unused1|>", "<|sep|>"), None, "gpt_neox",
        f"{SYSTEM}\n\n### Instruction:\n{USER}\n\n### Response:", f"{REPLY}<|endoftext|>", "<|endoftext|>",
        plain_format="alpaca",
    ),
}
HUB_FORMATS = ("solar", "gemma", "exaone", "kullm")  # one tiny model each for the model-level tests


def hub_tokenizer(name: str) -> PreTrainedTokenizerFast:
    """A tokenizer as the hub model of format `name` ships it (the embedded families' as `install_chat_format`
    builds them)."""
    fmt = FORMATS[name]
    if fmt.real:
        return real_tokenizer(fmt.real)
    if fmt.template is None and not fmt.special_tokens:
        return install_chat_format(korean_tokenizer(), fmt.architecture)
    tokenizer = train_tokenizer(korean_lines(), vocab_size=500, min_frequency=1, special_tokens=fmt.special_tokens)
    if fmt.extra_tokens:
        tokenizer.add_special_tokens({"extra_special_tokens": list(fmt.extra_tokens)}, replace_extra_special_tokens=False)
    tokenizer.chat_template = fmt.template
    return tokenizer


def format_tokenizer(name: str) -> PreTrainedTokenizerFast:
    """The tokenizer of format `name` made ready for chat by kosum."""
    return ready_for_chat(hub_tokenizer(name), FORMATS[name].plain_format)


def tiny_model(name: str, tokenizer: PreTrainedTokenizerFast) -> PreTrainedModel:
    """A random two-layer model of a hub format's architecture on `tokenizer` (the embedded families' tiny models
    are conftest's `save_tiny_base`)."""
    torch.manual_seed(0)
    fmt = FORMATS[name]
    shape = dict(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                 num_attention_heads=2, max_position_embeddings=1024, pad_token_id=tokenizer.pad_token_id,
                 eos_token_id=tokenizer.eos_token_id, bos_token_id=tokenizer.bos_token_id)
    if fmt.architecture == "llama":
        return LlamaForCausalLM(LlamaConfig(**shape, num_key_value_heads=1))
    if fmt.architecture == "gemma":
        return GemmaForCausalLM(GemmaConfig(**shape, num_key_value_heads=1, head_dim=16))
    return GPTNeoXForCausalLM(GPTNeoXConfig(**shape))


def save_tiny_model(name: str, path: Path) -> Path:
    """The tiny model of format `name` with its tokenizer, saved as the hub checkpoint would be."""
    tokenizer = hub_tokenizer(name)
    tiny_model(name, tokenizer).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path
