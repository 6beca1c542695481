"""Trainer wiring shared by every train stage: arguments, DVCLive, early stopping, resumable checkpoints.

Design choices:
- DVCLive is attached explicitly (transformers 5 reports to nothing by default) with `dvcyaml=None`, so it never
  rewrites `dvc.yaml`, and with the trainer's global step as x-axis (the stock callback counts log calls).
- Checkpoints live outside DVC's outputs (DVC deletes outputs before re-running a stage) in a folder named by a
  fingerprint of the settings and the data, so a killed run resumes, while a changed run never resumes a stale one.
- The best model is chosen by dev ROUGE (the kosum metric) by default; a recipe's `best_metric: loss` picks it by
  dev loss instead (steadier where the scored dev sample is small). Optuna pruning always follows dev ROUGE.
- Launched as several processes (DDP through `accelerate launch` or `torchrun`), every rank trains, one writes: DVCLive,
  the saved model, its card and the checkpoint clean-up belong to the main process only.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterable
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from accelerate import PartialState
from transformers import (
    EarlyStoppingCallback,
    EvalPrediction,
    PreTrainedTokenizerBase,
    PrinterCallback,
    Seq2SeqTrainingArguments,
    Trainer,
)
from transformers.integrations import DVCLiveCallback
from transformers.trainer_utils import get_last_checkpoint

from dvclive import Live
from kosum.core.config.params import TrainParams
from kosum.core.config.recipes import RunConfig
from kosum.data.reading import read_processed
from kosum.models.generation import clean_summary
from kosum.models.loading import Precision
from kosum.models.training.curves import CURVES, training_curves
from kosum.models.training.progress import ProgressLines
from kosum.models.training.pruning import pruning_callbacks
from kosum.scoring.rouge import metrics_dict, score_corpus

ROUGE_METRIC = "final"  # mean ROUGE-1/2/L F1 x 100 on the dev sample: what the tuner maximizes


class StepLive(DVCLiveCallback):
    """DVCLive logging with the trainer's global step as the x-axis; at the end, the curves as a PNG beside the logs
    (readable without a browser)."""

    def on_log(self, args, state, control, model=None, logs=None, **kwargs):
        if self.live is not None:
            self.live.step = state.global_step
        super().on_log(args, state, control, model=model, logs=logs, **kwargs)

    def on_train_end(self, args, state, control, **kwargs):
        if self.live is not None and state.best_metric is not None:
            self.live.summary[f"best_eval_{args.metric_for_best_model}"] = state.best_metric
            self.live.summary["best_step"] = int(Path(state.best_model_checkpoint).name.split("-")[-1])
        super().on_train_end(args, state, control, **kwargs)
        live_dir = Path(self.live.dir)
        training_curves(live_dir.name, live_dir, live_dir / CURVES)


def live_callback(live_dir: Path, resume: bool) -> StepLive:
    """A DVCLive callback writing metrics and plots under `live_dir`, continuing its history when resuming."""
    return StepLive(live=Live(dir=str(live_dir), resume=resume, save_dvc_exp=False, dvcyaml=None))


def training_arguments(
    schedule: TrainParams, run: RunConfig, output_dir: Path, precision: Precision, **overrides: Any
) -> Seq2SeqTrainingArguments:
    """HF arguments from the shared schedule and a recipe's settings; the rate is `schedule.lr x run.lr_scale`;
    evaluation and checkpoints every `eval_steps`, best by the recipe's `best_metric`."""
    settings: dict[str, Any] = dict(
        output_dir=str(output_dir),
        learning_rate=schedule.lr * run.lr_scale,
        lr_scheduler_type=schedule.scheduler,
        warmup_steps=schedule.warmup_ratio,  # transformers 5: a value below 1 is a ratio of the total steps
        weight_decay=schedule.weight_decay,
        num_train_epochs=schedule.epochs,
        max_steps=schedule.max_steps,
        per_device_train_batch_size=schedule.batch_size,
        per_device_eval_batch_size=run.eval_batch_size,
        gradient_accumulation_steps=schedule.grad_accum,
        label_smoothing_factor=run.label_smoothing,
        max_grad_norm=run.max_grad_norm,
        seed=schedule.seed,
        data_seed=schedule.seed,
        logging_steps=run.logging_steps,
        eval_strategy="steps",
        eval_steps=schedule.eval_steps,
        save_strategy="steps",
        save_steps=schedule.eval_steps,
        save_total_limit=run.save_total_limit,
        load_best_model_at_end=True,
        metric_for_best_model=run.best_metric,
        greater_is_better=run.best_metric == "final",  # ROUGE rises, loss falls
        optim=run.optimizer,
        activation_checkpointing=run.gradient_checkpointing,
        bf16=precision.bf16,
        fp16=precision.fp16,
        use_cpu=precision.device == "cpu",
        report_to=list(run.report_to) or "none",  # DVCLive is not among them: `callbacks` attaches it
        disable_tqdm=True,
    )
    settings.update(overrides)
    return Seq2SeqTrainingArguments(**settings)


def callbacks(schedule: TrainParams, live_dir: Path, resume: bool) -> list:
    """DVCLive and a progress line per log (on the main process only: `Live` writes its folder when created), early
    stopping on the recipe's `best_metric` (when a patience is set) and, in a run that `kosum.tools.tune` observes, the
    Optuna report and pruning."""
    found = [live_callback(live_dir, resume), ProgressLines(live_dir.name)] if PartialState().is_main_process else []
    if schedule.early_stopping_patience > 0:
        found.append(EarlyStoppingCallback(early_stopping_patience=schedule.early_stopping_patience))
    return found + pruning_callbacks(live_dir, f"eval_{ROUGE_METRIC}")


def training_splits(run: RunConfig, seed: int, data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The processed train split and the seeded dev sample scored during training (all of dev when
    `eval_samples` is 0 or larger than the split)."""
    train, dev = read_processed(data_dir / "train.csv"), read_processed(data_dir / "dev.csv")
    if 0 < run.eval_samples < len(dev):
        dev = dev.sample(n=run.eval_samples, random_state=seed).sort_index()
    return train, dev


def run_folder(settings: Iterable[Any], checkpoints: Path, inputs: Iterable[Path]) -> tuple[Path, str | None]:
    """The fingerprinted checkpoint folder of this run (`settings`: the values and dataclasses that shape it) and the
    checkpoint to resume from, if a killed run left one."""
    run_dir = checkpoints / fingerprint(settings, inputs)
    return run_dir, resume_point(run_dir)


def train_and_save(trainer: Trainer, resume: str | None, out_dir: Path) -> bool:
    """Train (resuming when asked), save the best model and its tokenizer to `out_dir`, then drop the checkpoints.
    Returns whether this process is the one that writes outputs (the only one, or rank 0 of several)."""
    trainer.remove_callback(PrinterCallback)  # its raw dicts: `ProgressLines` says the same, readably
    trainer.train(resume_from_checkpoint=resume)
    trainer.save_model(str(out_dir))  # collective under FSDP/DeepSpeed; writes on the main process only
    trainer.accelerator.wait_for_everyone()
    if not trainer.is_world_process_zero():
        return False
    trainer.processing_class.save_pretrained(str(out_dir))
    finish_run(Path(trainer.args.output_dir))
    return True


def fingerprint(settings: Iterable[Any], files: Iterable[Path]) -> str:
    """A short hash of the settings and the bytes of the input files: which checkpoints may be resumed."""
    values = [asdict(s) if is_dataclass(s) else s for s in settings]
    digest = hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode())
    for path in sorted(Path(p) for p in files):
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file():
                digest.update(file.name.encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def resume_point(run_dir: Path) -> str | None:
    """The last complete checkpoint of an interrupted run with the same fingerprint, if any."""
    return get_last_checkpoint(str(run_dir)) if run_dir.is_dir() else None


def finish_run(run_dir: Path) -> None:
    """Drop the checkpoints once the final model is saved (they are only for resuming)."""
    shutil.rmtree(run_dir, ignore_errors=True)


def rouge_metrics(tokenizer: PreTrainedTokenizerBase) -> Callable[[EvalPrediction], dict[str, float]]:
    """`compute_metrics` for generated token ids: kosum ROUGE of the decoded predictions against the labels."""

    def compute(prediction: EvalPrediction) -> dict[str, float]:
        pad = tokenizer.pad_token_id
        predictions = np.where(prediction.predictions != -100, prediction.predictions, pad)
        labels = np.where(prediction.label_ids != -100, prediction.label_ids, pad)
        hypotheses = [clean_summary(t) for t in tokenizer.batch_decode(predictions, skip_special_tokens=True)]
        references = [[clean_summary(t)] for t in tokenizer.batch_decode(labels, skip_special_tokens=True)]
        return metrics_dict(score_corpus(hypotheses, references)[0])

    return compute
