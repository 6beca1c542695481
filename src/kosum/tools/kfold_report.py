"""The K-fold report (kfold/dvc.yaml, opt-in): out-of-fold scores of the fold models and their MBR ensemble on test
against the same recipe trained on all of train (the folds themselves: kosum.data.folds)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from kosum.core.io import CANDIDATES, PREDICTION_FILES, atomic_path, check_submission, write_csv, write_json
from kosum.data.folds import fold_folder, written_folds
from kosum.data.reading import read_processed, references, sample_fnames
from kosum.ensemble.mbr import select, weighted_candidates
from kosum.evaluation.leaderboard import aligned_predictions, reference_sets, score_split

MEMBER_SOURCES = {"hypotheses": ("beam1",), "references": ("beam",)}  # each model's 1-best may win; its beams vote


def out_of_fold(folds_dir: Path, predictions_dir: Path, folds: Sequence[int]) -> pd.DataFrame:
    """Each fold model's scores on its held-out fold: `fold, rows, rouge1, rouge2, rougeL, final`."""
    rows = []
    for i in folds:
        held_out = read_processed(folds_dir / fold_folder(i) / "dev.csv")
        fnames = list(held_out["fname"])
        predictions = aligned_predictions(predictions_dir / fold_folder(i) / PREDICTION_FILES["dev"], fnames)
        total, _ = score_split(predictions, references(held_out), fnames)
        rows.append((i, len(fnames), total.rouge1, total.rouge2, total.rougeL, total.final))
    return pd.DataFrame(rows, columns=["fold", "rows", "rouge1", "rouge2", "rougeL", "final"])


def test_candidates(folder: Path) -> pd.DataFrame:
    """A model's test candidates (`fname, source, summary`) from its predict folder."""
    frame = read_processed(folder / CANDIDATES)
    return frame[frame["split"] == "test"].drop(columns="split")


def ensemble_test(tables: dict[str, pd.DataFrame], fnames: Sequence[str]) -> pd.DataFrame:
    """MBR among the members' test candidates (name -> `test_candidates`), equally weighted: `fname, summary,
    member, source`."""
    pool = weighted_candidates(tables, dict.fromkeys(tables, 1.0), **MEMBER_SOURCES)
    return select(pool, fnames)


def kfold_report(data_dir: Path, folds_dir: Path, predictions_dir: Path, full_model: Path, metrics_path: Path,
                 folds_table: Path, out_dir: Path) -> dict[str, dict[str, float]]:
    """Score the folds out of fold and the K-fold ensemble on test against `full_model` (the predict folder of the
    same recipe trained on all of train); write the metrics, the per-fold table and the ensemble's submission."""
    folds = written_folds(folds_dir)
    oof = out_of_fold(folds_dir, predictions_dir, folds)
    test_dialogues, test_refs = reference_sets(data_dir)["test"]
    fnames = list(test_dialogues["fname"])
    fold_dirs = {fold_folder(i): predictions_dir / fold_folder(i) for i in folds}

    def test_final(predictions: list[str]) -> float:
        return score_split(predictions, test_refs, fnames)[0].final

    submission_name = PREDICTION_FILES["test"]
    oof["test_final"] = [test_final(aligned_predictions(d / submission_name, fnames)) for d in fold_dirs.values()]
    tables = {name: test_candidates(folder) for name, folder in fold_dirs.items()}
    chosen = ensemble_test(tables, fnames)
    with_full = ensemble_test({**tables, "full": test_candidates(full_model)}, fnames)
    metrics = {
        "oof": {"final_mean": statistics.fmean(oof["final"]), "final_std": statistics.stdev(oof["final"])},
        "test": {"kfold_ensemble": test_final(list(chosen["summary"])),
                 "kfold_and_full": test_final(list(with_full["summary"])),
                 "full_model": test_final(aligned_predictions(full_model / submission_name, fnames)),
                 "fold_mean": statistics.fmean(oof["test_final"])},
    }
    check_submission(chosen, out_dir / submission_name, sample_fnames(data_dir))
    with atomic_path(out_dir) as tmp:
        write_csv(chosen[["fname", "summary"]], tmp / submission_name)
        write_csv(chosen[["fname", "member", "source"]], tmp / "selection.csv")
    write_csv(oof.round(6), folds_table)
    write_json(metrics, metrics_path)
    return metrics
