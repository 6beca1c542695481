"""Fine-tuning an encoder-decoder (KoBART or the embedded BART) with `Seq2SeqTrainer`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from transformers import DataCollatorForSeq2Seq, Seq2SeqTrainer, set_seed

from kosum.config import Seq2SeqConfig
from kosum.data import read_processed
from kosum.features import seq2seq_example
from kosum.models import detect_precision, load_seq2seq, write_model_card
from kosum.training import callbacks, finish_run, fingerprint, resume_point, rouge_metrics, training_arguments


def eval_sample(frame: pd.DataFrame, size: int, seed: int) -> pd.DataFrame:
    """The dev rows scored during training: a seeded sample (all rows when `size` is 0 or too large)."""
    if size == 0 or size >= len(frame):
        return frame
    return frame.sample(n=size, random_state=seed).sort_index()


def train_seq2seq(
    cfg: Seq2SeqConfig,
    data_dir: Path,
    tokenizer_dir: Path,
    out_dir: Path,
    live_dir: Path,
    checkpoints: Path,
) -> None:
    """Train on `data_dir`'s processed splits, keep the best checkpoint by dev ROUGE and save it with its
    tokenizer to `out_dir`."""
    set_seed(cfg.seed)
    model, tokenizer = load_seq2seq(cfg, tokenizer_dir)
    train = read_processed(data_dir / "train.csv")
    dev = eval_sample(read_processed(data_dir / "dev.csv"), cfg.eval_samples, cfg.seed)
    features = [
        [seq2seq_example(tokenizer, r.dialogue, r.summary, cfg.encoder_max_len, cfg.decoder_max_len)
         for r in frame.itertuples()]
        for frame in (train, dev)
    ]
    run_dir = checkpoints / fingerprint(cfg, [data_dir / "train.csv", data_dir / "dev.csv", tokenizer_dir])
    resume = resume_point(run_dir)
    args = training_arguments(
        cfg,
        run_dir,
        detect_precision(),
        predict_with_generate=True,
        generation_max_length=cfg.decoder_max_len,
        generation_num_beams=1,
        train_sampling_strategy="group_by_length",  # similar lengths per batch: less padding
    )
    trainer = Seq2SeqTrainer(
        model=model,
        args=args,
        train_dataset=features[0],
        eval_dataset=features[1],
        data_collator=DataCollatorForSeq2Seq(tokenizer, model=model, label_pad_token_id=-100),
        processing_class=tokenizer,
        compute_metrics=rouge_metrics(tokenizer),
        callbacks=callbacks(cfg, live_dir, resume is not None),
    )
    trainer.train(resume_from_checkpoint=resume)
    trainer.save_model(str(out_dir))
    tokenizer.save_pretrained(str(out_dir))
    write_model_card(out_dir, "seq2seq", encoder_max_len=cfg.encoder_max_len, decoder_max_len=cfg.decoder_max_len)
    finish_run(run_dir)
