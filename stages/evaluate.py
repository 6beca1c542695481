"""DVC stage `evaluate`: score every model's predictions and the lead baseline; write metrics and a leaderboard."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from kosum.cli import run_stage
from kosum.config import EvaluateConfig, load_section
from kosum.evaluation import evaluate_model, leaderboard, reference_sets
from kosum.files import atomic_path, write_csv, write_json

LEAD = "lead"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data_dir", type=Path, help="processed splits, stats.json and test answers")
    parser.add_argument("predictions_dir", type=Path, help="one folder per model with dev.csv and submission.csv")
    parser.add_argument("metrics_dir", type=Path, help="<model>.json, leaderboard.md and samples/")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args(argv)
    cfg = load_section(EvaluateConfig, args.params, "evaluate")

    stats = json.loads((args.data_dir / "stats.json").read_text(encoding="utf-8"))
    lead_chars = cfg.lead_max_chars or int(stats["train"]["summary_chars"]["p50"])
    sets = reference_sets(args.data_dir)
    results = {LEAD: evaluate_model(None, sets, lead_chars)}
    for model in cfg.models:
        results[model] = evaluate_model(args.predictions_dir / model, sets, lead_chars)

    for model, (scores, _) in results.items():
        write_json(scores, args.metrics_dir / f"{model}.json")
    with atomic_path(args.metrics_dir / "samples") as tmp:
        for model, (_, tables) in results.items():
            for split, table in tables.items():
                write_csv(table, tmp / f"{model}_{split}.csv")
    board = leaderboard({model: scores for model, (scores, _) in results.items()})
    with atomic_path(args.metrics_dir / "leaderboard.md") as tmp:
        tmp.write_text(board, encoding="utf-8")


if __name__ == "__main__":
    run_stage(main)
