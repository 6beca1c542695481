"""The `human` row: how well the annotators agree with each other, the level to read the models' scores against.

Why: a prediction is scored against each reference of its dialogue and the F1s are averaged, so even a summary as
good as an annotator's scores well below 100 when the annotators word things differently. Scoring each reference like
a prediction against the other references of its dialogue gives what a human summary gets under the same rule (a
model can pass it: a summary near the middle of the references is closer to each than they are to each other).
Computed only for a split where every row has at least two references (the test answers: three annotators); a
agreement over part of the rows would not compare with the models' scores over all of them.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from kosum.evaluation.samples import mean_scores, sample_table
from kosum.scoring.rouge import RougeScores, metrics_dict, score_corpus


def agreement(references: Sequence[Sequence[str]]) -> list[RougeScores] | None:
    """Per row, reference k scored against the row's other references, averaged over k (one Mecab pass for all);
    None when any row has fewer than two references."""
    if not references or any(len(refs) < 2 for refs in references):
        return None
    rows, predictions, others = [], [], []
    for row, refs in enumerate(references):
        for k, ref in enumerate(refs):
            rows.append(row)
            predictions.append(ref)
            others.append([*refs[:k], *refs[k + 1:]])
    pairs = sample_table(rows, score_corpus(predictions, others)[1])  # `fname` holds the row number here
    return [mean_scores(group) for _, group in pairs.groupby("fname", sort=True)]


def human_row(sets: dict[str, tuple[pd.DataFrame, list[list[str]]]]
              ) -> tuple[dict[str, dict[str, float]], dict[str, pd.DataFrame]] | None:
    """The human row's scores and per-dialogue tables for each split of `sets` where it applies; None where none."""
    scores, tables = {}, {}
    for split, (dialogues, refs) in sets.items():
        per_row = agreement(refs)
        if per_row is not None:
            tables[split] = sample_table(list(dialogues["fname"]), per_row)
            scores[split] = metrics_dict(mean_scores(tables[split]))
    return (scores, tables) if scores else None
