"""Causal LMs: pretraining the embedded Llama/Qwen3 bases, and (Q)LoRA fine-tuning of any base on the chat format.

Design choices:
- LoRA on a random base learns almost nothing, so the embedded default first pretrains a small base on the train
  split's text (a DVC stage, cached) and the fine-tune stages load it exactly as they would a hub checkpoint.
- Fine-tuning trains on packed (padding-free) batches but evaluates unpacked; dev ROUGE comes from real greedy
  generation through the same `Summarizer` that `predict` uses, and picks the best checkpoint.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import torch
from torch.nn import functional
from transformers import AutoTokenizer, GenerationConfig, PreTrainedTokenizerBase, Trainer, set_seed

from kosum.core.config.card import CausalCard, write_model_card
from kosum.core.config.decode import DecodeConfig
from kosum.core.config.embedded import BaseModelConfig, PretrainConfig
from kosum.core.config.recipes import CausalJob
from kosum.data.reading import references, topic_list
from kosum.models.attention import use_packed_attention
from kosum.models.budgets import Lengths, report
from kosum.models.chat_format import generation_stops, install_chat_format, ready_for_chat, stop_token_ids
from kosum.models.generation import Summarizer
from kosum.models.loading import (
    Precision,
    check_revision,
    detect_precision,
    embedded_decoder,
    generation_config_of,
    merge_adapter,
    peft_model_for_training,
    stabilize_adapter_config,
)
from kosum.models.prompts import IGNORE_INDEX, check_topics, training_examples
from kosum.models.training.packing import Collator, TokenCounter, packed_collator, padded_collator
from kosum.models.training.trainer import callbacks, run_folder, train_and_save, training_arguments, training_splits
from kosum.scoring.rouge import metrics_dict, score_corpus

MAX_POSITIONS = 4096  # RoPE has no learned positions; this only bounds what the config accepts
SUMMARY_MARKER = "\n\n요약: "  # between a dialogue and its summary in the base's pretraining documents


class CausalTrainer(Trainer):
    """Packed training batches, unpacked evaluation, dev ROUGE by generation, and the real-token share logged."""

    def __init__(self, *args: Any, eval_collator: Collator, eval_rows: pd.DataFrame | None,
                 card: CausalCard | None, counter: TokenCounter, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.eval_collator, self.eval_rows, self.card, self.counter = eval_collator, eval_rows, card, counter
        # `compute_loss` divides by the labelled tokens of the whole accumulated batch, so the Trainer must not divide
        # by the accumulation steps again (it would for an architecture whose forward takes no loss kwargs)
        self.model_accepts_loss_kwargs = True

    def get_eval_dataloader(self, eval_dataset=None):
        train_collator, self.data_collator = self.data_collator, self.eval_collator
        try:
            return super().get_eval_dataloader(eval_dataset)
        finally:
            self.data_collator = train_collator

    def evaluation_loop(self, dataloader, description, prediction_loss_only=None, ignore_keys=None,
                        metric_key_prefix="eval"):
        output = super().evaluation_loop(dataloader, description, prediction_loss_only=True, ignore_keys=ignore_keys,
                                         metric_key_prefix=metric_key_prefix)
        if self.eval_rows is not None:
            rows = self.eval_rows
            summarizer = Summarizer(self.model, self.processing_class, self.card)
            cfg = DecodeConfig(num_beams=1, max_new_tokens=self.card.prompt.max_summary_len,
                                 no_repeat_ngram_size=0, batch_size=self.args.per_device_eval_batch_size,
                                 block_non_korean=False)
            summaries = summarizer.summarize(list(rows["dialogue"]), topic_list(rows), cfg)
            scores = metrics_dict(score_corpus(summaries, references(rows))[0])
            output.metrics.update({f"{metric_key_prefix}_{k}": v for k, v in scores.items()})
        return output

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        loss, logits = labelled_loss(model, inputs, self.args.label_smoothing_factor, num_items_in_batch,
                                     with_logits=return_outputs)
        if num_items_in_batch is not None and self.args.average_tokens_across_devices:
            # the count is over every rank and DDP averages gradients over ranks: undo the average (as the stock
            # compute_loss does), or W processes train with a W times smaller loss
            loss = loss * self.accelerator.num_processes
        return (loss, {"logits": logits}) if return_outputs else loss

    def log(self, logs: dict[str, float], start_time: float | None = None) -> None:
        if "loss" in logs:
            logs["real_token_share"] = self.counter.share
        super().log(logs, start_time)


def labelled_loss(model: Any, inputs: dict[str, Any], label_smoothing: float = 0.0,
                  num_items: int | None = None, with_logits: bool = False) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Next-token loss with the vocabulary projection applied only at positions a label follows: the prompt is most
    of every example and needs no logits (for the embedded models the projection is most of the compute).

    The model runs through its own forward (`logits_to_keep` picks the positions), never through its submodules, so
    any architecture works and PEFT, DDP and FSDP wrappers see an ordinary call. Returns the loss and, `with_logits`,
    the logits of the labelled positions (detached; only evaluation reads them, and gathering them copies every
    labelled row: a few % of a pretraining step), else None."""
    inputs = dict(inputs)
    targets = inputs.pop("labels")[:, 1:]
    positions = torch.nonzero((targets != IGNORE_INDEX).any(dim=0)).flatten()
    logits = model(**inputs, logits_to_keep=positions).logits.float()
    targets = targets[:, positions]
    # cross_entropy skips the ignored targets itself: gathering the labelled rows first copied the logits and, in
    # backward, scattered their gradient into a zeroed tensor of the same size (a fifth of a pretraining step)
    loss = functional.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=IGNORE_INDEX,
                                    reduction="sum", label_smoothing=label_smoothing)
    keep = targets != IGNORE_INDEX
    loss = loss / (num_items if num_items is not None else keep.sum())
    return loss, (logits.detach()[keep] if with_logits else None)


def _documents(tokenizer: PreTrainedTokenizerBase, rows: pd.DataFrame, block_size: int) -> list[dict[str, list[int]]]:
    """Pretraining documents: each dialogue followed by its summary under a plain-text `요약:` line, cut to
    `block_size`, ending with EOS.

    Why joined: a hub base has read text where a conversation is followed by its recap; a base that only ever saw
    dialogues and summaries apart never links them, and LoRA cannot add that link on a 2-layer model (measured:
    docs/LOG.md, "joined pretraining documents"). The chat format stays unseen, so the zero-shot score still shows
    what fine-tuning adds.
    """
    texts = [f"{dialogue}{SUMMARY_MARKER}{summary}" for dialogue, summary in zip(rows["dialogue"], rows["summary"])]
    docs = []
    for ids in tokenizer(texts, add_special_tokens=False)["input_ids"]:
        ids = [*ids[: block_size - 1], tokenizer.eos_token_id]
        docs.append({"input_ids": ids, "labels": ids})
    return docs


def pretrain_base(base: BaseModelConfig, cfg: PretrainConfig, data_dir: Path, tokenizer_dir: Path, out_dir: Path,
                  live_dir: Path, checkpoints: Path) -> None:
    """Pretrain an embedded Llama/Qwen3 base on the train split's dialogue-and-summary documents (plain text)."""
    schedule = cfg.train
    set_seed(schedule.seed)
    precision = detect_precision(cfg.precision)  # a format this device lacks fails before any work
    tokenizer = install_chat_format(AutoTokenizer.from_pretrained(tokenizer_dir), base.family)
    model = use_packed_attention(embedded_decoder(tokenizer, base.family, base.size, MAX_POSITIONS))
    train, dev = training_splits(cfg, schedule.seed, data_dir)
    inputs = [data_dir / "train.csv", data_dir / "dev.csv", tokenizer_dir]
    run_dir, resume = run_folder([base, cfg], checkpoints, inputs)
    counter = TokenCounter(packed_collator())
    args = training_arguments(schedule, cfg, run_dir, precision, ddp_find_unused_parameters=False)
    trainer = CausalTrainer(
        model=model,
        args=args,
        train_dataset=_documents(tokenizer, train, cfg.block_size),
        eval_dataset=_documents(tokenizer, dev, cfg.block_size),
        data_collator=counter,
        processing_class=tokenizer,
        callbacks=callbacks(schedule, live_dir, resume is not None),
        eval_collator=packed_collator(),
        eval_rows=None,
        card=None,
        counter=counter,
    )
    train_and_save(trainer, resume, out_dir)


def _causal_card(job: CausalJob) -> CausalCard:
    """What `predict` needs to rebuild the model and its prompts exactly as trained."""
    return CausalCard(kind="causal", base=job.model, quantize_4bit=job.recipe.quantize_4bit,
                      trust_remote_code=job.recipe.trust_remote_code, prompt=job.prompt,
                      attn_implementation=job.recipe.attn_implementation, revision=job.recipe.revision)


def train_causal(job: CausalJob, data_dir: Path, out_dir: Path, live_dir: Path, checkpoints: Path,
                 precision: Precision | None = None) -> float:
    """(Q)LoRA-fine-tune `job.model` on the chat-formatted train split; save the best adapter (and optionally a
    merged model) to `out_dir`. Returns the real-token share of the training batches."""
    recipe = job.recipe
    set_seed(job.train.seed)
    check_revision(job.model, revision=recipe.revision, recipe="configs/qlora.yaml")
    precision = precision or detect_precision(recipe.precision)
    tokenizer = AutoTokenizer.from_pretrained(job.model, trust_remote_code=recipe.trust_remote_code,
                                              revision=recipe.revision)
    model_stops = generation_stops(generation_config_of(job.model, trust_remote_code=recipe.trust_remote_code,
                                                        revision=recipe.revision))
    tokenizer = ready_for_chat(tokenizer, job.prompt.plain_format, model_stops)
    check_topics(job.prompt, data_dir)  # before hours of training, not at predict
    train, dev = training_splits(recipe, job.train.seed, data_dir)
    lengths = Lengths()
    train_examples = training_examples(tokenizer, train.to_dict("records"), job.prompt, lengths)
    print(report(lengths, prompt_key="configs/qlora.yaml max_prompt_len", prompt_limit=job.prompt.max_prompt_len,
                 summary_key="configs/qlora.yaml max_summary_len", summary_limit=job.prompt.max_summary_len,
                 max_share=recipe.max_cut_share, share_key="configs/qlora.yaml max_cut_share"), flush=True)
    model = peft_model_for_training(job.model, recipe, job.lora, precision)
    if recipe.packing:
        use_packed_attention(model)
    # the hub config's sampling defaults would override kosum's decode settings; its stops are kept
    model.generation_config = GenerationConfig(pad_token_id=tokenizer.pad_token_id,
                                               eos_token_id=stop_token_ids(tokenizer, model_stops))
    card = _causal_card(job)
    run_dir, resume = run_folder([job], checkpoints, [data_dir / "train.csv", data_dir / "dev.csv", Path(job.model)])
    counter = TokenCounter(packed_collator() if recipe.packing else padded_collator(tokenizer.pad_token_id))
    trainer = CausalTrainer(
        model=model,
        # every LoRA weight gets a gradient; a PeftModel would make DDP look for unused ones (a graph walk per step)
        # activation checkpointing is on already where asked, PEFT's k-bit way (peft_model_for_training)
        args=training_arguments(job.train, recipe, run_dir, precision, ddp_find_unused_parameters=False,
                                activation_checkpointing=False),
        train_dataset=train_examples,
        eval_dataset=training_examples(tokenizer, dev.to_dict("records"), replace(job.prompt, instruction_variants=0)),
        data_collator=counter,
        processing_class=tokenizer,
        callbacks=callbacks(job.train, live_dir, resume is not None),
        eval_collator=padded_collator(tokenizer.pad_token_id),
        eval_rows=dev,
        card=card,
        counter=counter,
    )
    if train_and_save(trainer, resume, out_dir):
        stabilize_adapter_config(out_dir)
        write_model_card(out_dir, card)
        if recipe.merge_adapter:
            merge_adapter(out_dir, precision)
    return counter.share
