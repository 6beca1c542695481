"""Per-sample score tables (`metrics/samples/`): one row per dialogue, and any subset's score as the mean of its rows.

Why the mean: the corpus score is the mean of per-sample F1s (kosum.scoring.rouge), so the mean over a subset's rows
is exactly what scoring that subset alone gives, without running Mecab again.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from kosum.scoring.rouge import RougeScores

METRICS = ("rouge1", "rouge2", "rougeL")


def sample_table(fnames: Sequence[str], per_sample: Sequence[RougeScores]) -> pd.DataFrame:
    """`fname` and R1, R2, RL F1 of each sample."""
    return pd.DataFrame({"fname": list(fnames), **{m: [getattr(s, m) for s in per_sample] for m in METRICS}})


def mean_scores(table: pd.DataFrame) -> RougeScores:
    """The corpus score of the rows of `table`."""
    return RougeScores(*(float(table[m].mean()) for m in METRICS))
