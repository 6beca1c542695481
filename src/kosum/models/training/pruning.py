"""Optuna pruning inside a training run that `kosum.tools.tune` started through `dvc exp run`.

Why an environment variable: the trial belongs to the tuner's process and the training to a stage that DVC starts,
so the tuner passes the study's storage and the trial's id in `KOSUM_TRIAL`, and the training run named there
reports its dev ROUGE after every evaluation. A pruned run exits with a message, so DVC records no experiment.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from transformers import TrainerCallback

ENV = "KOSUM_TRIAL"


@dataclass(frozen=True)
class TrialLink:
    """What a training process needs to report to the tuner's trial."""

    storage: str  # the study's database URL
    study: str
    trial_id: int
    run: str  # the DVCLive run that reports (train_<objective model>); the others train unobserved
    pruner: str  # an optuna.pruners class and its arguments: the pruner lives in no storage
    pruner_args: dict[str, float] = field(default_factory=dict)

    def to_env(self) -> dict[str, str]:
        return {ENV: json.dumps(asdict(self))}


def make_pruner(name: str, args: dict[str, float]):
    """`optuna.pruners.<name>(**args)`, whole numbers passed as ints (YAML and JSON give floats)."""
    import optuna

    kwargs = {k: int(v) if float(v).is_integer() else v for k, v in args.items()}
    return getattr(optuna.pruners, name)(**kwargs)


class ReportToTrial(TrainerCallback):
    """Reports `metric` at every evaluation; when the pruner says so, stops the run (exit status 1)."""

    def __init__(self, link: TrialLink, metric: str) -> None:
        import optuna

        study = optuna.load_study(study_name=link.study, storage=link.storage,
                                  pruner=make_pruner(link.pruner, link.pruner_args))
        self.trial, self.metric = optuna.Trial(study, link.trial_id), metric

    def on_evaluate(self, args, state, control, metrics=None, **kwargs):
        value = metrics[self.metric]
        self.trial.report(value, state.global_step)
        if self.trial.should_prune():
            self.trial.set_user_attr("pruned_at_step", state.global_step)
            sys.exit(f"optuna: trial {self.trial.number} pruned at step {state.global_step} ({self.metric} {value:.2f})")


def pruning_callbacks(live_dir: Path, metric: str) -> list[TrainerCallback]:
    """The reporting callback when the tuner started this run and it is the one observed; otherwise none."""
    raw = os.environ.get(ENV)
    if not raw:
        return []
    link = TrialLink(**json.loads(raw))
    return [ReportToTrial(link, metric)] if Path(live_dir).name == link.run else []
