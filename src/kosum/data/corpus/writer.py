"""Writing the corpus as competition-format CSVs, atomically and byte-reproducibly.

Why the csv module with '\n' line endings: the same seed must give byte-identical files on every platform, so DVC
sees no change when nothing changed. Each file is written to a temp file beside it and renamed, so an interrupted
run never leaves a half-written CSV that a later stage would read.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable
from pathlib import Path

from kosum.core.config.embedded import CorpusConfig
from kosum.core.io import atomic_path
from kosum.data.corpus.generate import Example, generate_split
from kosum.data.corpus.noise import add_independent_noise, add_noise


def write_corpus(cfg: CorpusConfig, out_dir: Path) -> None:
    """Write train/dev/test CSVs, a sample submission, the test references and which dev/test dialogues are
    `unseen` compositions (novelty.csv) into `out_dir`."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sizes = {"train": cfg.n_train, "dev": cfg.n_dev, "test": cfg.n_test}
    data = {split: generate_split(split, n, cfg.seed) for split, n in sizes.items()}
    raw = {split: _raw_dialogues(examples, cfg, split) for split, examples in data.items()}
    for split in ("train", "dev"):
        _write_csv(out_dir / f"{split}.csv", ("fname", "dialogue", "summary", "topic"),
                   ((e.fname, d, e.summary, e.topic) for e, d in zip(data[split], raw[split])))
    test = data["test"]  # like the competition's: no summary and no topic (so no prompt may rely on one)
    _write_csv(out_dir / "test.csv", ("fname", "dialogue"), ((e.fname, d) for e, d in zip(test, raw["test"])))
    _write_csv(out_dir / "sample_submission.csv", ("fname", "summary"), ((e.fname, "") for e in test))
    _write_csv(out_dir / "test_answers.csv", ("fname", "summary_1", "summary_2", "summary_3"),
               ((e.fname, *e.references) for e in test))
    _write_csv(out_dir / "novelty.csv", ("fname", "novelty"),
               ((e.fname, e.novelty) for split in ("dev", "test") for e in data[split]))


def _raw_dialogues(examples: list[Example], cfg: CorpusConfig, split: str) -> list[str]:
    """Dialogues as they appear in the CSV: about `noise_rate` of them carry formatting noise, and on top, each at its
    own rate, the independent kinds (trailing spaces, one-line dialogues, stray jamo)."""
    rng = random.Random(f"{cfg.seed}:{split}:noise")
    # a stream of their own, so the formatting noise stays what it was before these kinds existed
    independent_rng = random.Random(f"{cfg.seed}:{split}:independent")
    rates = {"one_line": cfg.one_line_rate, "trailing_space": cfg.trailing_space_rate,
             "jamo_typo": cfg.jamo_typo_rate}
    raw = [add_noise(e.dialogue, rng) if rng.random() < cfg.noise_rate else e.dialogue for e in examples]
    return [add_independent_noise(d, rates, independent_rng) for d in raw]


def _write_csv(path: Path, header: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> None:
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
