"""One readable line per logging step in `dvc repro`'s output, instead of the Trainer's raw dicts.

Why not tqdm: DVC passes a stage's output through, and a bar redrawn in a log that is not a terminal is a line per
redraw. Here: which run, step/total, the loss and rate, time elapsed and left; one line per evaluation with the dev
score that picks the checkpoint. Only the main process prints (several processes train one model).
"""

from __future__ import annotations

import time

from transformers import TrainerCallback


def clock(seconds: float | None) -> str:
    """`1:02:03` / `4:05`; `?` before the rate is known."""
    if seconds is None:
        return "?"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class ProgressLines(TrainerCallback):
    """Prints `<name>: step 125/375 (33 %), loss 1.234, lr 1.97e-03, 0:41 elapsed, 1:22 left` at every log."""

    def __init__(self, name: str):
        self.name, self.started, self.first_step = name, 0.0, 0

    def on_train_begin(self, args, state, control, **kwargs):
        self.started, self.first_step = time.monotonic(), state.global_step  # a resumed run's rate starts here

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not state.is_world_process_zero or not logs:
            return
        step, total = state.global_step, state.max_steps
        elapsed = time.monotonic() - self.started
        done = step - self.first_step
        left = (total - step) * elapsed / done if done > 0 else None
        where = f"{self.name}: step {step}/{total} ({100 * step / max(total, 1):.0f} %)"
        if "eval_final" in logs:
            print(f"{where}, dev final {logs['eval_final']:.2f} (loss {logs.get('eval_loss', float('nan')):.3f}) on "
                  "the dev sample that picks the checkpoint", flush=True)
        elif "loss" in logs:
            print(f"{where}, loss {float(logs['loss']):.3f}, lr {float(logs.get('learning_rate', 0)):.2e}, "
                  f"{clock(elapsed)} elapsed, {clock(left)} left", flush=True)
        elif "train_runtime" in logs:
            print(f"{self.name}: done, {step} steps in {clock(float(logs['train_runtime']))}", flush=True)
