"""configs/ensemble.yaml: which candidates the MBR ensemble selects among, and the members' weights."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kosum.core.config.loader import check, from_dict, load_params


@dataclass(frozen=True)
class EnsembleConfig:
    """configs/ensemble.yaml: which candidates of which fine-tuned models the MBR selection weighs.

    Its own file (not a section of configs/decode.yaml, which every predict stage depends on), so that a sweep over
    the ensemble re-runs only `ensemble` and `evaluate`."""

    # all three required: which candidates exist is configs/decode.yaml's choice, so no default fits every file
    weights: dict[str, float]  # model -> weight; a model left out: 0
    # candidates by source: a kind (beam, sample, or a test-time variant such as swap_speakers) or one source (beam1,
    # swap_speakers:beam1). Hypotheses may be chosen; references vote.
    hypotheses: tuple[str, ...]
    references: tuple[str, ...]

    def __post_init__(self) -> None:
        check(all(w >= 0 for w in self.weights.values()) and any(w > 0 for w in self.weights.values()),
              "ensemble weights must be >= 0, at least one of them > 0.")
        check(bool(self.hypotheses) and bool(self.references),
              "ensemble hypotheses and references must each name at least one kind of candidate.")


def load_ensemble(path: str | Path) -> EnsembleConfig:
    """The ensemble file (configs/ensemble.yaml)."""
    return from_dict(EnsembleConfig, load_params(path), str(path))
