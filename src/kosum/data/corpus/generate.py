"""Assembling examples: compositional frames and hand-written scenarios, small talk, masks, annotators, splits.

Design choices:
- One RNG stream per split, seeded by the string f"{seed}:{split}" (never `hash()`, which is salted per process),
  so dev and test do not change when `n_train` does.
- Most dialogues come from frames (a goal in a place: `kosum.data.corpus.frames`), the rest from the hand-written
  scenarios (topic first, then a variant, so topics are balanced however many variants each has).
- A quarter of the (place, goal) pairs never occur in training; about a quarter of dev and test dialogues come from
  them (novelty `unseen`), so those scores measure summarizing a conversation the model has not seen made.
- Names, places, dishes, clothes, times and dates are open words (`<class>` in the text, `lexicon.Vocabulary`): most
  are rare, so a summary must copy them. Another quarter of dev and test dialogues (novelty `new_words`) draw them
  from a share of each class that train never uses: they measure copying words a model has never seen.
- Summaries come from annotators (`kosum.data.corpus.styles`): three different ones per dialogue; train and dev keep
  the first, test keeps all three as its references.
- About 1 % of dialogues are group talks (3-7 speakers), as in the competition; members beyond the scenario's roles
  only agree, at the end.
- A dialogue's length comes from on-topic details (`kosum.data.corpus.details`: who serves, how one came, who else
  is coming, full of open words the summary leaves out; a long tail, at most MAX_TURNS turns); small talk is rare
  (about 4 % of turns) and varied, as in the real data. Both go only at the script's breaks (details also at the end
  of a script without one), so they never split a question from its answer.
- The draw order is part of the corpus: every `rng` draw shifts all later ones, so reordering two draws or adding
  one changes every later dialogue of the split (and its checksum in dvc.lock). The text (`content`, `text/*.yaml`)
  is read in a fixed order for the same reason.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from kosum.data.corpus.content import details, goals, pools, scenarios, situations, small_talk
from kosum.data.corpus.frames import compose
from kosum.data.corpus.details import Exchange, draw_details
from kosum.data.corpus.josa import retag
from kosum.data.corpus.lexicon import Vocabulary, word_classes
from kosum.data.corpus.masks import add_masks
from kosum.data.corpus.scenario import BREAK, Scenario, choose_slots, fill, placeholders
from kosum.data.corpus.styles import draw_annotators, rewrite_reference, write_facts

SPLITS = ("train", "dev", "test")
MAX_TURNS = 64
GROUP_SHARE = 0.01
# Of seen dialogues; the rest are hand-written scenarios, whose own masked turns then give about the real share of
# masks (#PhoneNumber# in 5.8 % of them, 1.2 % overall)
FRAME_SHARE = 0.8
UNSEEN_PAIRS = 0.25     # of (place, goal) pairs, held out of training
UNSEEN_SHARE = 0.25     # of dev and test dialogues, drawn from the held-out pairs
NEW_WORDS_SHARE = 0.25  # of dev and test dialogues, frames whose open words train never uses
OPTIONAL_DROP = 0.8     # optional turns left out (with their answer), so one script gives several lengths
# service turns that also carry an aside (SmallTalk.asides); rare, so that no aside is in 1 % of dialogues
ASIDE_RATE = 0.012
OPENING_RATE = 0.6      # dialogues with small talk that open with a greeting, where the register has one
CLOSING_RATE = 0.35     # dialogues with small talk left after the opening that end with a closing exchange
ROLES_ONLY_RATE = 0.5   # group talks where only the scenario's roles speak; the others add agreeing members
# Small-talk exchanges (2 turns each) per dialogue, and how often each count is drawn: rare, as in the real data
# (a frame dialogue's length comes from its on-topic details, `kosum.data.corpus.details`).
SMALL_TALK_COUNTS = (0, 1, 2, 3)
SMALL_TALK_WEIGHTS = (85, 10, 3.5, 1.5)

Line = tuple[int, str]
Pair = tuple[int, int]  # (situation index, goal index)


@dataclass(frozen=True)
class Example:
    """A clean dialogue with its three annotators' summaries; raw-data noise is added only when writing CSVs."""

    fname: str
    dialogue: str
    summary: str
    topic: str
    references: tuple[str, str, str]
    slots: dict[str, str]  # slot values the references use that the dialogue says verbatim
    novelty: str = "seen"  # "unseen": from a (place, goal) pair never in training; "new_words": words never in it
    scenario: str = ""  # where it came from: "frame:<place>/<goal>" or "scenario:<topic>", for error analysis


def _by_topic(every: tuple[Scenario, ...]) -> tuple[tuple[Scenario, ...], ...]:
    topics = sorted({s.topic for s in every})
    return tuple(tuple(s for s in every if s.topic == t) for t in topics)


@cache
def _scenario_pools() -> tuple[tuple[tuple[Scenario, ...], ...], tuple[tuple[Scenario, ...], ...]]:
    """The hand-written scenarios of two speakers and those of groups, each by topic."""
    return (_by_topic(tuple(s for s in scenarios() if s.speakers == 2)),
            _by_topic(tuple(s for s in scenarios() if s.speakers > 2)))


@cache
def _pairs() -> tuple[Pair, ...]:
    return tuple((s, g) for s in range(len(situations())) for g in range(len(goals())))


@cache
def unseen_pairs(seed: int) -> frozenset[Pair]:
    """The (situation, goal) pairs held out of training for this corpus seed."""
    return frozenset(random.Random(f"{seed}:unseen").sample(list(_pairs()), round(len(_pairs()) * UNSEEN_PAIRS)))


def generate_split(split: str, n: int, seed: int) -> list[Example]:
    """`n` examples named `{split}_0`.. ; the same (split, n, seed) always gives the same examples."""
    if split not in SPLITS:
        raise ValueError(f"Unknown split {split!r}; choose one of {list(SPLITS)}.")
    rng = random.Random(f"{seed}:{split}")
    held_out = unseen_pairs(seed)
    pairs = sorted(held_out), sorted(set(_pairs()) - held_out)
    words = {new: Vocabulary(word_classes(), seed, new_words=new) for new in (False, True)}
    return [_example(f"{split}_{i}", _novelty(split, rng), pairs, words, rng) for i in range(n)]


def _novelty(split: str, rng: random.Random) -> str:
    if split == "train":
        return "seen"
    draw = rng.random()
    return "unseen" if draw < UNSEEN_SHARE else "new_words" if draw < UNSEEN_SHARE + NEW_WORDS_SHARE else "seen"


def _example(fname: str, novelty: str, pairs: tuple[list[Pair], list[Pair]], words: dict[bool, Vocabulary],
             rng: random.Random) -> Example:
    annotators = draw_annotators(rng)
    unseen, vocabulary = novelty == "unseen", words[novelty == "new_words"]
    if novelty != "seen" or (rng.random() >= GROUP_SHARE and rng.random() < FRAME_SHARE):
        s, g = rng.choice(pairs[0] if unseen else pairs[1])
        situation, goal = situations()[s], goals()[g]
        branch = vocabulary.fill(rng.choice(pools()["branches"]), rng)
        frame = compose(situation, goal, rng, vocabulary, branch=branch)
        sc, values, spoken = frame.script, frame.values, frame.spoken
        said = draw_details(details(), values, vocabulary, rng)
        references = tuple(write_facts(frame.facts, a) for a in annotators)
        source = f"frame:{situation.name}/{goal.name}"
    else:
        pair_pool, group_pool = _scenario_pools()
        sc = rng.choice(rng.choice(group_pool if rng.random() < GROUP_SHARE / (1 - FRAME_SHARE) else pair_pool))
        values = {k: vocabulary.fill(v, rng) for k, v in choose_slots(sc, rng).items()}
        written = tuple(fill(t, values) for t in sc.summaries)
        references = tuple(rewrite_reference(written, a) for a in annotators)
        used = sorted(set().union(*(placeholders(t) for t in sc.summaries)))
        spoken = {k: values[k] for k in used}
        source = f"scenario:{sc.topic}"
        said = draw_details(sc.details, values, vocabulary, rng) if sc.details else ()
    lines = _with_small_talk(sc, _core_segments(sc, values, rng), said, rng)
    lines = add_masks(lines, sc.register == "casual", sc.speakers, sc.staff if sc.register == "service" else None, rng)
    if lines[0][0] != 1:
        lines, references = _person1_first(lines, references)
    dialogue = "\n".join(f"#Person{speaker}#: {text}" for speaker, text in lines)
    return Example(fname, dialogue, references[0], sc.topic, references, spoken, novelty, source)


def _person1_first(lines: list[Line], references: tuple[str, ...]) -> tuple[list[Line], tuple[str, ...]]:
    """The first speaker and #Person1# swapped, so that #Person1# speaks first as in the competition's data."""
    swap = {lines[0][0]: 1, 1: lines[0][0]}
    return [(swap.get(s, s), text) for s, text in lines], tuple(retag(r, swap) for r in references)


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
                text = fill(rng.choice(turn.lines), values)
                segments[-1].append((turn.speaker, _with_aside(sc, turn.speaker, text, rng)))
    return [s for s in segments if s]


def _with_aside(sc: Scenario, speaker: int, text: str, rng: random.Random) -> str:
    """In service talk, now and then an aside before a question or after a statement, in the speaker's role (friends'
    asides fitted too few of their turns to be added blindly)."""
    if sc.register != "service" or rng.random() >= ASIDE_RATE:
        return text
    aside = rng.choice(small_talk().asides["S" if speaker == sc.staff else "C"])
    return f"{aside} {text}" if text.endswith("?") else f"{text} {aside}"


def _with_small_talk(sc: Scenario, segments: list[list[Line]], said: tuple[Exchange, ...], rng: random.Random
                     ) -> list[Line]:
    """Interleave the dialogue's on-topic details (`said`), small talk and, in group talks, extra members' agreement
    with the core segments."""
    extras = _extra_members(sc, rng)
    scripted = sum(len(s) for s in segments) + len(extras)
    said = said[:max(0, (MAX_TURNS - scripted) // 2)]
    if len(segments) == 1 and segments[-1][-1][1].endswith("?"):
        said = ()  # a script without a break takes its details at the end, unless it ends asking
    core = scripted + 2 * len(said)
    wanted = rng.choices(SMALL_TALK_COUNTS, SMALL_TALK_WEIGHTS)[0]
    budget = max(0, min(wanted, (MAX_TURNS - core) // 2))
    opening, closing, middle = _pools(sc.register)
    open_with = rng.choice(opening) if budget and opening and rng.random() < OPENING_RATE else None
    budget -= open_with is not None
    closes = bool(budget) and rng.random() < CLOSING_RATE
    budget -= closes
    # after[i]: what follows segment i. Extra members agree once the plan is complete, i.e. after the last segment.
    after: list[list[Line]] = [[] for _ in segments]
    reaction_pool = small_talk().reactions["casual" if sc.register == "casual" else "polite"]
    after[-1] += [(speaker, rng.choice(reaction_pool)) for speaker in extras]
    middle_gaps = len(segments) - 1
    for exchange in said:  # at a break, or at the end of a script without one
        gap = rng.randrange(middle_gaps) if middle_gaps else middle_gaps
        after[gap] += _exchange(sc, exchange, (segments[gap] + after[gap])[-1][0], rng)
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
    if sc.speakers < 3 or rng.random() < ROLES_ONLY_RATE:
        return []
    return list(range(sc.speakers + 1, rng.randint(sc.speakers + 1, 7) + 1))


def _pools(register: str) -> tuple[tuple, tuple, tuple]:
    """The register's (opening, closing, middle) exchanges: clerks do not open with small talk, and strangers close
    as acquaintances do."""
    talk = small_talk()
    if register == "service":
        return (), talk.service_closing, talk.service_middle
    if register == "polite":
        return talk.polite_opening, talk.polite_closing, talk.polite_middle
    if register == "stranger":
        return (), talk.polite_closing, talk.stranger_middle
    return talk.casual_opening, talk.casual_closing, talk.casual_middle


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
