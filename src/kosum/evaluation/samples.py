"""Per-sample score tables (`metrics/samples/`): one row per dialogue, and any subset's score from its rows.

Why from the rows: the corpus ROUGE is the mean of per-sample F1s (kosum.scoring.rouge) and the corpus entity recall is
the sum of hits over the sum of targets (kosum.evaluation.entities), so the mean, or the sums, over a subset's rows is
exactly what scoring that subset alone gives, without running Mecab again.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from kosum.evaluation.entities import EntityMatch, recall
from kosum.scoring.rouge import RougeScores

METRICS = ("rouge1", "rouge2", "rougeL")
Tables = dict[str, dict[str, pd.DataFrame]]  # model -> split -> per-sample table
ENTITY_RECALL = "entity_recall"  # x 100; empty where a dialogue's references name no noun of the dialogue


def sample_table(fnames: Sequence[str], per_sample: Sequence[RougeScores]) -> pd.DataFrame:
    """`fname` and R1, R2, RL F1 of each sample."""
    return pd.DataFrame({"fname": list(fnames), **{m: [getattr(s, m) for s in per_sample] for m in METRICS}})


def with_entities(table: pd.DataFrame, matches: Sequence[EntityMatch]) -> pd.DataFrame:
    """`table` with each sample's entity recall, hits and targets after its ROUGE columns."""
    columns = {ENTITY_RECALL: [m.recall for m in matches], "entity_hits": [m.hits for m in matches],
               "entity_targets": [m.targets for m in matches]}
    table = table.copy()
    at = table.columns.get_loc(METRICS[-1]) + 1
    for offset, (name, values) in enumerate(columns.items()):
        table.insert(at + offset, name, values)
    return table


def mean_scores(table: pd.DataFrame) -> RougeScores:
    """The corpus score of the rows of `table`."""
    return RougeScores(*(float(table[m].mean()) for m in METRICS))


def entity_recall(table: pd.DataFrame) -> float | None:
    """The corpus entity recall (x 100) of the rows of `table`; None where they have no target."""
    return recall(int(table["entity_hits"].sum()), int(table["entity_targets"].sum()))


def entity_scores(table: pd.DataFrame) -> dict[str, float]:
    """`{"entity_recall": ...}` of the rows of `table`, for a split's scores; empty where they have no target."""
    value = entity_recall(table)
    return {} if value is None else {ENTITY_RECALL: value}
