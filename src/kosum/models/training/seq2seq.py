"""Fine-tuning an encoder-decoder (KoBART, T5, mBART or the embedded BART) with `Seq2SeqTrainer`."""

from __future__ import annotations

from pathlib import Path

from transformers import DataCollatorForSeq2Seq, Seq2SeqTrainer, set_seed
from transformers.trainer_pt_utils import LengthGroupedSampler

from kosum.core.config.card import Seq2SeqCard, write_model_card
from kosum.core.config.params import TrainParams
from kosum.core.config.recipes import Seq2SeqConfig
from kosum.models.budgets import Lengths, report
from kosum.models.loading import detect_precision, load_seq2seq
from kosum.models.seq2seq_inputs import encoder_ids, label_ids, seq2seq_example
from kosum.models.training.trainer import (
    callbacks,
    rouge_metrics,
    run_folder,
    train_and_save,
    training_arguments,
    training_splits,
)


class Seq2SeqRun(Seq2SeqTrainer):
    """`Seq2SeqTrainer` whose length-grouped order is the same for any number of processes: the stock sampler groups
    by the per-device batch, so 2 processes x B would train on other batches than 1 process x 2B."""

    def _get_train_sampler(self, train_dataset=None):
        global_batch = self.args.train_batch_size * self.args.gradient_accumulation_steps * self.args.world_size
        return LengthGroupedSampler(global_batch, dataset=train_dataset or self.train_dataset)


def train_seq2seq(
    model_name: str,
    schedule: TrainParams,
    recipe: Seq2SeqConfig,
    data_dir: Path,
    tokenizer_dir: Path,
    out_dir: Path,
    live_dir: Path,
    checkpoints: Path,
) -> None:
    """Fine-tune `model_name` ("embedded", a hub id or a folder) on `data_dir`'s processed splits, keep the best
    checkpoint by the recipe's `best_metric` and save it with its tokenizer to `out_dir`."""
    set_seed(schedule.seed)
    precision = detect_precision(recipe.precision)  # a format this device lacks fails before any work
    model, tokenizer = load_seq2seq(model_name, recipe, tokenizer_dir)
    train, dev = training_splits(recipe, schedule.seed, data_dir)
    features = [
        [seq2seq_example(tokenizer, r.dialogue, r.summary, encoder_max_len=recipe.encoder_max_len,
                         decoder_max_len=recipe.decoder_max_len, source_prefix=recipe.source_prefix)
         for r in frame.itertuples()]
        for frame in (train, dev)
    ]
    unlimited = 1 << 30
    lengths = Lengths([len(encoder_ids(tokenizer, d, unlimited, recipe.source_prefix)) for d in train.dialogue],
                      [len(label_ids(tokenizer, s, unlimited)) for s in train.summary])
    print(report(lengths, prompt_key="configs/seq2seq.yaml encoder_max_len", prompt_limit=recipe.encoder_max_len,
                 summary_key="configs/seq2seq.yaml decoder_max_len", summary_limit=recipe.decoder_max_len,
                 max_share=recipe.max_cut_share, share_key="configs/seq2seq.yaml max_cut_share"), flush=True)
    inputs = [data_dir / "train.csv", data_dir / "dev.csv", tokenizer_dir]
    run_dir, resume = run_folder([model_name, schedule, recipe], checkpoints, inputs)
    args = training_arguments(
        schedule,
        recipe,
        run_dir,
        precision,
        predict_with_generate=True,
        generation_max_length=recipe.decoder_max_len,
        generation_num_beams=1,
        train_sampling_strategy="group_by_length",  # similar lengths per batch: less padding
    )
    trainer = Seq2SeqRun(
        model=model,
        args=args,
        train_dataset=features[0],
        eval_dataset=features[1],
        data_collator=DataCollatorForSeq2Seq(tokenizer, model=model, label_pad_token_id=-100),
        processing_class=tokenizer,
        compute_metrics=rouge_metrics(tokenizer),
        callbacks=callbacks(schedule, live_dir, resume is not None),
    )
    if train_and_save(trainer, resume, out_dir):
        write_model_card(out_dir, Seq2SeqCard(kind="seq2seq", encoder_max_len=recipe.encoder_max_len,
                                              decoder_max_len=recipe.decoder_max_len,
                                              source_prefix=recipe.source_prefix, lang=recipe.lang,
                                              attn_implementation=recipe.attn_implementation,
                                              revision=recipe.revision))
