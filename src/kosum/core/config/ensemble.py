"""configs/ensemble.yaml: which candidates the MBR ensemble selects among, and the members' weights."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kosum.core.config.loader import check, from_dict, load_params


@dataclass(frozen=True)
class EnsembleConfig:
    """configs/ensemble.yaml: which candidates of which fine-tuned models the MBR selection weighs.

    Its own file (not a section of configs/decode.yaml, which every predict stage depends on), so that a sweep over
    the ensemble re-runs only `ensemble` and `evaluate`."""

    # all required: which candidates exist is configs/decode.yaml's choice, so no default fits every file
    weights: dict[str, float]  # model -> weight; 0: not a member; a name params.yaml `models` lacks: ignored
    other_weight: float  # every fine-tuned model `weights` leaves out: the members follow params.yaml `models`
    # candidates by source: a kind (beam, sample, or a test-time variant such as swap_speakers) or one source (beam1,
    # swap_speakers:beam1). Hypotheses may be chosen; references vote.
    hypotheses: tuple[str, ...]
    references: tuple[str, ...]

    def __post_init__(self) -> None:
        check(all(w >= 0 for w in (*self.weights.values(), self.other_weight)),
              "ensemble weights and other_weight must be >= 0.")
        check(bool(self.hypotheses) and bool(self.references),
              "ensemble hypotheses and references must each name at least one kind of candidate.")


def load_ensemble(path: str | Path) -> EnsembleConfig:
    """The ensemble file (configs/ensemble.yaml)."""
    return from_dict(EnsembleConfig, load_params(path), str(path))


def member_weights(cfg: EnsembleConfig, models: Sequence[str]) -> dict[str, float]:
    """Each fine-tuned model's weight (params order), `other_weight` where `weights` leaves it out; 0: not a member."""
    return {model: cfg.weights.get(model, cfg.other_weight) for model in models}
