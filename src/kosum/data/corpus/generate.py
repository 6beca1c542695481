"""Assembling examples from scenarios: small talk, extra group members, references, splits.

Design choices:
- One RNG stream per split, seeded by the string f"{seed}:{split}" (never `hash()`, which is salted per process),
  so dev and test do not change when `n_train` does.
- Topic first, then a variant within it, so topics are balanced however many variants each has.
- About 10% of dialogues are group talks (3-7 speakers); members beyond the scenario's roles only agree, at the end.
- Small talk goes only at the scenario's breaks, the opening and the closing, so it never splits a question from
  its answer; its amount varies dialogue length from 2 to 40 turns (most 6-20).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from kosum.data.corpus import smalltalk
from kosum.data.corpus.scenario import BREAK, Scenario, choose_slots, fill, placeholders
from kosum.data.corpus.scenarios import SCENARIOS

SPLITS = ("train", "dev", "test")
MAX_TURNS = 40
GROUP_SHARE = 0.1
OPTIONAL_DROP = 0.35
# Small-talk exchanges (2 turns each) per dialogue, and how often each count is drawn.
SMALL_TALK_COUNTS = (0, 1, 2, 3, 4, 5, 6, 8, 10, 13)
SMALL_TALK_WEIGHTS = (20, 26, 20, 13, 8, 5, 4, 2, 2, 1)

Line = tuple[int, str]


@dataclass(frozen=True)
class Example:
    """A clean dialogue with its three reference summaries; raw-data noise is added only when writing CSVs."""

    fname: str
    dialogue: str
    summary: str
    topic: str
    references: tuple[str, str, str]
    slots: dict[str, str]  # every slot value the references use; each occurs verbatim in the dialogue


def _by_topic(scenarios: tuple[Scenario, ...]) -> tuple[tuple[Scenario, ...], ...]:
    topics = sorted({s.topic for s in scenarios})
    return tuple(tuple(s for s in scenarios if s.topic == t) for t in topics)


_PAIR_POOL = _by_topic(tuple(s for s in SCENARIOS if s.speakers == 2))
_GROUP_POOL = _by_topic(tuple(s for s in SCENARIOS if s.speakers > 2))


def generate_split(split: str, n: int, seed: int) -> list[Example]:
    """`n` examples named `{split}_0`.. ; the same (split, n, seed) always gives the same examples."""
    if split not in SPLITS:
        raise ValueError(f"Unknown split {split!r}; choose one of {list(SPLITS)}.")
    rng = random.Random(f"{seed}:{split}")
    return [_example(f"{split}_{i}", rng) for i in range(n)]


def _example(fname: str, rng: random.Random) -> Example:
    pool = _GROUP_POOL if rng.random() < GROUP_SHARE else _PAIR_POOL
    sc = rng.choice(rng.choice(pool))
    values = choose_slots(sc, rng)
    segments = _core_segments(sc, values, rng)
    lines = _with_small_talk(sc, segments, rng)
    dialogue = "\n".join(f"#Person{speaker}#: {text}" for speaker, text in lines)
    references = tuple(fill(t, values) for t in sc.summaries)
    used = sorted(set().union(*(placeholders(t) for t in sc.summaries)))
    return Example(fname, dialogue, references[0], sc.topic, references, {k: values[k] for k in used})


def _core_segments(sc: Scenario, values: dict[str, str], rng: random.Random) -> list[list[Line]]:
    """The scenario's turns, rendered and cut at its breaks. Adjacent optional turns (a question and its answer)
    are kept or dropped together."""
    segments: list[list[Line]] = [[]]
    keep, previous_optional = True, False
    for turn in sc.turns:
        if turn == BREAK:
            segments.append([])
        else:
            if turn.optional and not previous_optional:
                keep = rng.random() >= OPTIONAL_DROP
            previous_optional = turn.optional
            if keep or not turn.optional:
                segments[-1].append((turn.speaker, fill(rng.choice(turn.lines), values)))
    return [s for s in segments if s]


def _with_small_talk(sc: Scenario, segments: list[list[Line]], rng: random.Random) -> list[Line]:
    """Interleave small talk (and, in group talks, extra members' agreement) with the core segments."""
    extras = _extra_members(sc, rng)
    core = sum(len(s) for s in segments) + len(extras)
    wanted = rng.choices(SMALL_TALK_COUNTS, SMALL_TALK_WEIGHTS)[0]
    budget = max(0, min(wanted, (MAX_TURNS - core) // 2))
    opening, closing, middle = _pools(sc.register)
    open_with = rng.choice(opening) if budget and opening and rng.random() < 0.6 else None
    budget -= open_with is not None
    closes = bool(budget) and rng.random() < 0.5
    budget -= closes
    # after[i]: what follows segment i. Extra members agree once the plan is complete, i.e. after the last segment.
    after: list[list[Line]] = [[] for _ in segments]
    reaction_pool = smalltalk.REACTIONS["casual" if sc.register == "casual" else "polite"]
    after[-1] += [(speaker, rng.choice(reaction_pool)) for speaker in extras]
    middle_gaps = len(segments) - 1
    for exchange in rng.sample(middle, min(budget, len(middle))) if middle_gaps else ():
        gap = rng.randrange(middle_gaps)
        after[gap] += _exchange(sc, exchange, (segments[gap] + after[gap])[-1][0], rng)
    lines: list[Line] = _exchange(sc, open_with, 0, rng) if open_with else []
    for segment, tail in zip(segments, after):
        lines += segment + tail
    if closes:
        last = lines[-1][0]
        fitting = [c for c in closing if _service_opener(sc, c) != last]  # nobody thanks twice in a row
        lines += _exchange(sc, rng.choice(fitting), last, rng) if fitting else []
    return lines


def _extra_members(sc: Scenario, rng: random.Random) -> list[int]:
    """Speakers beyond the scenario's roles: none for two-person talks, otherwise up to #Person7#."""
    if sc.speakers < 3 or rng.random() < 0.5:
        return []
    return list(range(sc.speakers + 1, rng.randint(sc.speakers + 1, 7) + 1))


def _pools(register: str) -> tuple[tuple, tuple, tuple]:
    if register == "service":
        return (), smalltalk.SERVICE_CLOSING, smalltalk.SERVICE_MIDDLE
    if register == "polite":
        return smalltalk.POLITE_OPENING, smalltalk.POLITE_CLOSING, smalltalk.POLITE_MIDDLE
    if register == "stranger":
        return (), smalltalk.POLITE_CLOSING, smalltalk.STRANGER_MIDDLE
    return smalltalk.CASUAL_OPENING, smalltalk.CASUAL_CLOSING, smalltalk.CASUAL_MIDDLE


def _service_opener(sc: Scenario, exchange: tuple[str, ...]) -> int | None:
    """Who opens a service exchange ('S' staff or 'C' customer); None for exchanges anyone may open."""
    if len(exchange) != 3:
        return None
    return sc.staff if exchange[0] == "S" else 3 - sc.staff


def _exchange(sc: Scenario, exchange: tuple[str, ...], last: int, rng: random.Random) -> list[Line]:
    """Two small-talk turns by two different speakers. In service talk the staff/customer roles decide who; otherwise
    the opener is anyone but `last` (who just spoke), so nobody answers their own line."""
    opener = _service_opener(sc, exchange)
    if opener is not None:
        return [(opener, exchange[1]), (3 - opener, exchange[2])]
    a = rng.choice([s for s in range(1, sc.speakers + 1) if s != last])
    b = rng.choice([s for s in range(1, sc.speakers + 1) if s != a])
    return [(a, exchange[0]), (b, exchange[1])]
