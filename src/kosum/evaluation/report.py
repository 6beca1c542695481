"""`metrics/report.html`: every scored dialogue with its references and every model's prediction, for reading
predictions the way competitors do (side by side, worst first, one model against another).

Design choices:
- One self-contained file: styles and the sorting/filtering script are inline, the score distributions are inline
  SVG drawn here, fonts are the system's (Korean ones listed first), nothing is fetched; it opens from disk, from a
  DVC cache or from a mail attachment alike.
- Rendered by Jinja2 with autoescaping (the data is text from CSVs: a `<` in a dialogue stays text); every row is in
  the page as HTML, so it reads and searches without the script, which only reorders and hides rows.
- The rows are what `evaluate` scored: dev, and test where the answers exist. The ensemble's row says which member
  and which candidate source its summary came from (`selection.csv`).
- Each prediction shows its entity recall and, below it, the references' nouns from the dialogue that it left out
  (kosum.evaluation.entities): the names and objects a model replaced with memorised ones.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader

from kosum.core.io import atomic_path
from kosum.evaluation.entities import entity_match
from kosum.evaluation.highlight import Segment, segments
from kosum.evaluation.leaderboard import HUMAN, Scores, ranked
from kosum.evaluation.novelty import NOVELTY, present_kinds
from kosum.evaluation.samples import METRICS, Tables, entity_recall, mean_scores
from kosum.scoring.rouge import RougeScores

SELECTION = "selection.csv"  # the ensemble stage's choice per dialogue: split, fname, member, source
BINS = 10  # score distribution: bins of 10 final points
ReferenceSets = dict[str, tuple[pd.DataFrame, list[list[str]]]]  # split -> dialogues, references per row


@dataclass(frozen=True)
class Prediction:
    """One model's summary of one dialogue, its scores (x 100) and, for the ensemble, where it came from."""

    model: str
    segments: list[Segment]
    scores: tuple[float, float, float, float]  # R1, R2, RL, final
    entity_recall: float | None  # x 100; None where the references name no noun of the dialogue
    missed: list[str]  # the target nouns it left out, in the order the references name them
    origin: str = ""


@dataclass(frozen=True)
class Row:
    """One dialogue of the report."""

    split: str
    fname: str
    topic: str
    novelty: str
    turns: list[str]
    references: list[str]
    predictions: list[Prediction]

    @property
    def finals(self) -> list[float]:
        return [p.scores[3] for p in self.predictions]


@dataclass(frozen=True)
class Summary:
    """A model's line of the summary table, and its per-sample score histogram per split."""

    model: str
    finals: dict[str, dict[str, str]]  # split -> {"all" | a novelty kind -> formatted final}
    entity_recalls: dict[str, str]  # split -> formatted entity recall
    histograms: dict[str, list[int]]  # split -> counts of per-sample finals in BINS bins


def _scores(table_row: pd.Series) -> tuple[float, float, float, float]:
    scores = RougeScores(*(float(table_row[m]) for m in METRICS))
    return scores.rouge1 * 100, scores.rouge2 * 100, scores.rougeL * 100, scores.final


def _origins(selection: pd.DataFrame | None) -> dict[tuple[str, str], str]:
    if selection is None:
        return {}
    return {(s, f): f"{member} · {source}" for s, f, member, source in
            selection[["split", "fname", "member", "source"]].itertuples(index=False)}


def _prediction(model: str, table_row: pd.Series, dialogue: str, references: list[str], origin: str) -> Prediction:
    text = str(table_row["prediction"])
    match = entity_match(dialogue, text, references)
    return Prediction(model, segments(text, references), _scores(table_row), match.recall,
                      in_reference_order(match.missed, references), origin)


def in_reference_order(nouns: Collection[str], references: list[str]) -> list[str]:
    """`nouns` in the order the references name them; nouns named at the same place (수영 and 수영장) by the noun,
    not by the set's order, which changes with each process's string hashing (and report.html's bytes with it)."""
    named = " ".join(references)
    return sorted(nouns, key=lambda noun: (named.find(noun), noun))


def rows(tables: Tables, sets: ReferenceSets, models: list[str], selection: pd.DataFrame | None) -> list[Row]:
    """Every dialogue of every scored split, with each of `models`' predictions in that order."""
    origins = _origins(selection)
    found = []
    for split, (dialogues, refs) in sets.items():
        indexed = {m: tables[m][split].set_index("fname") for m in models if split in tables[m]}
        any_table = next(iter(indexed.values()))  # every table of a split carries the same novelty column
        for (_, dialogue), references in zip(dialogues.iterrows(), refs):
            fname = dialogue["fname"]
            predictions = [_prediction(m, t.loc[fname], dialogue["dialogue"], references,
                                       origins.get((split, fname), "") if m == "ensemble" else "")
                           for m, t in indexed.items()]
            found.append(Row(split, fname, str(dialogue.get("topic", "") or ""),
                             str(any_table.loc[fname].get(NOVELTY, "")), dialogue["dialogue"].split("\n"),
                             references, predictions))
    return found


def summaries(tables: Tables, models: list[str], kinds: tuple[str, ...]) -> list[Summary]:
    """Each model's final per split (and per novelty kind of `kinds`), its entity recall and its score histogram."""
    found = []
    for model in models:
        finals, recalls, histograms = {}, {}, {}
        for split, table in tables[model].items():
            finals[split] = {"all": f"{mean_scores(table).final:.2f}"}
            for kind in kinds:
                subset = table[table[NOVELTY] == kind]
                finals[split][kind] = f"{mean_scores(subset).final:.2f}" if len(subset) else "-"
            recall = entity_recall(table)
            recalls[split] = "-" if recall is None else f"{recall:.1f}"
            per_sample = table[list(METRICS)].mean(axis=1) * 100
            bins = (per_sample // (100 / BINS)).clip(0, BINS - 1).astype(int)
            histograms[split] = [int((bins == b).sum()) for b in range(BINS)]
        found.append(Summary(model, finals, recalls, histograms))
    return found


def render(tables: Tables, sets: ReferenceSets, models: list[str], selection: pd.DataFrame | None) -> str:
    """The report's HTML."""
    environment = Environment(loader=PackageLoader("kosum.evaluation"), autoescape=True, trim_blocks=True,
                              lstrip_blocks=True)
    kinds = present_kinds(t for by_split in tables.values() for t in by_split.values())
    return environment.get_template("report.html.j2").render(
        models=models, splits=list(sets), rows=rows(tables, sets, models, selection),
        summaries=summaries(tables, models, kinds), kinds=kinds, bins=BINS)


def write_report(results: dict[str, tuple[Scores, dict]], sets: ReferenceSets, ensemble_dir: Path | None,
                 out: Path) -> None:
    """`out` (report.html), written atomically, from `evaluate_all`'s results: every row that scored predictions
    (not the human row), in the leaderboard's order."""
    models = [m for m in ranked({m: scores for m, (scores, _) in results.items()}) if m != HUMAN]
    tables = {m: results[m][1] for m in models}
    selection = None
    if ensemble_dir is not None and (ensemble_dir / SELECTION).exists():
        selection = pd.read_csv(ensemble_dir / SELECTION, dtype=str, keep_default_na=False)
    with atomic_path(out) as tmp:
        tmp.write_text(render(tables, sets, models, selection), encoding="utf-8")
