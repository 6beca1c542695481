"""Batched decoding for encoder-decoder and causal LMs behind one `Summarizer`, and output clean-up.

Design choices:
- Inputs are sorted by length before batching, so a batch pads to a similar length and no compute is wasted.
- Causal LMs are padded on the left (generation appends on the right), receive no `token_type_ids`, stop at the
  template's end-of-turn token, EOS or any eos id of the model's generation config, and only the new tokens are
  decoded.
- Non-Korean scripts (Han, kana, Cyrillic, ...) can be blocked with ids computed from the vocabulary itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torch
from tqdm.auto import tqdm
from transformers import (
    AutoModelForSeq2SeqLM,
    AutoTokenizer,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)

from kosum.core.config.card import MODEL_CARD, CausalCard, ModelCard, read_model_card
from kosum.core.config.decode import DecodeConfig
from kosum.core.config.recipes import PromptConfig
from kosum.core.errors import ConfigError
from kosum.data.tokenizer import glue_after_tags
from kosum.models.chat_format import generation_stops, ready_for_chat, stop_token_ids
from kosum.models.loading import detect_precision, load_adapted, load_as_trained
from kosum.models.prompts import prompt_ids
from kosum.models.seq2seq_inputs import encoder_ids

_REMNANTS = re.compile(r"<\|[^|>]{1,40}\|>|</?s>|<pad>|<unk>|<mask>|<usr>|<sys>")
_NON_KOREAN = re.compile(
    "[\u0370-\u03ff\u0400-\u04ff\u0590-\u05ff\u0600-\u06ff\u0e00-\u0e7f"  # Greek, Cyrillic, Hebrew, Arabic, Thai
    "\u3040-\u30ff\u31f0-\u31ff"  # kana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"  # Han ideographs
)


def clean_summary(text: str) -> str:
    """Strip special-token and chat-template remnants and collapse whitespace; tags like `#Person1#` stay. A
    thinking model's reasoning is dropped: the summary is what follows the last `</think>` (`<think>` is an
    ordinary token in Qwen3's vocabulary, so decoding keeps it)."""
    text = text.rpartition("</think>")[2].replace("<think>", " ")
    return " ".join(_REMNANTS.sub(" ", text).split())


def non_korean_token_ids(tokenizer: PreTrainedTokenizerBase) -> list[int]:
    """Ids of every vocabulary entry whose text contains a blocked script (bytes that are only part of a
    character cannot be judged alone and stay allowed)."""
    return [i for i in range(len(tokenizer)) if _NON_KOREAN.search(tokenizer.decode([i]))]


def length_sorted_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Indices grouped into batches of similar length, longest first (an out-of-memory error shows at once)."""
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


@dataclass
class Summarizer:
    """A trained model with the settings it was trained with; `summarize` works the same for both kinds."""

    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase
    card: ModelCard

    @property
    def causal(self) -> bool:
        return self.card.causal

    def encode(self, dialogue: str, topic: str | None, instruction_idx: int = 0) -> list[int]:
        """The model input for one dialogue, built exactly as in training (a causal LM's instruction: the
        `instruction_idx`-th paraphrase, for prompt variants)."""
        if self.causal:
            return prompt_ids(self.tokenizer, dialogue, topic, self.card.prompt, instruction_idx)
        return encoder_ids(self.tokenizer, dialogue, self.card.encoder_max_len, self.card.source_prefix)

    def summarize(
        self, dialogues: Sequence[str], topics: Sequence[str | None], cfg: DecodeConfig, *, progress: bool = False
    ) -> list[str]:
        """Summaries in input order, generated in length-sorted batches."""
        found = self.candidates(dialogues, topics, replace(cfg, n_best=1, samples=0), progress=progress,
                                label="summarizing")
        return [texts[0] for texts in found]

    def candidates(
        self, dialogues: Sequence[str], topics: Sequence[str | None], cfg: DecodeConfig, *, progress: bool = False,
        instruction_idx: int = 0, at_cap: list[bool] | None = None, label: str = "generating",
    ) -> list[list[str]]:
        """Per dialogue, in input order: the `n_best` beams (best first: the first is the prediction), then the
        `samples` seeded samples. Length-sorted batches; one beam pass and one sampling pass per batch. `at_cap`, if
        given, is filled per dialogue with whether its first beam used all `max_new_tokens` (cut by the cap); `label`
        names the progress bar (model, split, candidate source)."""
        self.model.eval()
        inputs = [self.encode(d, t, instruction_idx) for d, t in zip(dialogues, topics, strict=True)]
        passes = [self.generate_kwargs(cfg) | {"num_return_sequences": cfg.n_best}]
        if cfg.samples:
            passes.append(passes[0] | {"do_sample": True, "num_beams": 1, "temperature": cfg.temperature,
                                       "top_p": cfg.top_p, "num_return_sequences": cfg.samples})
        outputs: list[list[str]] = [[] for _ in inputs]
        capped = [False] * len(inputs)
        with torch.inference_mode(), tqdm(total=len(inputs), desc=label, disable=not progress) as bar:
            for batch in length_sorted_batches([len(x) for x in inputs], cfg.batch_size):
                for n, kwargs in enumerate(passes):
                    texts, ran_to_cap = self._generate([inputs[i] for i in batch], kwargs)
                    per_input = len(texts) // len(batch)
                    for k, index in enumerate(batch):
                        outputs[index] += texts[k * per_input : (k + 1) * per_input]
                        if n == 0:
                            capped[index] = ran_to_cap[k * per_input]
                bar.update(len(batch))
        if at_cap is not None:
            at_cap[:] = capped
        return outputs

    def generate_kwargs(self, cfg: DecodeConfig) -> dict[str, Any]:
        kwargs: dict[str, Any] = dict(
            num_beams=cfg.num_beams,
            max_new_tokens=cfg.max_new_tokens,
            no_repeat_ngram_size=cfg.no_repeat_ngram_size,
            repetition_penalty=cfg.repetition_penalty,
            do_sample=False,
            pad_token_id=self.tokenizer.pad_token_id,
        )
        if cfg.num_beams > 1:  # beam search's own flags: greedy decoding warned about them on every call
            kwargs.update(length_penalty=cfg.length_penalty, early_stopping=cfg.early_stopping)
        if self.causal:
            kwargs["eos_token_id"] = stop_token_ids(self.tokenizer, generation_stops(self.model.generation_config))
        if cfg.block_non_korean:
            kwargs["suppress_tokens"] = non_korean_token_ids(self.tokenizer)
        return kwargs

    def stop_ids(self, kwargs: dict[str, Any]) -> set[int]:
        """The token ids that end a summary: the causal LM's stops, the encoder-decoder's EOS."""
        ids = kwargs.get("eos_token_id", self.model.generation_config.eos_token_id)
        return set(ids) if isinstance(ids, (list, tuple)) else {ids}

    def _generate(self, batch: list[list[int]], kwargs: dict[str, Any]) -> tuple[list[str], list[bool]]:
        """The decoded sequences, and for each whether it used every one of its `max_new_tokens`: no stop token, or
        one in the last place, where BART's `forced_eos_token_id` puts it in a summary cut by the cap."""
        width = max(len(x) for x in batch)
        pad = self.tokenizer.pad_token_id
        # Left padding for causal LMs (new tokens are appended on the right); right padding for encoders.
        rows = [[pad] * (width - len(x)) + x if self.causal else x + [pad] * (width - len(x)) for x in batch]
        masks = [[0] * (width - len(x)) + [1] * len(x) if self.causal else [1] * len(x) + [0] * (width - len(x))
                 for x in batch]
        device = self.model.device
        generated = self.model.generate(
            input_ids=torch.tensor(rows, device=device), attention_mask=torch.tensor(masks, device=device), **kwargs
        )
        # the new tokens: after the prompt of a causal LM; after the decoder's start token (BART's is its EOS)
        generated = generated[:, width:] if self.causal else generated[:, 1:]
        is_stop = torch.isin(generated, torch.tensor(sorted(self.stop_ids(kwargs)), device=generated.device))
        first_stop = torch.where(is_stop.any(dim=1), is_stop.int().argmax(dim=1), generated.shape[1])
        ran_to_cap = (first_stop >= kwargs["max_new_tokens"] - 1).tolist()
        return [clean_summary(t) for t in self.tokenizer.batch_decode(generated, skip_special_tokens=True)], ran_to_cap


def model_card(model: str | Path, prompt: PromptConfig | None = None) -> ModelCard:
    """The card of a model folder a kosum train stage wrote; with `prompt`, one for a plain causal LM (zero-shot).
    Read before the model loads, so a wrong folder or decode setting fails in seconds."""
    path = Path(model)
    if (path / MODEL_CARD).exists():
        return read_model_card(path)
    if prompt is not None:
        return CausalCard(kind="causal", base=str(model), quantize_4bit=False, trust_remote_code=False, prompt=prompt)
    if not path.is_dir():
        raise ConfigError(f"{path}: no such model folder; pass the folder a train stage wrote (e.g. models/kobart).")
    raise ConfigError(f"{path}: not a kosum model folder (no {MODEL_CARD}); pass the folder a train stage wrote, "
                      "or add --zero-shot configs/qlora.yaml to prompt an untuned causal LM.")


def load_summarizer(model: str | Path, prompt: PromptConfig | None = None) -> Summarizer:
    """Load a model folder written by a kosum train stage (full model or LoRA adapter) for generation; with
    `prompt`, a plain causal LM without a kosum card too (zero-shot screening of a base model)."""
    path, precision, card = Path(model), detect_precision(), model_card(model, prompt)
    remote_code = card.causal and card.trust_remote_code
    tokenizer = AutoTokenizer.from_pretrained(str(model), trust_remote_code=remote_code)
    if not card.causal:
        glue_after_tags(tokenizer)  # tokenizer classes that rebuild their pipeline on load (mBART) forget it
        loaded = AutoModelForSeq2SeqLM.from_pretrained(str(model), attn_implementation=card.attn_implementation)
        loaded = loaded.to(precision.device)
        # kosum always passes max_new_tokens; BART's stored max_length (20) only made transformers warn every batch
        loaded.generation_config.max_length = None
    elif (path / "adapter_config.json").exists():
        loaded = load_adapted(path, card, precision)
    else:
        loaded = load_as_trained(str(model), card, precision, quantize_4bit=False)
    if card.causal:
        tokenizer = ready_for_chat(tokenizer, card.prompt.plain_format, generation_stops(loaded.generation_config))
    return Summarizer(loaded, tokenizer, card)
