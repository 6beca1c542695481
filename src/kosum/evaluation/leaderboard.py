"""Scoring prediction files against references (ROUGE, entity recall), the lead baseline floor, the human agreement,
and the leaderboard.

Why strict ids: a prediction file with missing, extra or duplicate `fname`s would otherwise be scored on a subset
and look better (or worse) than it is; kosum refuses to score it and names the offending ids.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from kosum.core.errors import DataError
from kosum.core.io import (
    CANDIDATES,
    PREDICTION_FILES,
    atomic_path,
    write_csv,
    write_json,
)
from kosum.data.reading import read_processed, references
from kosum.evaluation.agreement import human_row
from kosum.evaluation.caps import Shares, decoding_table
from kosum.evaluation.entities import entity_match
from kosum.evaluation.novelty import kind_grid, novelty_table, read_novelty, with_novelty
from kosum.evaluation.oracle import oracle
from kosum.evaluation.plots import write_plots
from kosum.evaluation.samples import Tables, entity_recall, entity_scores, sample_table, with_entities
from kosum.scoring.rouge import RougeScores, metrics_dict, score_corpus

SHOWN_IDS = 5  # offending fnames listed in an error message
LEAD = "lead"
ENSEMBLE = "ensemble"
HUMAN = "human"
DATA_ONLY = (LEAD, HUMAN)  # rows that depend on the data alone, not on any model
HUMAN_NOTE = ("`human`: the annotators' agreement: each reference scored like a prediction against the other "
              "references of its dialogue (with three annotators: against the other two), averaged over them.")
ENTITY_NOTE = ("Entity recall (ER, %): of the nouns and numbers of the references (Mecab NNG, NNP, SN; not the speaker "
               "tags and masks) that the dialogue has, the share the prediction repeats, summed over all dialogues. "
               "`lead` sets the scale: the dialogue's first words copy its names verbatim.")
Scores = dict[str, dict[str, float]]  # split -> metric -> value


def aligned_predictions(path: Path, fnames: list[str]) -> list[str]:
    """The `summary` column of `path` in the order of `fnames`; any mismatch of ids is an error naming them."""
    if not path.exists():
        raise DataError(f"{path}: missing; run that model's predict stage or remove it from params.yaml.")
    frame = read_processed(path)
    if list(frame.columns[:2]) != ["fname", "summary"]:
        raise DataError(f"{path}: expected columns fname,summary; found {list(frame.columns)}.")
    problems = []
    duplicates = sorted(set(frame["fname"][frame["fname"].duplicated()]))
    missing = sorted(set(fnames) - set(frame["fname"]))
    extra = sorted(set(frame["fname"]) - set(fnames))
    for label, ids in (("duplicate", duplicates), ("missing", missing), ("unexpected", extra)):
        if ids:
            problems.append(f"{len(ids)} {label} fname(s) {ids[:SHOWN_IDS]}")
    if problems:
        raise DataError(f"{path}: {'; '.join(problems)}; predictions must cover each reference fname exactly once.")
    return list(frame.set_index("fname").loc[fnames, "summary"])


def lead_summary(dialogue: str, max_chars: int) -> str:
    """The lead baseline: the first utterances (speaker tags kept) cut at a word boundary near `max_chars`."""
    words: list[str] = []
    for word in " ".join(dialogue.split("\n")).split():
        if words and sum(len(w) + 1 for w in words) + len(word) > max_chars:
            break
        words.append(word)
    return " ".join(words)


def score_split(predictions: list[str], refs: list[list[str]], fnames: list[str]) -> tuple[RougeScores, pd.DataFrame]:
    """Corpus scores and the per-sample table (`fname`, R1, R2, RL, the prediction and its length) for error
    analysis."""
    total, per_sample = score_corpus(predictions, refs)
    return total, sample_table(fnames, per_sample).assign(prediction_chars=[len(p) for p in predictions],
                                                          prediction=predictions)


def reference_sets(data_dir: Path) -> dict[str, tuple[pd.DataFrame, list[list[str]]]]:
    """The splits that have references: dev always, test where the answers file exists."""
    sets = {}
    for split, ref_file in (("dev", "dev.csv"), ("test", "test_answers.csv")):
        if (data_dir / ref_file).exists():
            dialogues = read_processed(data_dir / f"{split}.csv")
            answers = read_processed(data_dir / ref_file).set_index("fname").loc[dialogues["fname"]].reset_index()
            sets[split] = (dialogues, references(answers))
    return sets


def ranked(results: dict[str, Scores]) -> list[str]:
    """The leaderboard's row order: the human row (it has no dev score) first, then best dev `final` first."""
    models = sorted((m for m in results if m != HUMAN), key=lambda m: -results[m]["dev"]["final"])
    return [HUMAN, *models] if HUMAN in results else models


def leaderboard(results: dict[str, Scores]) -> str:
    """A markdown table of every model's scores per split, ranked, and what the human row is where it is there."""
    rows = [(model, results[model]) for model in ranked(results)]
    splits = sorted({split for _, scores in rows for split in scores})
    header = "| model | " + " | ".join(f"{s} R1 | {s} R2 | {s} RL | {s} final" for s in splits) + " |"
    lines = [header, "|---" * (1 + 4 * len(splits)) + "|"]
    for model, scores in rows:
        cells = []
        for split in splits:
            m = scores.get(split)
            cells += [f"{m['rouge1']:.4f}", f"{m['rouge2']:.4f}", f"{m['rougeL']:.4f}", f"{m['final']:.2f}"] if m else ["-"] * 4
        lines.append(f"| {model} | " + " | ".join(cells) + " |")
    if HUMAN in results:
        lines += ["", HUMAN_NOTE]
    return "\n".join(lines) + "\n"


def _percent(table: pd.DataFrame) -> str:
    value = entity_recall(table)
    return "-" if value is None else f"{value:.1f}"


def entity_table(tables: Tables, order: list[str]) -> str:
    """A markdown table of each row of `order`'s entity recall per split, and per novelty kind where known."""
    return "\n".join([ENTITY_NOTE, "", *kind_grid(tables, order, _percent, overall="ER")]) + "\n"


def evaluate_model(
    predictions_dir: Path | None, sets: dict[str, tuple[pd.DataFrame, list[list[str]]]], lead_chars: int
) -> tuple[dict[str, dict[str, float]], dict[str, pd.DataFrame]]:
    """Scores per split (ROUGE, and entity recall x 100) of one model's prediction folder (`None`: the lead baseline)
    and per-sample tables."""
    scores, tables = {}, {}
    for split, (dialogues, refs) in sets.items():
        fnames = list(dialogues["fname"])
        if predictions_dir is None:
            predictions = [lead_summary(d, lead_chars) for d in dialogues["dialogue"]]
        else:
            predictions = aligned_predictions(predictions_dir / PREDICTION_FILES[split], fnames)
        total, table = score_split(predictions, refs, fnames)
        matches = [entity_match(d, p, r) for d, p, r in zip(dialogues["dialogue"], predictions, refs)]
        tables[split] = with_entities(table, matches)
        scores[split] = metrics_dict(total) | entity_scores(tables[split])
    return scores, tables


def lead_length(data_dir: Path) -> int:
    """The lead baseline's length: the median train summary length in characters (from preprocess's stats)."""
    stats = json.loads((data_dir / "stats.json").read_text(encoding="utf-8"))
    return int(stats["train"]["summary_chars"]["p50"])


def evaluate_all(data_dir: Path, predictions_dir: Path, models: tuple[str, ...],
                 ensemble_dir: Path | None = None) -> dict[str, tuple[Scores, dict]]:
    """The lead baseline, every model in `models` (folders under `predictions_dir`), the ensemble and the human row
    where it applies, in that order; with `novelty.csv`, every per-sample table gains a `novelty` column."""
    sets, lead_chars = reference_sets(data_dir), lead_length(data_dir)
    novelty = read_novelty(data_dir)  # first: a bad file fails before minutes of scoring
    results = {LEAD: evaluate_model(None, sets, lead_chars)}
    for model in models:
        results[model] = evaluate_model(predictions_dir / model, sets, lead_chars)
    if ensemble_dir is not None:
        results[ENSEMBLE] = evaluate_model(ensemble_dir, sets, lead_chars)
    human = human_row(sets)
    if human is not None:
        results[HUMAN] = human
    if novelty is None:
        return results
    return {model: (scores, {split: with_novelty(table, novelty) for split, table in tables.items()})
            for model, (scores, tables) in results.items()}


def final_scores(results: dict[str, Scores]) -> dict[str, dict[str, float]]:
    """The DVC metrics: each model's `final` per split, and nothing else, so `dvc exp show` stays narrow. The lead
    baseline and the human row are left out: they depend on the data alone, so in `dvc exp show` they would be
    constant columns."""
    return {model: {f"{split}_final": scores[split]["final"] for split in scores}
            for model, scores in results.items() if model not in DATA_ONLY}


def ensemble_report(scores: dict[str, Scores], ensemble_dir: Path, data_dir: Path) -> dict[str, object]:
    """`metrics/ensemble.json`: the ensemble against the best single model (by test, else dev), its margin, and the
    dev oracle (the best candidate of each dialogue by its reference): the headroom of any selection."""
    split = "test" if "test" in scores[ENSEMBLE] else "dev"
    singles = {m: s for m, s in scores.items() if m not in (*DATA_ONLY, ENSEMBLE)}
    best = max(singles, key=lambda m: singles[m][split]["final"])
    dev, refs = reference_sets(data_dir)["dev"]
    pool = read_processed(ensemble_dir / CANDIDATES)
    picked = oracle(pool[pool["split"] == "dev"], dict(zip(dev["fname"], refs)))
    oracle_final = score_corpus(list(picked.set_index("fname").loc[dev["fname"], "summary"]), refs)[0].final
    return {
        "ensemble": {f"{s}_final": v["final"] for s, v in scores[ENSEMBLE].items()},
        "best_single": {"model": best, **{f"{s}_final": v["final"] for s, v in scores[best].items()}},
        f"margin_{split}": scores[ENSEMBLE][split]["final"] - scores[best][split]["final"],
        "oracle_dev_final": oracle_final,
        "candidates_per_dialogue": len(pool) / pool[["split", "fname"]].drop_duplicates().shape[0],
    }


def write_evaluation(results: dict[str, tuple[Scores, dict]], metrics_dir: Path, caps: Shares | None = None) -> None:
    """`scores.json` (DVC metrics), `leaderboard.md` (R1/R2/RL too, the seen / unseen table where the tables carry
    novelty, entity recall, the shares of predictions cut at the decoding cap and empty where `caps` has them),
    `samples/` and `plots/` under `metrics_dir`. The human row, which scores no prediction and has no dev score to
    rank by, is in the leaderboard only."""
    scores = {model: split_scores for model, (split_scores, _) in results.items()}
    tables = {model: split_tables for model, (_, split_tables) in results.items()}
    predicted = [model for model in results if model != HUMAN]
    write_json(final_scores(scores), metrics_dir / "scores.json")
    with atomic_path(metrics_dir / "samples") as tmp:
        for model in predicted:
            for split, table in tables[model].items():
                write_csv(table, tmp / f"{model}_{split}.csv")
    order = ranked(scores)
    with atomic_path(metrics_dir / "leaderboard.md") as tmp:
        sections = [leaderboard(scores), novelty_table(tables, order), entity_table(tables, order),
                    decoding_table(caps or {})]
        tmp.write_text("\n".join(section for section in sections if section), encoding="utf-8")
    write_plots({model: scores[model] for model in predicted}, metrics_dir / "plots")
