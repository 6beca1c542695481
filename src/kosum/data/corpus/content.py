"""The corpus's words and sentences, read from the YAML files in `text/`: shared word pools, the hand-written
scenarios, the frames' goals and places, small talk and the masked-data exchanges.

Why data files: a writer edits a sentence without counting parentheses, and the generator's logic reads without
scrolling past text. Read strictly (`text_files`: errors name the file and the key path), each file once per process
(`functools.cache`), so generation is as fast as with Python literals.

The files' conventions:
- `$name` is a word pool: one of `pools.yaml`, or of the file's own `pools:` (a pool may use the pools above it). A
  slot's value is a list of choices or a pool; inside a list, an item `$name` stands for all of that pool's values.
- A slot key `item,price` is a joint slot: each choice is a row `[item, price]`, drawn together.
- `<class>` in a value or a line is an open word drawn per dialogue: a class of `lexicon.yaml` (mined from the
  dictionary, `kosum.data.corpus.lexicon`) or a number (`<time>`, `<date>`: `kosum.data.corpus.numerals`).
- Placeholders are `{slot}` or `{slot:을}` (the josa in its after-consonant form, `kosum.data.corpus.josa`);
  `{P1}`..`{P7}` are the speaker tags, and a goal's clauses name its roles `{C}` (customer) and `{S}` (staff).
- A turn is a mapping of `speaker`, `lines` (paraphrases, one drawn) and `optional`; `break` marks where small
  talk may go. A goal's speakers are roles, C or S: who is #Person1# is decided per dialogue.
- Scenario files are read in name order: the order of a topic's variants is part of the random draws.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar, get_args

from kosum.data.corpus import text_files as tf
from kosum.data.corpus.frames.compose import SITUATION_SLOTS, Clause, Goal, Outcome, Situation
from kosum.data.corpus.details import Details
from kosum.data.corpus.lexicon import MARKER, word_classes
from kosum.data.corpus.numerals import NUMERALS
from kosum.data.corpus.scenario import BREAK, PLACEHOLDER, Register, Scenario, Turn, placeholders
from kosum.data.corpus.text_files import TEXT_DIR

T = TypeVar("T")
_MASK = re.compile(r"#[A-Za-z]+#")
_SPEAKERS = {n: n for n in range(1, 8)}  # a scenario's speakers: #Person1#..#Person7#
_ROLES = {"C": 1, "S": 2}  # a goal's roles, customer and staff (`compose` decides which one is #Person1#)
_REGISTERS = get_args(Register)
# A scenario file's details by register: strangers talk as acquaintances do (해요체)
_DETAIL_REGISTER = {"service": "service", "polite": "polite", "stranger": "polite", "casual": "casual"}
_DETAIL_REGISTERS = ("service", "polite", "casual")

Value = str | tuple[str, ...]  # one choice: a text, or a row of a joint slot's values
Pool = tuple[Value, ...]
Slots = tuple[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]], ...]
MaskExchange = tuple[float, tuple[str, str], tuple[str, str]]  # (share of frame dialogues, polite, between friends)


@dataclass(frozen=True)
class SmallTalk:
    """Small talk by register and place in the dialogue (`text/smalltalk.yaml`). Service exchanges are (who opens, C
    or S; what they say; the reply), the others (what one says; the reply)."""

    service_middle: tuple[tuple[str, str, str], ...]
    service_closing: tuple[tuple[str, str, str], ...]
    polite_opening: tuple[tuple[str, str], ...]
    polite_middle: tuple[tuple[str, str], ...]
    stranger_middle: tuple[tuple[str, str], ...]
    polite_closing: tuple[tuple[str, str], ...]
    casual_opening: tuple[tuple[str, str], ...]
    casual_middle: tuple[tuple[str, str], ...]
    casual_closing: tuple[tuple[str, str], ...]
    reactions: Mapping[str, tuple[str, ...]]  # a group talk's extra members agreeing, by register: polite, casual
    asides: Mapping[str, tuple[str, ...]]  # added to a service turn, by the speaker's role: C, S


@cache
def pools() -> Mapping[str, Pool]:
    """The shared word pools (`pools.yaml`) by name."""
    return read_pools(TEXT_DIR / "pools.yaml")


@cache
def scenarios() -> tuple[Scenario, ...]:
    """Every hand-written scenario, file by file in name order."""
    files = sorted((TEXT_DIR / "scenarios").glob("*.yaml"))
    return tuple(sc for path in files for sc in read_scenarios(path, pools()))


@cache
def goals() -> tuple[Goal, ...]:
    return read_goals(TEXT_DIR / "frames" / "goals.yaml", pools())


@cache
def situations() -> tuple[Situation, ...]:
    return read_situations(TEXT_DIR / "frames" / "situations.yaml")


@cache
def details() -> Details:
    """The frames' on-topic detail exchanges; their slots are named apart from every goal's."""
    taken = {name for goal in goals() for key in goal.slots for name in key.split(",")}
    return read_details(TEXT_DIR / "frames" / "details.yaml", pools(), taken)


@cache
def small_talk() -> SmallTalk:
    return read_small_talk(TEXT_DIR / "smalltalk.yaml")


@cache
def mask_exchanges() -> Mapping[str, MaskExchange]:
    """Each mask tag's exchange, in the file's order (the order of the draws)."""
    return read_masks(TEXT_DIR / "masks.yaml")


def read_pools(path: Path) -> Mapping[str, Pool]:
    raw, at = _document(path)
    return MappingProxyType(_pools(raw, at, {}))


def read_scenarios(path: Path, shared: Mapping[str, Pool]) -> tuple[Scenario, ...]:
    """A scenario file's scenarios, each with the file's details for its register (`details:`, optional)."""
    raw, at = _document(path)
    doc = tf.fields(raw, at, ("scenarios",), ("pools", "details"))
    known = _pools(doc.get("pools", {}), at["pools"], shared)
    every = tf.each(doc["scenarios"], at["scenarios"], _scenario, known)
    if "details" not in doc:
        return every
    taken = {name for sc in every for names, _ in sc.slots for name in names}
    by_register = _scenario_details(doc["details"], at["details"], known, taken)
    return tuple(dataclasses.replace(sc, details=by_register[_DETAIL_REGISTER[sc.register]]) for sc in every)


def _scenario_details(raw: Any, at: tf.At, known: Mapping[str, Pool], taken: Collection[str]
                      ) -> dict[str, Details]:
    """A scenario file's details: its own slots and, by register, exchanges that say only those slots."""
    doc = tf.fields(raw, at, ("slots",), tuple(_DETAIL_REGISTERS))
    slots = _own_slots(doc["slots"], at["slots"], known, taken, "a scenario's of this file")
    return {register: Details(slots, _detail_exchanges(doc[register], at[register], _names(slots),
                                                       service=register == "service") if register in doc else ())
            for register in _DETAIL_REGISTERS}


def read_goals(path: Path, shared: Mapping[str, Pool]) -> tuple[Goal, ...]:
    return _entries(path, "goals", shared, _goal)


def read_situations(path: Path) -> tuple[Situation, ...]:
    raw, at = _document(path)
    return tf.each(tf.fields(raw, at, ("situations",))["situations"], at["situations"], _situation)


def read_details(path: Path, shared: Mapping[str, Pool], goal_slots: Collection[str]) -> Details:
    """The frames' details: their exchanges may say the situation's slots ({place}, {staff}) besides their own."""
    raw, at = _document(path)
    doc = tf.fields(raw, at, ("slots", "exchanges"))
    taken = SITUATION_SLOTS | set(goal_slots)
    slots = _own_slots(doc["slots"], at["slots"], shared, taken, "the situation's or a goal's")
    return Details(slots, _detail_exchanges(doc["exchanges"], at["exchanges"], SITUATION_SLOTS | _names(slots),
                                            service=True))


def _own_slots(raw: Any, at: tf.At, known: Mapping[str, Pool], taken: Collection[str], whose: str
               ) -> dict[str, Pool]:
    """Detail slots, named apart from the slots of what they are added to (`taken`): the values share one dict."""
    return _joint_pools(_slots(raw, at, known, taken, whose=f"{whose} too; name it apart"))


def _names(slots: Mapping[str, Pool]) -> set[str]:
    return {name for key in slots for name in key.split(",")}


def _detail_exchanges(raw: Any, at: tf.At, names: Collection[str], *, service: bool) -> tuple[tuple[str, ...], ...]:
    exchanges = _exchanges(raw, at, service=service)
    for i, row in enumerate(exchanges):
        _templates(list(row), at[i], names)  # a service exchange's role has no braces
    return exchanges


def read_small_talk(path: Path) -> SmallTalk:
    raw, at = _document(path)
    names = tuple(f.name for f in dataclasses.fields(SmallTalk))
    doc = tf.fields(raw, at, names)
    lists = {n: _exchanges(doc[n], at[n], service=n.startswith("service_")) for n in names if n.endswith(
        ("_opening", "_middle", "_closing"))}
    return SmallTalk(**lists, reactions=_texts_by_key(doc["reactions"], at["reactions"], ("polite", "casual")),
                     asides=_texts_by_key(doc["asides"], at["asides"], tuple(_ROLES)))


def read_masks(path: Path) -> Mapping[str, MaskExchange]:
    raw, at = _document(path)
    if not isinstance(raw, dict) or not raw:
        at.fail(f"expected a mapping of mask tags ('#PhoneNumber#': ...), got {tf.shown(raw)}")
    return MappingProxyType({tag: _mask(tag, exchange, at[tag]) for tag, exchange in raw.items()})


def _document(path: Path) -> tuple[Any, tf.At]:
    """A text file, with every `<class>` in it checked: an unknown class fails here, not when a dialogue draws it."""
    raw, at = tf.document(path)
    _check_words(raw, at)
    return raw, at


def _check_words(raw: Any, at: tf.At) -> None:
    if isinstance(raw, dict):
        for key, value in raw.items():
            _check_words(value, at[key])
    elif isinstance(raw, list):
        for i, value in enumerate(raw):
            _check_words(value, at[i])
    elif isinstance(raw, str):
        for name in MARKER.findall(raw):
            if name not in NUMERALS and name not in word_classes():
                at.fail(f"<{name}> is no word class; known: {', '.join(sorted({*NUMERALS, *word_classes()}))}")


def _entries(path: Path, key: str, shared: Mapping[str, Pool], parse: Callable[..., T]) -> tuple[T, ...]:
    """A scenario or goal file's entries under `key`, each parsed with the pools it may use (shared and own)."""
    raw, at = _document(path)
    doc = tf.fields(raw, at, (key,), ("pools",))
    return tf.each(doc[key], at[key], parse, _pools(doc.get("pools", {}), at["pools"], shared))


def _templates(raw: Any, at: tf.At, names: Collection[str], count: int | None = None) -> tuple[str, ...]:
    """Texts whose every `{...}` is a well-formed placeholder of a slot in `names` or a speaker tag."""
    texts = tf.texts(raw, at, count)
    for i, text in enumerate(texts):
        if re.search(r"[{}]", PLACEHOLDER.sub("", text)):
            at[i].fail(f"a brace that is no placeholder in {text!r}; write {{slot}} or {{slot:josa}}")
        unknown = sorted(placeholders(text) - set(names))
        if unknown:
            at[i].fail(f"placeholder {{{unknown[0]}}} names no slot here; slots: {', '.join(sorted(names))}")
    return texts


def _pools(raw: Any, at: tf.At, shared: Mapping[str, Pool]) -> dict[str, Pool]:
    """The shared pools and those `raw` defines, each of which may use the shared ones and those above it."""
    if not isinstance(raw, dict):
        at.fail(f"expected a mapping of pool names to values, got {tf.shown(raw)}")
    known = dict(shared)
    for name, values in raw.items():
        if not isinstance(name, str) or not tf.NAME.fullmatch(name):
            at.fail(f"pool name {name!r}: use lowercase letters, digits and _")
        if name in shared:
            at[name].fail(f"a shared pool (pools.yaml) has this name; use it as ${name} or rename this one")
        known[name] = _choices(values, at[name], known)
        if len({1 if isinstance(v, str) else len(v) for v in known[name]}) > 1:
            at[name].fail("its rows hold different numbers of values")
    return known


def _choices(raw: Any, at: tf.At, known: Mapping[str, Pool]) -> Pool:
    """A pool `$name`, or a list of values (texts, or rows of texts for a joint slot) in which an item `$name`
    stands for all of that pool's values."""
    if isinstance(raw, str) and raw.startswith("$"):
        return _pool(raw, at, known)
    values: list[Value] = []
    for i, item in enumerate(tf.as_list(raw, at)):
        if isinstance(item, str) and item.startswith("$"):
            values += _pool(item, at[i], known)
        elif isinstance(item, list):
            if len(item) < 2:
                at[i].fail("a row holds two or more values; write a single value without brackets")
            values.append(tf.texts(item, at[i]))
        else:
            values.append(tf.text(item, at[i]))
    return tuple(values)


def _pool(ref: str, at: tf.At, known: Mapping[str, Pool]) -> Pool:
    if ref[1:] not in known:
        at.fail(f"unknown pool {ref!r}; known: {', '.join(sorted(known))}")
    return known[ref[1:]]


def _slots(raw: Any, at: tf.At, known: Mapping[str, Pool], taken: Collection[str] = (), *,
           whose: str = "filled by the situation") -> Slots:
    """Each slot key's names with its rows of values, one value per name; no name twice, none of `taken` (the slot
    is `whose`)."""
    if not isinstance(raw, dict):
        at.fail(f"expected a mapping of slot names to values, got {tf.shown(raw)}")
    slots: list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]] = []
    seen = set(taken)
    for key, choices in raw.items():
        names = tuple(str(key).split(","))
        if not all(tf.NAME.fullmatch(n) for n in names):
            at[key].fail("slot names are lowercase letters, digits and _, joined by ',' without spaces")
        for name in seen & set(names):
            at[key].fail(f"the slot {name!r} is " + (whose if name in taken else "defined twice"))
        seen |= set(names)
        rows = tuple(v if isinstance(v, tuple) else (v,) for v in _choices(choices, at[key], known))
        wrong = next((r for r in rows if len(r) != len(names)), None)
        if wrong is not None:
            at[key].fail(f"the choice {list(wrong)} has {len(wrong)} value(s) where {key!r} takes {len(names)}")
        slots.append((names, rows))
    return tuple(slots)


def _turns(raw: Any, at: tf.At, speakers: Mapping[Any, int], names: Collection[str]) -> tuple[Turn | str, ...]:
    turns = tf.each(raw, at, _turn, speakers, names)
    if not any(isinstance(t, Turn) for t in turns):
        at.fail("no turn with a speaker")
    return turns


def _turn(raw: Any, at: tf.At, speakers: Mapping[Any, int], names: Collection[str]) -> Turn | str:
    if raw == "break":
        return BREAK
    if not isinstance(raw, dict):
        at.fail(f"expected a turn (speaker, lines) or 'break', got {tf.shown(raw)}")
    fields = tf.fields(raw, at, ("speaker", "lines"), ("optional",))
    speaker = speakers[tf.one_of(fields["speaker"], at["speaker"], speakers, "speaker")]
    optional = tf.flag(fields.get("optional", False), at["optional"])
    return Turn(speaker, _templates(fields["lines"], at["lines"], names), optional=optional)


def _scenario(raw: Any, at: tf.At, known: Mapping[str, Pool]) -> Scenario:
    fields = tf.fields(raw, at, ("topic", "register", "slots", "turns", "summaries"), ("staff",))
    register = tf.one_of(fields["register"], at["register"], _REGISTERS, "register")
    slots = _slots(fields["slots"], at["slots"], known)
    names = {n for slot_names, _ in slots for n in slot_names}
    turns = _turns(fields["turns"], at["turns"], _SPEAKERS, names)
    summaries = _templates(fields["summaries"], at["summaries"], names, count=3)
    staff = tf.one_of(fields.get("staff", 2), at["staff"], _SPEAKERS, "speaker")
    return Scenario(tf.text(fields["topic"], at["topic"]), register, slots, turns, summaries, staff)


def _goal(raw: Any, at: tf.At, known: Mapping[str, Pool]) -> Goal:
    fields = tf.fields(raw, at, ("name", "topics", "slots", "turns", "clauses", "outcomes"))
    slots = _slots(fields["slots"], at["slots"], known, taken=SITUATION_SLOTS)
    said = SITUATION_SLOTS | {n for names, _ in slots for n in names}
    pools = _joint_pools(slots)
    outcomes = tf.each(fields["outcomes"], at["outcomes"], _outcome, said)
    clauses = tf.each(fields["clauses"], at["clauses"], _clause, said)
    return Goal(tf.text(fields["name"], at["name"]), _templates(fields["topics"], at["topics"], said), pools,
                _turns(fields["turns"], at["turns"], _ROLES, said), clauses, outcomes)


def _joint_pools(slots: Slots) -> dict[str, Pool]:
    """Slots keyed as written (`time,alt_time`): single slots keep plain values, joint slots rows
    (`details.draw_slots` takes both)."""
    return {",".join(names): tuple(r[0] if len(names) == 1 else r for r in rows) for names, rows in slots}


def _outcome(raw: Any, at: tf.At, said: Collection[str]) -> Outcome:
    fields = tf.fields(raw, at, ("turns", "clauses"))
    clauses = tf.each(fields["clauses"], at["clauses"], _clause, said)
    return Outcome(_turns(fields["turns"], at["turns"], _ROLES, said), clauses)


def _clause(raw: Any, at: tf.At, said: Collection[str]) -> Clause:
    fields = tf.fields(raw, at, ("subject", "predicates"), ("detail",))
    predicates = _templates(fields["predicates"], at["predicates"], {*said, *_ROLES})
    for i, predicate in enumerate(predicates):
        if not predicate.endswith(("다", "}")):  # a slot at the end holds a clause (`fix_clause`) ending in -다
            at["predicates"][i].fail("a predicate ends in the dictionary form -다, which each annotator conjugates")
    subject = tf.one_of(fields["subject"], at["subject"], _ROLES, "role")
    return Clause(subject, predicates, tf.flag(fields.get("detail", False), at["detail"]))


def _situation(raw: Any, at: tf.At) -> Situation:
    fields = tf.fields(raw, at, ("name", "services", "items", "problem_said", "problem"))
    items = tf.each(fields["items"], at["items"], tf.texts, 2)
    problem = tf.text(fields["problem_said"], at["problem_said"]), tf.text(fields["problem"], at["problem"])
    return Situation(tf.text(fields["name"], at["name"]), tf.texts(fields["services"], at["services"]), items, problem)


def _exchanges(raw: Any, at: tf.At, *, service: bool) -> tuple[tuple[str, ...], ...]:
    rows = tf.each(raw, at, tf.texts, 3 if service else 2)
    for i, row in enumerate(rows if service else ()):
        tf.one_of(row[0], at[i][0], _ROLES, "role to open the exchange")
    return rows


def _texts_by_key(raw: Any, at: tf.At, keys: tuple[str, ...]) -> Mapping[str, tuple[str, ...]]:
    fields = tf.fields(raw, at, keys)
    return MappingProxyType({key: tf.texts(fields[key], at[key]) for key in keys})


def _mask(tag: Any, raw: Any, at: tf.At) -> MaskExchange:
    if not isinstance(tag, str) or not _MASK.fullmatch(tag):
        at.fail(f"{tf.shown(tag)} is no mask tag such as '#PhoneNumber#'")
    fields = tf.fields(raw, at, ("rate", "polite", "friends"))
    rate = fields["rate"]
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
        at["rate"].fail(f"expected a share between 0 and 1, got {tf.shown(rate)}")
    polite, friends = (tf.texts(fields[key], at[key], count=2) for key in ("polite", "friends"))
    for key, (_, answer) in (("polite", polite), ("friends", friends)):
        if tag not in answer:
            at[key][1].fail(f"the answer does not say {tag}")
    return float(rate), polite, friends  # type: ignore[return-value]

