"""Benchmark: MBR selection time, 499 dialogues x 16 candidates (the competition's test size), target <= 15 s.

Candidates are the pipeline's own (`models/candidates.csv` after `dvc repro`): the first 16 of each dialogue, the
dialogues repeated to 499. kosum builds each dialogue's utility matrix once, every text through Mecab once
(`kosum.scoring.rouge.pairwise_final`); the naive way scores each ordered pair with `score_pair` (Mecab per pair). Both run
on the same first dialogues, side by side, and must pick the same summaries; then kosum runs on all 499.
Writes `bench/results/mbr.json`.
Run: .venv/bin/python bench/bench_mbr.py
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from common import write_result

from kosum.data.reading import read_processed
from kosum.ensemble.mbr import Candidate, mbr_select
from kosum.scoring.rouge import score_pair

TARGET_S = 15.0


def _pools(path: Path, dialogues: int, per_dialogue: int) -> list[list[Candidate]]:
    frame = read_processed(path)
    pools = [[Candidate(r.member, r.source, r.summary, float(r.weight)) for r in group.head(per_dialogue).itertuples()]
             for _, group in frame.groupby(["split", "fname"], sort=False)]
    pools = [p for p in pools if len(p) == per_dialogue]
    return [pools[i % len(pools)] for i in range(dialogues)]


def _naive_select(pool: list[Candidate]) -> Candidate:
    """Expected utility with each pair scored on its own (Mecab on both texts every time)."""
    scores = []
    for i, c in enumerate(pool):
        others = [(o.weight, score_pair(c.text, [o.text]).final / 100) for j, o in enumerate(pool) if j != i]
        scores.append(sum(w * u for w, u in others) / sum(w for w, _ in others))
    return pool[max(range(len(pool)), key=lambda i: (scores[i], -i))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--candidates", type=Path, default=Path("ensemble/candidates.csv"))
    parser.add_argument("--dialogues", type=int, default=499)
    parser.add_argument("--per-dialogue", type=int, default=16)
    parser.add_argument("--naive-dialogues", type=int, default=20)
    args = parser.parse_args()
    pools = _pools(args.candidates, args.dialogues, args.per_dialogue)
    head = pools[: args.naive_dialogues]
    start = time.perf_counter()
    naive = [_naive_select(p) for p in head]
    naive_s = time.perf_counter() - start
    start = time.perf_counter()
    fast = [mbr_select(p) for p in head]
    fast_head_s = time.perf_counter() - start
    # the same summaries (between candidates with equal texts the tie may fall on another source: the matrix scores
    # an equal pair 1.0, pair-by-pair ROUGE 0.999999995)
    assert [c.text for c in fast] == [c.text for c in naive], "the utility matrix must select what pairs select"
    start = time.perf_counter()
    for pool in pools:
        mbr_select(pool)
    total_s = time.perf_counter() - start
    result = {"dialogues": len(pools), "candidates_per_dialogue": args.per_dialogue,
              "seconds": round(total_s, 2), "target_s": TARGET_S, "meets_target": total_s <= TARGET_S,
              "naive_dialogues": len(head), "naive_seconds": round(naive_s, 2),
              "kosum_seconds_same_dialogues": round(fast_head_s, 2), "speedup": round(naive_s / fast_head_s, 1)}
    print(f"{len(pools)} x {args.per_dialogue}: {total_s:.1f} s (target {TARGET_S} s); "
          f"on {len(head)} dialogues {result['speedup']}x the pair-by-pair way")
    print(f"wrote {write_result('mbr', result)}")


if __name__ == "__main__":
    main()
