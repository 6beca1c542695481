"""Optuna search over params.yaml in which every trial is a DVC experiment: `python -m kosum.tools.tune configs/tune.yaml`.

Design choices:
- A trial is `dvc exp run --temp --name <study>-<number> -S key=value ...`: it runs in a temporary copy, so the
  workspace is never touched, DVC reuses every stage whose inputs the trial leaves unchanged, and a finished trial is
  an ordinary experiment (`dvc exp show` lists its params and scores; `dvc exp apply <name>` promotes it).
- The study lives in SQLite (`storage`). A trial still RUNNING when the search starts was killed with its tuner: it
  is marked failed and its params are enqueued again, so a kill loses at most the running trial's time.
- Pruning: the objective model's training reports its dev ROUGE at every evaluation (kosum.models.training.pruning); a pruned trial
  stops there and leaves no experiment. One tuner per study at a time.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import optuna
from dvc.api import exp_show
from optuna.distributions import BaseDistribution, CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.trial import TrialState

from kosum.core.config.loader import load_file
from kosum.core.errors import ConfigError
from kosum.core.stage import run_stage
from kosum.models.training.pruning import TrialLink, make_pruner
from kosum.tools.config import DimensionConfig, TuneConfig

Runner = Callable[[list[str], Path, dict[str, str]], int]  # command, cwd, environment -> exit status
FINISHED = (TrialState.COMPLETE, TrialState.PRUNED)


def distribution(dim: DimensionConfig) -> BaseDistribution:
    if dim.choices:
        return CategoricalDistribution(dim.choices)
    if dim.integer:
        return IntDistribution(int(dim.low), int(dim.high), log=dim.log)
    return FloatDistribution(dim.low, dim.high, log=dim.log)


def storage_url(cfg: TuneConfig, root: Path) -> str:
    path = (root / cfg.storage).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def open_study(cfg: TuneConfig, root: Path) -> optuna.Study:
    """The study, created or resumed. A resumed study's sampler is seeded with `seed` + its trial count (the same seed
    would draw the first run's params again), and a trial a killed tuner left running is marked failed and its params
    enqueued again, unless a finished trial already has them."""
    study = optuna.create_study(study_name=cfg.study, storage=storage_url(cfg, root), direction="maximize",
                                pruner=make_pruner(cfg.pruner, cfg.pruner_args), load_if_exists=True)
    study.sampler = optuna.samplers.TPESampler(seed=cfg.seed + len(study.get_trials(deepcopy=False)))
    finished = [t.params for t in study.get_trials(deepcopy=False, states=FINISHED)]
    for killed in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        study.tell(killed.number, state=TrialState.FAIL)
        if killed.params not in finished:
            study.enqueue_trial(killed.params, user_attrs={"retry_of": killed.number})
            print(f"optuna: trial {killed.number} was killed with its tuner; its params run again", flush=True)
    return study


def exp_name(cfg: TuneConfig, number: int) -> str:
    return f"{cfg.study}-{number}"


def objective_value(root: Path, name: str, objective: str) -> float:
    """The experiment's `objective` metric, as `dvc exp show` has it."""
    for row in exp_show(repo=str(root)):
        if row.get("Experiment") == name:
            values = [v for k, v in row.items() if k == objective or k.endswith(f":{objective}")]
            if values and isinstance(values[0], int | float):
                return float(values[0])
            raise ConfigError(f"experiment {name} has no metric {objective!r}; configs/tune.yaml objective must be "
                              "a column of metrics/scores.json.")
    raise ConfigError(f"experiment {name} is not in `dvc exp show`.")


def run_trial(study: optuna.Study, cfg: TuneConfig, root: Path, runner: Runner) -> optuna.trial.FrozenTrial:
    """Ask for params, run them as an experiment, tell the result (complete, pruned or failed)."""
    trial = study.ask({key: distribution(dim) for key, dim in cfg.space.items()})
    name = exp_name(cfg, trial.number)
    trial.set_user_attr("experiment", name)
    model = cfg.objective.split(".")[0]
    link = TrialLink(storage_url(cfg, root), cfg.study, trial._trial_id,  # the id another process reopens it by
                     f"train_{model}", cfg.pruner, cfg.pruner_args)
    command = [sys.executable, "-m", "dvc", "exp", "run", "--temp", "--name", name,
               *(f"-S{k}={v}" for k, v in trial.params.items())]
    print(f"optuna: trial {trial.number}: dvc {' '.join(command[3:])}", flush=True)
    status = runner(command, root, {**os.environ, **link.to_env()})
    if status == 0:
        return study.tell(trial, objective_value(root, name, cfg.objective))
    if "pruned_at_step" in study.trials[trial.number].user_attrs:
        return study.tell(trial, state=TrialState.PRUNED)
    study.tell(trial, state=TrialState.FAIL)
    raise RuntimeError(f"trial {trial.number} failed: `dvc {' '.join(command[3:])}` exited with {status} (output "
                       "above).")


def search(cfg: TuneConfig, root: Path, runner: Runner) -> optuna.Study:
    """Run trials until `cfg.trials` are finished (completed or pruned), counting those of earlier runs."""
    study = open_study(cfg, root)
    while (done := len(study.get_trials(deepcopy=False, states=FINISHED))) < cfg.trials:
        frozen = run_trial(study, cfg, root, runner)
        if frozen.state == TrialState.PRUNED:
            result = f"pruned at step {frozen.user_attrs['pruned_at_step']}"
        else:
            result = f"{cfg.objective} {frozen.value:.3f}"
        print(f"optuna: trial {frozen.number} {result}; {done + 1}/{cfg.trials} finished", flush=True)
    return study


def run_command(command: list[str], cwd: Path, env: dict[str, str]) -> int:
    """The real runner: the command's output goes to this console."""
    return subprocess.run(command, cwd=cwd, env=env).returncode


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", type=Path, help="configs/tune.yaml: study, storage, objective, pruner, space")
    parser.add_argument("--trials", type=int, help="finished trials to reach (default: the config's)")
    args = parser.parse_args(argv)
    cfg = load_file(TuneConfig, args.config)
    if args.trials:
        cfg = replace(cfg, trials=args.trials)
    study = search(cfg, Path.cwd(), run_command)
    if not study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        print("optuna: every trial was pruned; no experiment to promote")
        return
    best = study.best_trial
    print(f"optuna: best {best.user_attrs['experiment']} ({cfg.objective} {best.value:.3f}, {best.params}); "
          f"promote it with: dvc exp apply {best.user_attrs['experiment']}")


if __name__ == "__main__":
    run_stage(main)
