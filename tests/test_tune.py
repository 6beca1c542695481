"""The Optuna search (kosum.tools.tune, kosum.models.training.pruning) on a real SQLite study: pruning from inside a training run, resuming
after a kill, the search space. The real `dvc exp run` trials are in tests/test_experiments_tools.py."""

import json

import optuna
import pytest
from optuna.trial import TrialState

from kosum.core.config.loader import from_dict
from kosum.core.errors import ConfigError
from kosum.models.training.pruning import ENV, ReportToTrial, TrialLink, pruning_callbacks
from kosum.tools.config import DimensionConfig, TuneConfig
from kosum.tools.tune import distribution, open_study, run_trial, search, storage_url


def _config(**overrides):
    raw = {"study": "t", "storage": "study.db", "trials": 2, "space": {"prompt.style": {"choices": ["a", "b"]}},
           "pruner": "ThresholdPruner", "pruner_args": {"lower": 50}, **overrides}
    return from_dict(TuneConfig, raw, "tune.yaml")


class _State:
    global_step = 0


def _link(cfg, root, trial, run="train_qwen_qlora"):
    return TrialLink(storage_url(cfg, root), cfg.study, trial._trial_id, run, cfg.pruner, cfg.pruner_args)


def test_a_training_run_reports_dev_rouge_and_stops_when_pruned(tmp_path):
    cfg = _config()
    study = open_study(cfg, tmp_path)
    trial = study.ask({"prompt.style": distribution(cfg.space["prompt.style"])})
    callback = ReportToTrial(_link(cfg, tmp_path, trial), "eval_final")  # as the training process builds it
    state = _State()
    state.global_step = 125
    callback.on_evaluate(None, state, None, metrics={"eval_final": 61.0})  # above the threshold: goes on
    state.global_step = 250
    with pytest.raises(SystemExit, match=r"trial 0 pruned at step 250 \(eval_final 42.00\)"):
        callback.on_evaluate(None, state, None, metrics={"eval_final": 42.0})
    stored = study.trials[0]
    assert stored.intermediate_values == {125: 61.0, 250: 42.0} and stored.user_attrs["pruned_at_step"] == 250


def test_only_the_observed_run_gets_the_callback(tmp_path, monkeypatch):
    cfg = _config()
    study = open_study(cfg, tmp_path)
    trial = study.ask({"prompt.style": distribution(cfg.space["prompt.style"])})
    assert pruning_callbacks(tmp_path / "dvclive/train_qwen_qlora", "eval_final") == []  # no tuner: nothing
    monkeypatch.setenv(ENV, json.dumps(_link(cfg, tmp_path, trial).__dict__))
    assert pruning_callbacks(tmp_path / "dvclive/train_kobart", "eval_final") == []
    [callback] = pruning_callbacks(tmp_path / "dvclive/train_qwen_qlora", "eval_final")
    assert callback.trial.number == trial.number


def test_a_killed_search_resumes_and_reruns_the_trial_it_lost(tmp_path, monkeypatch):
    cfg = _config(trials=3)
    study = open_study(cfg, tmp_path)
    study.enqueue_trial({"prompt.style": "b"})
    lost = study.ask({"prompt.style": distribution(cfg.space["prompt.style"])})  # the tuner died during this one
    values = iter([70.0, 60.0, 65.0])
    monkeypatch.setattr("kosum.tools.tune.objective_value", lambda root, name, objective: next(values))
    commands = []

    def runner(command, cwd, env):
        commands.append(command)
        link = json.loads(env[ENV])
        assert link["run"] == "train_qwen_qlora" and link["storage"].endswith("study.db")
        return 0

    resumed = search(cfg, tmp_path, runner)
    states = [t.state for t in resumed.trials]
    assert states == [TrialState.FAIL, TrialState.COMPLETE, TrialState.COMPLETE, TrialState.COMPLETE]
    assert resumed.trials[1].params == lost.params == {"prompt.style": "b"}  # the lost params ran first
    assert resumed.trials[1].user_attrs == {"retry_of": 0, "experiment": "t-1"}
    assert commands[0][1:] == ["-m", "dvc", "exp", "run", "--temp", "--name", "t-1", "-Sprompt.style=b"]
    assert resumed.best_trial.number == 1
    assert len(search(cfg, tmp_path, runner).trials) == 4  # already finished: nothing runs


def test_a_resumed_search_draws_new_params_and_skips_finished_ones(tmp_path):
    cfg = _config(space={"train.lr": {"low": 1e-4, "high": 1e-2, "log": True}})
    lr = {"train.lr": distribution(cfg.space["train.lr"])}
    first = open_study(cfg, tmp_path)
    done = first.ask(lr)
    first.tell(done, 1.0)
    killed = first.ask(lr)  # the tuner died during this one ...
    first.enqueue_trial(done.params)
    first.ask(lr)  # ... and this one, which had params that had already finished: not run again
    resumed = open_study(cfg, tmp_path)
    assert resumed.ask(lr).params == killed.params
    assert resumed.ask(lr).params not in (done.params, killed.params)  # the first run's seed would redraw them
    assert [t.user_attrs.get("retry_of") for t in resumed.trials] == [None, None, None, 1, None]


def test_a_failed_trial_stops_the_search_and_a_pruned_one_counts(tmp_path):
    cfg = _config(trials=1)
    study = open_study(cfg, tmp_path)

    def pruned(command, cwd, env):  # the training process marks its trial, as ReportToTrial does
        optuna.Trial(study, json.loads(env[ENV])["trial_id"]).set_user_attr("pruned_at_step", 4)
        return 1

    assert run_trial(study, cfg, tmp_path, pruned).state == TrialState.PRUNED
    with pytest.raises(RuntimeError, match="trial 1 failed: `dvc exp run --temp --name t-1 .*` exited with 2"):
        run_trial(study, cfg, tmp_path, lambda command, cwd, env: 2)
    assert study.trials[1].state == TrialState.FAIL


def test_search_space_ranges_and_their_errors():
    assert distribution(DimensionConfig(low=5e-4, high=4e-3, log=True)).log
    assert distribution(DimensionConfig(low=4, high=64, integer=True)).high == 64
    for raw, message in (({"choices": ["a"], "low": 1, "high": 2}, "either choices or low and high"),
                         ({"low": 2, "high": 1}, "low must be below high"),
                         ({"low": 0, "high": 1, "log": True}, "log needs a range with low > 0")):
        with pytest.raises(ConfigError, match=message):
            from_dict(DimensionConfig, raw, "space.x")
    with pytest.raises(ConfigError, match="objective must be <model>.<metric>"):
        _config(objective="final")
