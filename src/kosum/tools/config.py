"""configs/api.yaml and configs/tune.yaml: the opt-in tools' settings (read through kosum.core.config's loader)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from kosum.core.config.loader import check


@dataclass(frozen=True)
class ApiConfig:
    """configs/api.yaml: how the API zero-shot stage asks its endpoint (which one: params.yaml `api`)."""

    key_env: str = "UPSTAGE_API_KEY"  # the environment variable with the key; unset: no Authorization header
    temperature: float = 0.0  # greedy, as the in-process zero-shot decoding
    max_tokens: int = 96  # configs/decode.yaml's max_new_tokens for the zero-shot LLMs
    timeout_s: float = 60.0  # per request; a timeout is retried
    retries: int = 5  # after the first attempt, on 408/409/429/5xx, timeouts and malformed answers
    backoff_s: float = 1.0  # the first wait, doubled at each retry unless the server sends Retry-After
    concurrency: int = 4  # requests in flight
    cache_dir: str = "~/.cache/kosum/api"  # answers on disk, outside the repository: a rerun pays for nothing twice

    def __post_init__(self) -> None:
        check(self.key_env.isidentifier(), f"key_env must name an environment variable; got {self.key_env!r}.")
        check(self.temperature >= 0 and self.max_tokens >= 1, "temperature must be >= 0 and max_tokens >= 1.")
        check(self.timeout_s > 0 and self.retries >= 0 and self.backoff_s >= 0,
              "timeout_s must be > 0, retries and backoff_s >= 0.")
        check(self.concurrency >= 1, "concurrency must be at least 1.")


@dataclass(frozen=True)
class DimensionConfig:
    """One searched param of configs/tune.yaml: `choices`, or a `low`..`high` range."""

    choices: tuple[str | int | float, ...] = ()
    low: float | None = None
    high: float | None = None
    log: bool = False  # sample the range on a log scale (learning rates)
    integer: bool = False  # whole numbers only (LoRA r)

    def __post_init__(self) -> None:
        ranged = self.low is not None and self.high is not None
        check(bool(self.choices) != ranged, "give either choices or low and high.")
        check(not ranged or self.low < self.high, "low must be below high.")
        check(not self.log or (ranged and self.low > 0), "log needs a range with low > 0.")


@dataclass(frozen=True, kw_only=True)
class TuneConfig:
    """configs/tune.yaml: an Optuna search in which every trial is a `dvc exp run --temp -S ...` (kosum.tools.tune)."""

    study: str = "kosum"  # trials become experiments named <study>-<number>
    storage: str = ".optuna/kosum.db"  # SQLite file (relative: to the project root): a killed search resumes
    trials: int = 8  # finished trials (completed or pruned) to reach
    objective: str = "qwen_qlora.dev_final"  # a metrics/scores.json column, maximised
    seed: int = 42  # TPE sampler
    pruner: str = "MedianPruner"  # an optuna.pruners class, fed the dev ROUGE of the objective model's training
    pruner_args: dict[str, float] = dataclasses.field(
        default_factory=lambda: {"n_startup_trials": 2, "n_warmup_steps": 250})
    space: dict[str, DimensionConfig]  # params.yaml key -> its range; required: the search itself

    def __post_init__(self) -> None:
        check(self.trials >= 1, "trials must be at least 1.")
        check(self.objective.count(".") == 1, "objective must be <model>.<metric>, e.g. qwen_qlora.dev_final.")
        check(bool(self.space), "space must name at least one params.yaml key to search.")
