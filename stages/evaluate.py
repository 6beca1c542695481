"""DVC stage `evaluate`: score every model of params.yaml (`models`, `zero_shot`; or `--models`, as api/dvc.yaml
does), the ensemble and the lead baseline; write the DVC metrics, ensemble.json, a leaderboard, per-sample scores,
the report of every prediction (report.html) and static plots of the scores."""

from __future__ import annotations

import argparse
from pathlib import Path

from kosum.core.config.loader import load_file
from kosum.core.config.params import Params
from kosum.core.io import write_json
from kosum.core.stage import run_stage
from kosum.evaluation.caps import decoding_shares
from kosum.evaluation.leaderboard import (
    ensemble_report,
    evaluate_all,
    reference_sets,
    write_evaluation,
)
from kosum.evaluation.report import write_report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data_dir", type=Path, help="processed splits, stats.json and test answers")
    parser.add_argument("predictions_dir", type=Path, help="one folder per model with dev.csv and submission.csv")
    parser.add_argument("metrics_dir", type=Path, help="scores.json, leaderboard.md, report.html, samples/ and plots/")
    parser.add_argument("--ensemble", type=Path, help="the ensemble stage's folder: scored, and metrics/ensemble.json")
    parser.add_argument("--models", nargs="+", help="the folders to score (default: params.yaml `models`, `zero_shot`)")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args(argv)
    models = tuple(args.models or load_file(Params, args.params).scored)
    print(f"evaluate: scoring {', '.join(models)}{', the ensemble' if args.ensemble else ''} and the lead baseline "
          "(ROUGE on Mecab morphemes)", flush=True)
    results = evaluate_all(args.data_dir, args.predictions_dir, models, args.ensemble)
    folders = {model: args.predictions_dir / model for model in models}
    if args.ensemble is not None:
        folders["ensemble"] = args.ensemble
    write_evaluation(results, args.metrics_dir, decoding_shares(folders))
    write_report(results, reference_sets(args.data_dir), args.ensemble, args.metrics_dir / "report.html")
    if args.ensemble is not None:
        scores = {model: split_scores for model, (split_scores, _) in results.items()}
        write_json(ensemble_report(scores, args.ensemble, args.data_dir), args.metrics_dir / "ensemble.json")
    print(f"evaluate: wrote {args.metrics_dir}/ (scores.json, leaderboard.md, report.html, samples/, plots/)")


if __name__ == "__main__":
    run_stage(main)
