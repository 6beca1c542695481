"""Benchmark: kosum's length-sorted batched generation vs a one-dialogue-at-a-time loop.

The loop is how Korean_DCS_2024's `run/test.py` predicts: encode one dialogue, `generate`, decode, next. Both modes
use the same trained model, the same prompts and the same greedy settings (the model's decoding settings in
configs/decode.yaml with `num_beams: 1`), so their summaries must be identical: the script asserts it. Modes
alternate `--rounds` times; the median counts.
Needs the trained models of the pipeline (`dvc repro predict_seq2seq@kobart predict_qlora@qwen_qlora` or a full `dvc repro`).
Writes `bench/results/predict.json`.
Run: .venv/bin/python bench/bench_predict.py
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace
from pathlib import Path

from common import write_result

from kosum.core.config.decode import load_decode
from kosum.data.reading import read_processed, topic_list
from kosum.models.generation import load_summarizer

TARGET_SPEEDUP = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", default=["kobart", "qwen_qlora"])
    parser.add_argument("--dialogues", type=int, default=96, help="first N dev dialogues")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    dev = read_processed(Path("data/processed/dev.csv")).head(args.dialogues)
    dialogues, topics = list(dev["dialogue"]), topic_list(dev)
    results = {}
    for name in args.models:
        summarizer = load_summarizer(Path("models") / name)
        # greedy 1-best: the decode file's beams, n-best, samples and variants are what `predict` adds on top
        batched = replace(load_decode(Path("configs/decode.yaml"), name), num_beams=1, n_best=1, samples=0, tta=(),
                          prompt_variants=())
        one_at_a_time = replace(batched, batch_size=1)
        summarizer.summarize(dialogues[:2], topics[:2], batched)  # warm-up
        times: dict[str, list[float]] = {"one_at_a_time": [], "kosum_batched": []}
        outputs = {}
        for _ in range(args.rounds):
            for mode, cfg in (("one_at_a_time", one_at_a_time), ("kosum_batched", batched)):
                start = time.perf_counter()
                outputs[mode] = summarizer.summarize(dialogues, topics, cfg)
                times[mode].append(time.perf_counter() - start)
        differing = [i for i, (a, b) in enumerate(zip(*outputs.values(), strict=True)) if a != b]
        assert not differing, f"{name}: batched and one-at-a-time greedy outputs differ at rows {differing[:10]}"
        naive_s, kosum_s = statistics.median(times["one_at_a_time"]), statistics.median(times["kosum_batched"])
        results[name] = {
            "batch_size": batched.batch_size,
            "one_at_a_time": {"seconds": round(naive_s, 2), "dialogues_per_s": round(len(dialogues) / naive_s, 2)},
            "kosum_batched": {"seconds": round(kosum_s, 2), "dialogues_per_s": round(len(dialogues) / kosum_s, 2)},
            "speedup": round(naive_s / kosum_s, 2),
            "identical_outputs": True,
            "meets_target": naive_s / kosum_s >= TARGET_SPEEDUP,
        }
        print(f"{name:<12} one at a time {len(dialogues) / naive_s:6.2f}/s  batched {len(dialogues) / kosum_s:6.2f}/s"
              f"  {naive_s / kosum_s:5.2f}x  (identical greedy outputs)")
    result = {"dialogues": len(dialogues), "rounds": args.rounds, "decoding": "greedy", "models": results,
              "target_speedup": TARGET_SPEEDUP}
    print(f"wrote {write_result('predict', result)}")


if __name__ == "__main__":
    main()
