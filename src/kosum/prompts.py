"""Prompts for the causal LMs: three prompt styles, truncation that only ever cuts the dialogue, and label masking.

Design choices:
- Every prompt goes through the tokenizer's own chat template (`apply_chat_template`), so the embedded models and
  the hub checkpoints are prompted the way they were trained; a template that rejects system messages (Gemma's)
  gets the system prompt at the start of the user message, as Gemma 3's own template does.
- Truncation keeps the longest head of the dialogue that fits `max_prompt_len`: whole turns drop from the end and the
  last kept turn is cut at a token boundary. The system prompt, instruction, question and generation prompt are never
  touched, so the model always knows what to do. One tokenization of the full prompt (with character offsets) says
  where to cut; one more confirms the fit.
- A training example is the prompt ids exactly as `prompt_ids` builds them, followed by the assistant turn as the
  template renders it, so training and prediction cannot disagree. Only the summary and end-of-turn are labelled.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from transformers import PreTrainedTokenizerBase

from kosum.chat_format import chat_format, render
from kosum.config import PromptConfig

IGNORE_INDEX = -100  # label value the loss skips (PyTorch's CrossEntropyLoss default)

# Index 0 is the one used at prediction; the others are paraphrases for `instruction_variants` augmentation.
INSTRUCTIONS: tuple[str, ...] = (
    "다음 대화를 읽고 핵심 내용을 요약해주세요.",
    "아래 대화의 주요 내용을 간결하게 정리해주세요.",
    "주어진 대화를 몇 문장으로 요약하세요.",
    "다음 대화에서 누가 무엇을 말했는지 짧게 요약해주세요.",
    "아래 대화 내용을 한두 문장으로 간추려 주세요.",
)


def messages(dialogue: str, topic: str | None, cfg: PromptConfig, instruction_idx: int = 0) -> list[dict[str, str]]:
    """Chat messages asking for a summary of `dialogue` in `cfg.style` (an empty system prompt is left out)."""
    before, after = _user_frame(cfg.style, topic, instruction_idx)
    user = {"role": "user", "content": before + dialogue.strip() + after}
    return [{"role": "system", "content": cfg.system_prompt}, user] if cfg.system_prompt else [user]


def _user_frame(style: str, topic: str | None, instruction_idx: int) -> tuple[str, str]:
    """The user text before and after the dialogue: knowing both is what lets truncation cut only the dialogue."""
    if not 0 <= instruction_idx < len(INSTRUCTIONS):
        raise ValueError(f"instruction_idx must be within 0..{len(INSTRUCTIONS) - 1}, got {instruction_idx}.")
    if style == "simple":
        return "", "\n\n요약해주세요."
    if style == "structured":  # the Korean_DCS_2024 baseline's format
        subject = f"위 {topic.strip()} 주제에 대한 대화를" if topic and topic.strip() else "위 대화를"
        return "[Conversation]\n", f"\n\n[Question]\n{subject} 요약해주세요."
    if style == "instruction":
        return f"### Instruction:\n{INSTRUCTIONS[instruction_idx]}\n\n### Input:\n", "\n\n### Response:"
    raise ValueError(f"unknown prompt style {style!r}; choose simple, structured or instruction.")


def prompt_ids(
    tokenizer: PreTrainedTokenizerBase, dialogue: str, topic: str | None, cfg: PromptConfig, instruction_idx: int = 0
) -> list[int]:
    """Token ids of the prompt plus generation prompt, at most `cfg.max_prompt_len` long (only the dialogue is cut)."""
    return _fit(tokenizer, dialogue, topic, cfg, instruction_idx)[1]


def _render(tokenizer: PreTrainedTokenizerBase, msgs: list[dict[str, str]], add_generation_prompt: bool) -> str:
    """The template's text for `msgs`, the system prompt folded into the user message where it has no system role."""
    if msgs[0]["role"] == "system" and not chat_format(tokenizer).system_role:
        system, user, *rest = msgs
        msgs = [{"role": "user", "content": f"{system['content']}\n\n{user['content']}"}, *rest]
    return render(tokenizer, msgs, add_generation_prompt)


def _encode(tokenizer: PreTrainedTokenizerBase, text: str) -> list[int]:
    """Ids of rendered text, tokenized the way `apply_chat_template(tokenize=True)` does it."""
    return tokenizer(text, add_special_tokens=False).input_ids


def _fit(
    tokenizer: PreTrainedTokenizerBase, dialogue: str, topic: str | None, cfg: PromptConfig, instruction_idx: int
) -> tuple[list[dict[str, str]], list[int]]:
    """The messages and prompt ids with the dialogue cut to the longest head that fits `cfg.max_prompt_len`."""
    dialogue = dialogue.strip()
    msgs = messages(dialogue, topic, cfg, instruction_idx)
    text = _render(tokenizer, msgs, add_generation_prompt=True)
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    if len(enc.input_ids) <= cfg.max_prompt_len:
        return msgs, enc.input_ids
    start = _dialogue_start(tokenizer, text, dialogue, topic, cfg, instruction_idx)
    while len(enc.input_ids) > cfg.max_prompt_len:
        # Drop as many trailing dialogue tokens as the prompt is over budget, cutting where the first dropped one
        # starts (a token inside a multi-byte character starts at that character); re-tokenizing can merge a token
        # across the cut, so check again (in practice the loop runs once).
        inside = [i for i, (a, _) in enumerate(enc.offset_mapping) if start <= a < start + len(dialogue)]
        keep = len(inside) - (len(enc.input_ids) - cfg.max_prompt_len)
        if keep <= 0:
            raise ValueError(
                f"prompt.max_prompt_len={cfg.max_prompt_len} leaves no room for the dialogue after the template, "
                "system prompt and question; raise it."
            )
        dialogue = dialogue[: enc.offset_mapping[inside[keep]][0] - start].rstrip()
        msgs = messages(dialogue, topic, cfg, instruction_idx)
        text = _render(tokenizer, msgs, add_generation_prompt=True)
        enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    return msgs, enc.input_ids


def _dialogue_start(
    tokenizer: PreTrainedTokenizerBase, text: str, dialogue: str, topic: str | None, cfg: PromptConfig, idx: int
) -> int:
    """Where `dialogue` begins in the rendered prompt `text`: everything before it does not depend on the dialogue."""
    marker = "\x00kosum-dialogue\x00"
    start = _render(tokenizer, messages(marker, topic, cfg, idx), add_generation_prompt=True).index(marker)
    if text[start : start + len(dialogue)] != dialogue:
        raise ValueError("the chat template alters the dialogue text, so kosum cannot find where to truncate it.")
    return start


def training_example(
    tokenizer: PreTrainedTokenizerBase,
    dialogue: str,
    topic: str | None,
    summary: str,
    cfg: PromptConfig,
    instruction_idx: int = 0,
) -> dict[str, list[int]]:
    """`input_ids` = prompt + summary + end-of-turn (+ the template's trailer); `labels` only on summary + end-of-turn.

    The assistant turn is taken from the template's own rendering of the whole conversation, after the generation
    prompt; end-of-turn is the template's token, or EOS where the template writes none (SOLAR's). The summary is cut
    to `cfg.max_summary_len` tokens, end-of-turn included, so the stop is always learnt.
    """
    msgs, prompt = _fit(tokenizer, dialogue, topic, cfg, instruction_idx)
    prompt_text = _render(tokenizer, msgs, add_generation_prompt=True)
    reply_msg = {"role": "assistant", "content": summary.strip()}
    reply_text = _render(tokenizer, [*msgs, reply_msg], add_generation_prompt=False)[len(prompt_text) :]
    fmt = chat_format(tokenizer)
    if not reply_text.endswith(fmt.reply_suffix):
        raise ValueError("the chat template ends this reply differently from its probe reply; cannot label it.")
    body = reply_text[: len(reply_text) - len(fmt.reply_suffix)] + fmt.before_stop
    reply = _encode(tokenizer, body)[: cfg.max_summary_len - 1] + [tokenizer.convert_tokens_to_ids(fmt.end_of_turn)]
    rest = _encode(tokenizer, fmt.after_stop) if fmt.after_stop else []
    return {
        "input_ids": prompt + reply + rest,
        "labels": [IGNORE_INDEX] * len(prompt) + reply + [IGNORE_INDEX] * len(rest),
    }


def training_examples(
    tokenizer: PreTrainedTokenizerBase, rows: Iterable[Mapping[str, Any]], cfg: PromptConfig
) -> list[dict[str, list[int]]]:
    """Training examples for rows with `dialogue`, `summary` and optional `topic`.

    Without augmentation every row uses instruction 0, the one used at prediction. With `cfg.instruction_variants =
    N`, row i is repeated with instructions (i + k) mod 5 for k < N: deterministic, and every paraphrase is used
    equally often across the data.
    """
    n = cfg.instruction_variants
    return [
        training_example(tokenizer, row["dialogue"], row.get("topic"), row["summary"], cfg, idx)
        for i, row in enumerate(rows)
        for idx in ([(i + k) % len(INSTRUCTIONS) for k in range(n)] if n else [0])
    ]
