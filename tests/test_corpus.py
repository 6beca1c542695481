"""The embedded corpus: reproducible files in the competition format, faithful summaries, and the raw-data noise."""

from __future__ import annotations

import csv
import random
import re
import statistics
from pathlib import Path

import pytest

from kosum.core.config.embedded import CorpusConfig
from kosum.data.corpus import Example, generate_split, write_corpus
from kosum.data.corpus.josa import attach
from kosum.data.corpus.noise import NOISE_KINDS, add_noise
from kosum.data.corpus.scenario import BREAK, Turn, placeholders
from kosum.data.corpus.scenarios import SCENARIOS

FILES = ("train.csv", "dev.csv", "test.csv", "sample_submission.csv", "test_answers.csv")
MASKS = ("#PhoneNumber#", "#Address#", "#DateOfBirth#", "#PassportNumber#", "#SSN#", "#CardNumber#", "#CarNumber#",
         "#Email#")
TURN = re.compile(r"#Person[1-7]#: \S")
# How each noise kind shows in a raw dialogue; clean dialogues never match any of these.
NOISE_SIGNS = {
    "literal_newline": re.compile(r"\\n"),
    "br_newline": re.compile(r"<br>"),
    "double_space": re.compile(r"  "),
    "tag_spacing": re.compile(r"#Person\d# :|#Person\d#:(?! )"),
}


@pytest.fixture(scope="module")
def train() -> list[Example]:
    return generate_split("train", 2000, 42)


def _write(root: Path, name: str, **overrides: object) -> Path:
    cfg = CorpusConfig(**{"n_train": 300, "n_dev": 30, "n_test": 30, **overrides})
    write_corpus(cfg, root / name)
    return root / name


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_same_seed_gives_byte_identical_files_and_another_seed_does_not(tmp_path: Path) -> None:
    a, b, c = _write(tmp_path, "a"), _write(tmp_path, "b"), _write(tmp_path, "c", seed=7)
    for name in FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert (a / "train.csv").read_bytes() != (c / "train.csv").read_bytes()
    assert sorted(p.name for p in a.iterdir()) == sorted(FILES)  # no temp files left behind


def test_split_streams_are_independent_and_prefix_stable() -> None:
    assert generate_split("dev", 20, 42)[:10] == generate_split("dev", 10, 42)
    assert [e.dialogue for e in generate_split("dev", 10, 42)] != [e.dialogue for e in generate_split("test", 10, 42)]
    with pytest.raises(ValueError, match="split"):
        generate_split("validation", 1, 42)


def test_csv_columns_fnames_and_answers(tmp_path: Path) -> None:
    out = _write(tmp_path, "corpus")
    headers = {name: next(csv.reader((out / name).open(encoding="utf-8"))) for name in FILES}
    assert headers["train.csv"] == headers["dev.csv"] == ["fname", "dialogue", "summary", "topic"]
    assert headers["test.csv"] == ["fname", "dialogue", "topic"]
    assert headers["sample_submission.csv"] == ["fname", "summary"]
    assert headers["test_answers.csv"] == ["fname", "summary_1", "summary_2", "summary_3"]
    assert [r["fname"] for r in _rows(out / "train.csv")] == [f"train_{i}" for i in range(300)]
    test = generate_split("test", 30, 42)
    submission = _rows(out / "sample_submission.csv")
    assert [r["fname"] for r in submission] == [e.fname for e in test] == [f"test_{i}" for i in range(30)]
    assert all(r["summary"] == "" for r in submission)
    answers = _rows(out / "test_answers.csv")
    assert [(r["summary_1"], r["summary_2"], r["summary_3"]) for r in answers] == [e.references for e in test]


def test_dialogue_format(train: list[Example]) -> None:
    turns = [e.dialogue.split("\n") for e in train]
    assert all(TURN.match(line) for lines in turns for line in lines)
    assert all(2 <= len(lines) <= 40 for lines in turns)
    assert statistics.median(len(lines) for lines in turns) >= 6
    assert len({e.topic for e in train}) >= 40
    speakers = [len(set(re.findall(r"#Person\d#", e.dialogue))) for e in train]
    assert 0.05 < sum(s >= 3 for s in speakers) / len(train) < 0.2
    assert max(speakers) == 7
    text = "\n".join(e.dialogue for e in train)
    assert all(mask in text for mask in MASKS)
    assert not any(sign.search(e.dialogue) for e in train for sign in NOISE_SIGNS.values())


def test_summaries_only_state_facts_from_the_dialogue(train: list[Example]) -> None:
    for e in train:
        assert e.summary == e.references[0]
        assert len(set(e.references)) == 3
        assert e.slots, e.fname
        for value in e.slots.values():
            assert value in e.dialogue, (e.fname, value)
        assert all("{" not in r and "  " not in r for r in e.references)


def test_every_summary_slot_is_spoken_in_every_rendering() -> None:
    """Static version of the check above: some non-optional turn mentions the slot in all its paraphrases."""
    for sc in SCENARIOS:
        required = [t for t in sc.turns if isinstance(t, Turn) and not t.optional]
        for name in set().union(*(placeholders(s) for s in sc.summaries)):
            assert any(all(name in placeholders(line) for line in t.lines) for t in required), (sc.topic, name)


def test_scenarios_are_varied_and_small_talk_never_splits_a_question() -> None:
    topics = {sc.topic for sc in SCENARIOS}
    assert len(topics) >= 40
    assert all(sum(sc.topic == t for sc in SCENARIOS) >= 3 for t in topics)
    for sc in SCENARIOS:
        for before, turn in zip(sc.turns, sc.turns[1:]):
            if turn == BREAK:
                assert not any("?" in line for line in before.lines), (sc.topic, before.lines)
        assert all(len(t.lines) >= 2 for t in sc.turns if isinstance(t, Turn)), sc.topic


def test_lead_baseline_is_clearly_beatable(train: list[Example]) -> None:
    """Summaries abstract the whole dialogue: its first two turns hold far fewer of their words than all turns do."""

    def coverage(summary: str, lines: list[str]) -> float:
        words = set(summary.replace(".", "").split())
        return len(words & set(" ".join(lines).split())) / len(words)

    lead, full = [], []
    for e in train:
        lines = [line.split(": ", 1)[1] for line in e.dialogue.split("\n")]
        lead.append(coverage(e.summary, lines[:2]))
        full.append(coverage(e.summary, lines))
    assert statistics.mean(lead) < 0.5 * statistics.mean(full)


@pytest.mark.parametrize(("word", "josa", "expected"), [
    ("가방", "을", "가방을"), ("사과", "을", "사과를"), ("서울", "으로", "서울로"), ("부산", "으로", "부산으로"),
    ("#Person1#", "은", "#Person1#은"), ("#Person2#", "은", "#Person2#는"), ("#Person7#", "이", "#Person7#이"),
    ("10", "이", "10이"), ("3", "이", "3이"), ("사과", "이에요", "사과예요"), ("7만 원", "이었어요", "7만 원이었어요"),
    ("라테", "이었어요", "라테였어요"), ("『데미안』", "이네요", "『데미안』이네요"), ("#Email#", "으로", "#Email#로"),
])
def test_josa_agrees_with_the_final_sound(word: str, josa: str, expected: str) -> None:
    assert attach(word, josa) == expected


@pytest.mark.parametrize("kind", sorted(NOISE_KINDS))
def test_each_noise_kind_leaves_its_sign(kind: str) -> None:
    dialogue = "#Person1#: 안녕하세요 반가워요.\n#Person2#: 네, 안녕하세요.\n#Person1#: 오늘 날씨 좋네요."
    noisy = NOISE_KINDS[kind](dialogue, random.Random(0))
    assert NOISE_SIGNS[kind].search(noisy)
    assert not NOISE_SIGNS[kind].search(dialogue)
    assert add_noise(dialogue, random.Random(0)) != dialogue


@pytest.mark.parametrize("rate", [0.0, 1.0])
def test_noise_rate_controls_raw_rows(tmp_path: Path, rate: float) -> None:
    out = _write(tmp_path, f"noise{rate}", noise_rate=rate)
    rows = _rows(out / "train.csv") + _rows(out / "dev.csv") + _rows(out / "test.csv")
    assert len(rows) == 360 and all(r["dialogue"] for r in rows)
    raw = "\n".join(r["dialogue"] for r in rows)
    seen = {kind for kind, sign in NOISE_SIGNS.items() if sign.search(raw)}
    assert seen == (set(NOISE_SIGNS) if rate else set())
    noisy_rows = sum(any(s.search(r["dialogue"]) for s in NOISE_SIGNS.values()) for r in rows)
    assert noisy_rows == (len(rows) if rate else 0)
