"""Encoder-decoder inputs, framed the way each model's tokenizer frames them, for training and `predict` alike.

Why read the frame from the tokenizer: BART's hub tokenizers write `<s> text </s>`, T5's `text </s>`, mBART-50's
`ko_KR text </s>` and mBART-cc25's `text </s> ko_KR`. Tokenizing a probe with and without special tokens shows what a
tokenizer puts around a text, as a source and as a target; one that adds nothing (KoBART's, the embedded one) gets
`<s> dialogue </s>` and `summary </s>`, as KoBART was trained. Truncation cuts only the dialogue: the source prefix
(T5's task prefix) and the special tokens always stay.
"""

from __future__ import annotations

from typing import Any

import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase

PROBE = "대화"


def own_frame(tokenizer: PreTrainedTokenizerBase, target: bool = False) -> tuple[list[int], list[int]]:
    """The special ids a tokenizer itself puts before and after a text (a source, or a target with `target`):
    BART's `<s>`/`</s>`, Llama-2's and SOLAR's BOS, nothing for Qwen's or KoBART's."""
    plain = tokenizer(PROBE, add_special_tokens=False)["input_ids"]
    full = (tokenizer(text_target=PROBE) if target else tokenizer(PROBE))["input_ids"]
    starts = [i for i in range(len(full) - len(plain) + 1) if full[i : i + len(plain)] == plain]
    if not starts:
        raise ValueError(f"tokenizer {tokenizer.name_or_path!r} changes a text's tokens when adding special tokens.")
    return full[: starts[0]], full[starts[0] + len(plain) :]


def special_frame(tokenizer: PreTrainedTokenizerBase, target: bool) -> tuple[list[int], list[int]]:
    """The special ids around a seq2seq source (or target): the tokenizer's own, else BART's."""
    before, after = own_frame(tokenizer, target)
    if before or after:
        return before, after
    bos = [tokenizer.bos_token_id] if tokenizer.bos_token_id is not None and not target else []
    return bos, [tokenizer.eos_token_id]


def encoder_ids(tokenizer: PreTrainedTokenizerBase, dialogue: str, max_len: int, source_prefix: str = "") -> list[int]:
    """`source_prefix + dialogue` in the tokenizer's source frame, the dialogue cut at the end to fit `max_len`."""
    before, after = special_frame(tokenizer, target=False)
    ids = tokenizer(source_prefix + dialogue, add_special_tokens=False)["input_ids"]
    return [*before, *ids[: max_len - len(before) - len(after)], *after]


def label_ids(tokenizer: PreTrainedTokenizerBase, summary: str, max_len: int) -> list[int]:
    """The summary in the tokenizer's target frame (`summary </s>` for BART and T5), cut to fit `max_len`; the
    decoder start token is prepended by the model's own label shift."""
    before, after = special_frame(tokenizer, target=True)
    ids = tokenizer(summary, add_special_tokens=False)["input_ids"]
    return [*before, *ids[: max_len - len(before) - len(after)], *after]


def seq2seq_example(
    tokenizer: PreTrainedTokenizerBase,
    dialogue: str,
    summary: str,
    *,
    encoder_max_len: int,
    decoder_max_len: int,
    source_prefix: str = "",
) -> dict[str, list[int]]:
    """One training example for `DataCollatorForSeq2Seq`."""
    return {
        "input_ids": encoder_ids(tokenizer, dialogue, encoder_max_len, source_prefix),
        "labels": label_ids(tokenizer, summary, decoder_max_len),
    }


def use_language(tokenizer: PreTrainedTokenizerBase, lang: str) -> None:
    """Make a multilingual tokenizer (mBART) frame sources and targets with language code `lang` (no-op for "");
    `save_pretrained` keeps the setting, so `predict` reads it back with the tokenizer."""
    if not lang:
        return
    if tokenizer.convert_tokens_to_ids(lang) in (None, tokenizer.unk_token_id):
        raise ValueError(f"tokenizer {tokenizer.name_or_path!r} has no language code {lang!r} (mBART: ko_KR).")
    tokenizer.src_lang = tokenizer.tgt_lang = lang


def decoding_start(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase) -> dict[str, Any]:
    """Generation settings that start decoding as training did: the first token the model's own label shift feeds
    the decoder, and the target frame's leading token (mBART-50's language code, hub BART's `<s>`) forced first."""
    labels = torch.tensor([label_ids(tokenizer, PROBE, 16)])
    settings: dict[str, Any] = {
        "decoder_start_token_id": int(model.prepare_decoder_input_ids_from_labels(labels=labels)[0, 0])
    }
    before, _ = special_frame(tokenizer, target=True)
    if before:
        settings["forced_bos_token_id"] = before[0]
    return settings
