"""The dev oracle: the best candidate of every dialogue by its reference, the headroom of any ensemble selection."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from kosum.scoring.rouge import score_corpus


def oracle(candidates: pd.DataFrame, references: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """The best candidate of every dialogue by its ROUGE against the reference: the headroom of any selection."""
    _, per_sample = score_corpus(list(candidates["summary"]), [references[f] for f in candidates["fname"]])
    scored = candidates.assign(final=[s.final for s in per_sample])
    best = scored.loc[scored.groupby("fname", sort=False)["final"].idxmax()]
    return best[["fname", "summary", "member", "source"]].reset_index(drop=True)
