"""Prompts for the causal LMs: three prompt styles, truncation that only ever cuts the dialogue, and label masking.

Design choices:
- Every prompt goes through the tokenizer's own chat template (`apply_chat_template`), so the embedded models and
  the hub checkpoints are prompted the way they were trained; a template that rejects system messages (Gemma's)
  gets the system prompt at the start of the user message, as Gemma 3's own template does.
- Truncation keeps the longest head of the dialogue that fits `max_prompt_len`: whole turns drop from the end and the
  last kept turn is cut at a token boundary. The system prompt, instruction, question and generation prompt are never
  touched, so the model always knows what to do. One tokenization of the full prompt (with character offsets) says
  where to cut; one more confirms the fit.
- A training example is the template's own one-pass tokenization of the whole conversation (tokenizing prompt and
  reply apart splits `\n\n` in two and gives SentencePiece's reply a stray `▁`); its first tokens must be exactly the
  prompt ids `prompt_ids` gives at prediction, or kosum refuses it. Only the reply and its stop are labelled; the
  prompt is the rendered conversation up to the reply, so an empty think block is input, never a target.
- Exactly one BOS: where the template writes none but the tokenizer adds one itself (SOLAR, as its model card calls
  it), kosum adds it too.
- Lengths are recorded while examples are built, so the stage can say how many prompts and summaries a budget cuts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from transformers import PreTrainedTokenizerBase

from kosum.core.config.recipes import DEFAULT_SYSTEM_PROMPT, PromptConfig
from kosum.core.errors import ConfigError
from kosum.data.reading import splits_without_topic
from kosum.models.budgets import Lengths
from kosum.models.chat_format import chat_format, is_plain, render
from kosum.models.seq2seq_inputs import own_frame

IGNORE_INDEX = -100  # label value the loss skips (PyTorch's CrossEntropyLoss default)

# Index 0 is the one used at prediction; the others are paraphrases for `instruction_variants` augmentation.
INSTRUCTIONS: tuple[str, ...] = (
    "다음 대화를 읽고 핵심 내용을 요약해주세요.",
    "아래 대화의 주요 내용을 간결하게 정리해주세요.",
    "주어진 대화를 몇 문장으로 요약하세요.",
    "다음 대화에서 누가 무엇을 말했는지 짧게 요약해주세요.",
    "아래 대화 내용을 한두 문장으로 간추려 주세요.",
)


def messages(dialogue: str, topic: str | None, cfg: PromptConfig, instruction_idx: int = 0, *,
             plain: bool = False) -> list[dict[str, str]]:
    """Chat messages asking for a summary of `dialogue` in `cfg.style`, naming `topic` only where `cfg.topic` says
    to. The system prompt is `cfg.system_prompt`; when unset, kosum's default, except in a `plain` format, whose own
    preamble (KULLM's) then stays; "" leaves it out."""
    before, after = _user_frame(cfg.style, topic if cfg.topic else None, instruction_idx)
    user = {"role": "user", "content": before + dialogue.strip() + after}
    system = cfg.system_prompt if cfg.system_prompt is not None else "" if plain else DEFAULT_SYSTEM_PROMPT
    return [{"role": "system", "content": system}, user] if system else [user]


def check_topics(cfg: PromptConfig, data_dir: Path) -> None:
    """A prompt with the topic needs one in every split, or some split is asked in a shape training never showed."""
    missing = splits_without_topic(data_dir) if cfg.topic else []
    if missing:
        raise ConfigError(f"configs/qlora.yaml topic is true, but {data_dir / missing[0]}.csv has no topic column "
                          "(the competition's test has none): set topic: false.")


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
    """Token ids of the prompt up to the reply, at most `cfg.max_prompt_len` long (only the dialogue is cut)."""
    return _fit(tokenizer, dialogue, topic, cfg, instruction_idx)[2]


def prompt_text(tokenizer: PreTrainedTokenizerBase, msgs: list[dict[str, str]], cfg: PromptConfig) -> str:
    """The conversation's text up to the reply: the generation prompt and what the template writes before a reply
    (an empty think block)."""
    return (render(tokenizer, _folded(tokenizer, msgs), add_generation_prompt=True, date=cfg.template_date)
            + chat_format(tokenizer).prompt_lead)


def _full_text(tokenizer: PreTrainedTokenizerBase, msgs: list[dict[str, str]], summary: str,
               cfg: PromptConfig) -> str:
    """The rendered conversation with `summary` as the reply."""
    reply = {"role": "assistant", "content": summary}
    return render(tokenizer, [*_folded(tokenizer, msgs), reply], add_generation_prompt=False, date=cfg.template_date)


def _folded(tokenizer: PreTrainedTokenizerBase, msgs: list[dict[str, str]]) -> list[dict[str, str]]:
    """`msgs` with the system prompt at the start of the user message where the template has no system role."""
    if msgs[0]["role"] == "system" and not chat_format(tokenizer).system_role:
        system, user, *rest = msgs
        return [{"role": "user", "content": f"{system['content']}\n\n{user['content']}"}, *rest]
    return msgs


def _tokenize(tokenizer: PreTrainedTokenizerBase, text: str) -> tuple[list[int], list[tuple[int, int]], int]:
    """Ids and character offsets of rendered text, with the BOS the tokenizer itself adds put in front where the
    template wrote none; the last value is how many ids were put in front (0 or 1)."""
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    ids, offsets = list(enc.input_ids), list(enc.offset_mapping)
    bos = own_frame(tokenizer)[0]
    if bos and ids[: len(bos)] != bos:
        return bos + ids, [(0, 0)] * len(bos) + offsets, len(bos)
    return ids, offsets, 0


def _fit(
    tokenizer: PreTrainedTokenizerBase, dialogue: str, topic: str | None, cfg: PromptConfig, instruction_idx: int,
    lengths: Lengths | None = None,
) -> tuple[list[dict[str, str]], str, list[int]]:
    """The messages, prompt text and prompt ids with the dialogue cut to the longest head that fits
    `cfg.max_prompt_len`."""
    dialogue, plain = dialogue.strip(), is_plain(tokenizer)
    msgs = messages(dialogue, topic, cfg, instruction_idx, plain=plain)
    text = prompt_text(tokenizer, msgs, cfg)
    ids, offsets, _ = _tokenize(tokenizer, text)
    if lengths is not None:
        lengths.prompts.append(len(ids))
    if len(ids) <= cfg.max_prompt_len:
        return msgs, text, ids
    start = _dialogue_start(tokenizer, text, dialogue, topic, cfg, instruction_idx)
    while len(ids) > cfg.max_prompt_len:
        # Drop as many trailing dialogue tokens as the prompt is over budget, cutting where the first dropped one
        # starts (a token inside a multi-byte character starts at that character); re-tokenizing can merge a token
        # across the cut, so check again (in practice the loop runs once).
        inside = [i for i, (a, b) in enumerate(offsets) if b > a and start <= a < start + len(dialogue)]
        keep = len(inside) - (len(ids) - cfg.max_prompt_len)
        if keep <= 0:
            raise ValueError(
                f"prompt.max_prompt_len={cfg.max_prompt_len} leaves no room for the dialogue after the template, "
                "system prompt and question; raise it."
            )
        dialogue = dialogue[: offsets[inside[keep]][0] - start].rstrip()
        msgs = messages(dialogue, topic, cfg, instruction_idx, plain=plain)
        text = prompt_text(tokenizer, msgs, cfg)
        ids, offsets, _ = _tokenize(tokenizer, text)
    return msgs, text, ids


def _dialogue_start(
    tokenizer: PreTrainedTokenizerBase, text: str, dialogue: str, topic: str | None, cfg: PromptConfig, idx: int
) -> int:
    """Where `dialogue` begins in the rendered prompt `text`: everything before it does not depend on the dialogue."""
    marker = "\x00kosum-dialogue\x00"
    msgs = messages(marker, topic, cfg, idx, plain=is_plain(tokenizer))
    start = prompt_text(tokenizer, msgs, cfg).index(marker)
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
    lengths: Lengths | None = None,
) -> dict[str, list[int]]:
    """`input_ids` = the whole conversation tokenized in one pass; `labels` only on the reply and its stop.

    The reply's tokens are those after the prompt's text; the stop is the template's end-of-turn token, or EOS
    where the template writes none (SOLAR's). The reply is cut to `cfg.max_summary_len` tokens, stop included, so
    the stop is always learnt; what the template writes after the stop (ChatML's newline) is input only.
    """
    msgs, head, prompt = _fit(tokenizer, dialogue, topic, cfg, instruction_idx, lengths)
    fmt, summary = chat_format(tokenizer), summary.strip()
    full = _full_text(tokenizer, msgs, summary, cfg)
    if full != head + fmt.reply_space + summary + fmt.reply_suffix:
        raise ValueError("the chat template writes this reply differently from its probe reply; cannot label it.")
    ids, offsets, added = _tokenize(tokenizer, full)
    n_prompt = added + sum(1 for a, _ in offsets[added:] if a < len(head))
    if ids[:n_prompt] != prompt:
        raise ValueError(
            f"tokenizer {tokenizer.name_or_path!r}: the prompt tokenizes differently alone than followed by its reply "
            "(a token spans the end of the prompt), so training would not see what generation sees."
        )
    stop_id = tokenizer.convert_tokens_to_ids(fmt.end_of_turn)
    if fmt.stop_written:
        at = len(head) + len(fmt.reply_space) + len(summary) + len(fmt.before_stop)
        end = next(i for i in range(n_prompt, len(ids)) if offsets[i][0] >= at and ids[i] == stop_id)
        reply, rest = ids[n_prompt:end], ids[end + 1 :]
    else:
        reply, rest = ids[n_prompt:], []
    if lengths is not None:
        lengths.summaries.append(len(reply) + 1)
    reply = reply[: cfg.max_summary_len - 1] + [stop_id]
    return {
        "input_ids": prompt + reply + rest,
        "labels": [IGNORE_INDEX] * len(prompt) + reply + [IGNORE_INDEX] * len(rest),
    }


def training_examples(
    tokenizer: PreTrainedTokenizerBase, rows: Iterable[Mapping[str, Any]], cfg: PromptConfig,
    lengths: Lengths | None = None,
) -> list[dict[str, list[int]]]:
    """Training examples for rows with `dialogue`, `summary` and optional `topic` (their untruncated prompt and
    summary lengths added to `lengths`).

    Without augmentation every row uses instruction 0, the one used at prediction. With `cfg.instruction_variants =
    N`, row i is repeated with instructions (i + k) mod 5 for k < N: deterministic, and every paraphrase is used
    equally often across the data.
    """
    n = cfg.instruction_variants
    return [
        training_example(tokenizer, row["dialogue"], row.get("topic"), row["summary"], cfg, idx, lengths)
        for i, row in enumerate(rows)
        for idx in ([(i + k) % len(INSTRUCTIONS) for k in range(n)] if n else [0])
    ]
