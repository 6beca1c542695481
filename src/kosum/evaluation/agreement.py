"""The `human` row: how well the annotators agree with each other, the level to read the models' scores against.

Why: a prediction is scored against each reference of its dialogue and the F1s are averaged, so even a summary as
good as an annotator's scores well below 100 when the annotators word things differently. Scoring each reference like
a prediction against the other references of its dialogue gives what a human summary gets under the same rule (a
model can pass it: a summary near the middle of the references is closer to each than they are to each other).
Computed only for a split where every row has at least two references (the test answers: three annotators); a
agreement over part of the rows would not compare with the models' scores over all of them. Entity recall takes the
same turns: each reference is the prediction, the others its references, and the counts are summed per dialogue.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from kosum.evaluation.entities import EntityMatch, entity_match
from kosum.evaluation.samples import entity_scores, mean_scores, sample_table, with_entities
from kosum.scoring.rouge import RougeScores, metrics_dict, score_corpus


def agreement(references: Sequence[Sequence[str]]) -> list[RougeScores] | None:
    """Per row, reference k scored against the row's other references, averaged over k (one Mecab pass for all);
    None when any row has fewer than two references."""
    if not references or any(len(refs) < 2 for refs in references):
        return None
    rows, predictions, others = [], [], []
    for row, refs in enumerate(references):
        for ref, rest in _held_out(refs):
            rows.append(row)
            predictions.append(ref)
            others.append(rest)
    pairs = sample_table(rows, score_corpus(predictions, others)[1])  # `fname` holds the row number here
    return [mean_scores(group) for _, group in pairs.groupby("fname", sort=True)]


def entity_agreement(dialogue: str, references: Sequence[str]) -> EntityMatch:
    """Each reference's entity counts against the other references of its dialogue, summed over the references."""
    matches = [entity_match(dialogue, ref, rest) for ref, rest in _held_out(references)]
    return sum(matches[1:], start=matches[0])


def _held_out(references: Sequence[str]) -> list[tuple[str, list[str]]]:
    """Each reference with the others."""
    return [(ref, [*references[:k], *references[k + 1:]]) for k, ref in enumerate(references)]


def human_row(sets: dict[str, tuple[pd.DataFrame, list[list[str]]]]
              ) -> tuple[dict[str, dict[str, float]], dict[str, pd.DataFrame]] | None:
    """The human row's scores and per-dialogue tables for each split of `sets` where it applies; None where none."""
    scores, tables = {}, {}
    for split, (dialogues, refs) in sets.items():
        per_row = agreement(refs)
        if per_row is not None:
            matches = [entity_agreement(d, r) for d, r in zip(dialogues["dialogue"], refs)]
            tables[split] = with_entities(sample_table(list(dialogues["fname"]), per_row), matches)
            scores[split] = metrics_dict(mean_scores(tables[split])) | entity_scores(tables[split])
    return (scores, tables) if scores else None
