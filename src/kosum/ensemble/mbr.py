"""Minimum Bayes Risk selection among the candidate summaries of several models, with kosum's ROUGE as the utility.

Why MBR: the candidate that agrees most with the others is the likeliest to agree with the reference; with ROUGE as
the utility it lifted bart-large-cnn on CNN/DM from 43.98 (greedy) to 46.89 ROUGE-1 over 30 samples (Bertsch et al.
2023). Design choices:
- Hypotheses (the candidates that may be chosen) and pseudo-references (the candidates that vote) are separate sets,
  as in sampling-based MBR: on the embedded default the 1-best of each input variant is worth choosing, while the
  lower beams and the samples are worth only as votes (measured: docs/ensembles.md).
- A hypothesis' expected utility is its weighted mean ROUGE `final` against every *other* pseudo-reference of the
  dialogue. A pseudo-reference's weight is its member's weight shared among that member's pseudo-references, so a
  member does not weigh more for bringing more candidates.
- F1, not recall, is the utility: a long candidate stuffed with every word gains recall but loses precision against
  every other candidate, so it does not win by length.
- Ties go to the earlier candidate (members in params order, beams before samples), so the selection is deterministic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kosum.core.config.ensemble import EnsembleConfig, member_weights
from kosum.core.errors import ConfigError
from kosum.core.io import CANDIDATES, PREDICTION_FILES, write_prediction_folder
from kosum.data.reading import read_processed, sample_fnames
from kosum.scoring.rouge import pairwise_final


@dataclass(frozen=True)
class Candidate:
    """One candidate summary of one dialogue."""

    member: str  # the model that wrote it
    source: str  # beam1.., sample1.., swap_speakers:beam1..
    text: str
    weight: float  # its vote as a pseudo-reference (0: no vote)
    hypothesis: bool = True  # whether it may be chosen


def expected_utilities(candidates: Sequence[Candidate]) -> list[float]:
    """Each hypothesis' weighted mean utility against the other voting candidates (its own vote left out), in order:
    only the hypotheses' rows of the utility matrix are computed."""
    hypotheses = [c for c in candidates if c.hypothesis]
    voters = [c for c in candidates if c.weight > 0]
    utility = pairwise_final([c.text for c in hypotheses], [c.text for c in voters])
    found = []
    for i, hypothesis in enumerate(hypotheses):
        others = [(c.weight, utility[i][j]) for j, c in enumerate(voters) if c is not hypothesis]
        total = sum(w for w, _ in others)
        found.append(sum(w * u for w, u in others) / total if total else 0.0)
    return found


def mbr_select(candidates: Sequence[Candidate]) -> Candidate:
    """The hypothesis of highest expected utility (the first of equals)."""
    scores = expected_utilities(candidates)
    hypotheses = [c for c in candidates if c.hypothesis]
    return hypotheses[max(range(len(hypotheses)), key=lambda i: (scores[i], -i))]


def weighted_candidates(tables: Mapping[str, pd.DataFrame], weights: Mapping[str, float],
                        hypotheses: Sequence[str] | None = None, references: Sequence[str] | None = None
                        ) -> pd.DataFrame:
    """Every member's candidates (`fname, source, summary` per member) that are a hypothesis or a pseudo-reference
    (by source, see `joins`; None: all), with member, weight (a member's weight shared among its pseudo-references of
    each dialogue, 0 for the others) and hypothesis columns."""
    frames = []
    for member, table in tables.items():
        votes = table["source"].map(lambda s: references is None or joins(s, references))
        chosen = table["source"].map(lambda s: hypotheses is None or joins(s, hypotheses))
        table = table.assign(votes=votes, hypothesis=chosen)[votes | chosen]
        per_dialogue = table.groupby("fname")["votes"].transform("sum")
        frames.append(table.assign(member=member, weight=(weights[member] / per_dialogue).where(table["votes"], 0.0)))
    return pd.concat(frames, ignore_index=True).drop(columns="votes")


def source_kind(source: str) -> str:
    """`beam2` -> `beam`, `sample1` -> `sample`, `swap_speakers:beam1` -> `swap_speakers`."""
    return source.split(":")[0] if ":" in source else source.rstrip("0123456789")


def joins(source: str, sources: Sequence[str]) -> bool:
    """Whether a candidate's source, or its kind, is one of `sources`."""
    return source in sources or source_kind(source) in sources


def select(candidates: pd.DataFrame, fnames: Sequence[str]) -> pd.DataFrame:
    """The MBR choice for every dialogue of `fnames`: `fname, summary, member, source`."""
    chosen = []
    for fname, group in candidates.groupby("fname", sort=False):
        pool = [Candidate(r.member, r.source, r.summary, r.weight, r.hypothesis) for r in group.itertuples()]
        best = mbr_select(pool)
        chosen.append((fname, best.text, best.member, best.source))
    frame = pd.DataFrame(chosen, columns=["fname", "summary", "member", "source"]).set_index("fname")
    return frame.loc[list(fnames)].reset_index()


def ensemble_splits(cfg: EnsembleConfig, models: Sequence[str], data_dir: Path, predictions_dir: Path,
                    out_dir: Path) -> None:
    """Select among the candidates (`cfg.hypotheses`, voted on by `cfg.references`) of `models` (params order)
    with a weight > 0 (`member_weights`); write `dev.csv`, `submission.csv` (checked against the sample submission),
    `selection.csv` (which member and source won) and `candidates.csv` (the pool) into `out_dir` together."""
    weights = member_weights(cfg, models)
    members = [m for m in models if weights[m] > 0]
    if not members:
        raise ConfigError(f"the ensemble has no member: every model of params.yaml `models` ({', '.join(models)}) "
                          "has weight 0 in configs/ensemble.yaml (weights, other_weight).")
    pool = weighted_candidates({m: read_processed(predictions_dir / m / CANDIDATES) for m in members}, weights,
                               cfg.hypotheses, cfg.references)
    missing = [m for m in members if not (pool["member"] == m).any()]
    if missing or not pool["hypothesis"].any():
        raise ConfigError(f"no candidate of {missing or members} is of the ensemble's hypotheses "
                          f"{list(cfg.hypotheses)} or references {list(cfg.references)}; configs/decode.yaml decides "
                          "which candidates predict writes.")
    chosen = {split: select(pool[pool["split"] == split], list(read_processed(data_dir / f"{split}.csv")["fname"]))
              for split in PREDICTION_FILES}
    selections = pd.concat([frame.assign(split=split) for split, frame in chosen.items()])
    write_prediction_folder(out_dir, chosen, pool,
                            {"selection.csv": selections[["split", "fname", "member", "source"]]},
                            sample=sample_fnames(data_dir))
