"""The two chat families kosum fine-tunes (Llama-3 and ChatML/Qwen3), as special tokens plus a Jinja template.

Why: the embedded default LLMs are tiny models on our own tokenizer, yet the code that prompts, trains and decodes them
must work unchanged on `Bllossom/llama-3.2-Korean-Bllossom-3B` and `Qwen/Qwen3-4B-Instruct-2507`. So the embedded
tokenizers carry each family's real control tokens and a template that renders system/user/assistant messages and the
generation prompt byte-identically to the real one (tools, date headers and thinking blocks are left out). A hub
tokenizer keeps its own template; kosum only reads the family back from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from transformers import PreTrainedTokenizerBase

# Llama-3's template: the first message gets the BOS token, every message is trimmed.
LLAMA_TEMPLATE = (
    "{%- for message in messages -%}"
    "{%- if loop.first -%}{{ bos_token }}{%- endif -%}"
    "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' }}"
    "{{ message['content'] | trim + '<|eot_id|>' }}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif -%}"
)

# Qwen3-Instruct-2507's ChatML: no default system message and, unlike Qwen3's thinking models, no `<think>` block.
QWEN_TEMPLATE = (
    "{%- for message in messages -%}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<|im_start|>assistant\\n' }}{%- endif -%}"
)


@dataclass(frozen=True)
class ChatFamily:
    """One chat format: the control tokens a tokenizer needs and the template that uses them."""

    name: str
    header_token: str  # appears in every rendered message; identifies the family in a template or vocabulary
    end_of_turn: str  # ends an assistant reply, so it is the generation EOS and the last labelled token
    pad_token: str  # distinct from end_of_turn, so padding can never be mistaken for (or mask) a real stop
    chat_template: str
    bos_token: str | None = None
    extra_tokens: tuple[str, ...] = ()

    @property
    def special_tokens(self) -> tuple[str, ...]:
        """Every control token of the family, each to be a single id."""
        named = (self.bos_token, self.header_token, self.end_of_turn, self.pad_token)
        return tuple(t for t in named if t is not None) + self.extra_tokens


FAMILIES: dict[str, ChatFamily] = {
    "llama": ChatFamily(
        name="llama",
        header_token="<|start_header_id|>",
        end_of_turn="<|eot_id|>",
        pad_token="<|finetune_right_pad_id|>",
        chat_template=LLAMA_TEMPLATE,
        bos_token="<|begin_of_text|>",
        extra_tokens=("<|end_header_id|>",),
    ),
    "qwen": ChatFamily(
        name="qwen",
        header_token="<|im_start|>",
        end_of_turn="<|im_end|>",
        pad_token="<|endoftext|>",
        chat_template=QWEN_TEMPLATE,
    ),
}


def install_chat_format(tokenizer: PreTrainedTokenizerBase, family: str) -> PreTrainedTokenizerBase:
    """Give an embedded model's tokenizer the control tokens and template of `family` (in place; returned too).

    EOS becomes the end-of-turn token because that is where a chat reply stops; padding goes left so batched
    generation continues right after each prompt. Resize the model's embeddings to `len(tokenizer)` afterwards.
    """
    if family not in FAMILIES:
        raise ValueError(f"unknown chat family {family!r}; choose one of {sorted(FAMILIES)}.")
    fam = FAMILIES[family]
    if tokenizer.chat_template and tokenizer.chat_template != fam.chat_template:
        raise ValueError(f"tokenizer already has a different chat template; kosum does not replace it with {family!r}.")
    named = {"eos_token": fam.end_of_turn, "pad_token": fam.pad_token}
    if fam.bos_token is not None:
        named["bos_token"] = fam.bos_token
    tokenizer.add_special_tokens(
        {**named, "extra_special_tokens": [fam.header_token, *fam.extra_tokens]},
        replace_extra_special_tokens=False,
    )
    tokenizer.chat_template = fam.chat_template
    tokenizer.padding_side = "left"
    tokenizer.init_kwargs["padding_side"] = "left"  # save_pretrained persists only attributes named in init_kwargs
    return tokenizer


def family_of(tokenizer: PreTrainedTokenizerBase) -> str:
    """The chat family of a tokenizer, read from its template (hub checkpoints) or else its vocabulary."""
    template = tokenizer.chat_template if isinstance(tokenizer.chat_template, str) else ""
    for fam in FAMILIES.values():
        if fam.header_token in template or (not template and fam.header_token in tokenizer.get_vocab()):
            return fam.name
    raise ValueError(
        f"tokenizer {tokenizer.name_or_path!r} has no Llama-3 or ChatML chat format; "
        f"call install_chat_format(tokenizer, family) with one of {sorted(FAMILIES)}."
    )


def end_of_turn_id(tokenizer: PreTrainedTokenizerBase) -> int:
    """Id of the token that ends an assistant turn: the stop token for generation and the last training label."""
    return tokenizer.convert_tokens_to_ids(FAMILIES[family_of(tokenizer)].end_of_turn)


def ready_for_chat(tokenizer: PreTrainedTokenizerBase) -> PreTrainedTokenizerBase:
    """Make a tokenizer that already has a chat format (embedded or hub) safe for batched training and generation:
    a pad token distinct from end-of-turn (Llama-3 checkpoints ship none) and left padding."""
    fam = FAMILIES[family_of(tokenizer)]
    if tokenizer.pad_token is None or tokenizer.pad_token == fam.end_of_turn:
        if fam.pad_token not in tokenizer.get_vocab():
            raise ValueError(
                f"tokenizer {tokenizer.name_or_path!r} has no pad token distinct from {fam.end_of_turn} "
                f"and no {fam.pad_token} to use; add a pad token to it first."
            )
        tokenizer.pad_token = fam.pad_token
    tokenizer.padding_side = "left"
    tokenizer.init_kwargs["padding_side"] = "left"
    return tokenizer
