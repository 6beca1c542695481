"""DVC stage `ensemble`: MBR selection among the fine-tuned models' candidates (configs/ensemble.yaml);
writes a prediction folder like a model's (dev.csv, submission.csv) plus selection.csv and the candidate pool."""

from __future__ import annotations

import argparse
from pathlib import Path

from kosum.core.config.ensemble import load_ensemble, member_weights
from kosum.core.config.loader import load_file
from kosum.core.config.params import Params
from kosum.core.stage import run_stage
from kosum.ensemble.mbr import ensemble_splits


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("config", type=Path, help="configs/ensemble.yaml: member weights and candidate sources")
    parser.add_argument("data_dir", type=Path, help="processed splits (the fnames of dev and test)")
    parser.add_argument("predictions_dir", type=Path, help="one folder per model, each with candidates.csv")
    parser.add_argument("out_dir", type=Path, help="dev.csv, submission.csv, selection.csv, candidates.csv")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args(argv)
    models = load_file(Params, args.params).fine_tuned
    cfg = load_ensemble(args.config)
    weights = member_weights(cfg, models)
    print(f"ensemble: choosing each dialogue's summary by MBR among the candidates of "
          f"{', '.join(f'{m} ({w:g})' for m, w in weights.items() if w > 0)} ({args.config})", flush=True)
    if absent := sorted(set(cfg.weights) - set(models)):
        print(f"ensemble: {args.config} weights {absent}: not under {args.params} models; left out", flush=True)
    ensemble_splits(cfg, models, args.data_dir, args.predictions_dir, args.out_dir)
    print(f"ensemble: wrote {args.out_dir}/ (dev.csv, submission.csv, selection.csv, candidates.csv)")


if __name__ == "__main__":
    run_stage(main)
