"""Encoder-decoder inputs: one function each for the dialogue and the summary, used by training and `predict`."""

from __future__ import annotations

from transformers import PreTrainedTokenizerBase


def encoder_ids(tokenizer: PreTrainedTokenizerBase, dialogue: str, max_len: int) -> list[int]:
    """`<s> dialogue </s>`, the dialogue cut at the end to fit `max_len` (BOS/EOS added explicitly because
    tokenizers differ in what they add by themselves)."""
    ids = tokenizer(dialogue, add_special_tokens=False)["input_ids"][: max_len - 2]
    return [tokenizer.bos_token_id, *ids, tokenizer.eos_token_id]


def label_ids(tokenizer: PreTrainedTokenizerBase, summary: str, max_len: int) -> list[int]:
    """`summary </s>`: the decoder start token is prepended by the model's own label shift."""
    ids = tokenizer(summary, add_special_tokens=False)["input_ids"][: max_len - 1]
    return [*ids, tokenizer.eos_token_id]


def seq2seq_example(
    tokenizer: PreTrainedTokenizerBase, dialogue: str, summary: str, encoder_max_len: int, decoder_max_len: int
) -> dict[str, list[int]]:
    """One training example for `DataCollatorForSeq2Seq`."""
    return {
        "input_ids": encoder_ids(tokenizer, dialogue, encoder_max_len),
        "labels": label_ids(tokenizer, summary, decoder_max_len),
    }
