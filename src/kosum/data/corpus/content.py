"""The corpus's words and sentences, read from the YAML files in `text/`: shared word pools, the hand-written
scenarios, the frames' goals and places, small talk and the masked-data exchanges.

Why data files: a writer edits a sentence without counting parentheses, and the generator's logic reads without
scrolling past text. Why strict: a typo in a key, a pool name or a placeholder fails when the file is read, naming
the file and the key path, instead of as a KeyError halfway through generation or as a silently different corpus.
Each file is read once per process (`functools.cache`), so generation is as fast as with Python literals.

The files' conventions:
- `$name` is a word pool: one of `pools.yaml`, or of the file's own `pools:` (a pool may use the pools above it). A
  slot's value is a list of choices or a pool; inside a list, an item `$name` stands for all of that pool's values.
- A slot key `item,price` is a joint slot: each choice is a row `[item, price]`, drawn together.
- Placeholders are `{slot}` or `{slot:을}` (the josa in its after-consonant form, `kosum.data.corpus.josa`);
  `{P1}`..`{P7}` are the speaker tags, and a goal's clauses name its roles `{C}` (customer) and `{S}` (staff).
- A turn is a mapping of `speaker`, `lines` (paraphrases, one drawn) and `optional`; `break` marks where small
  talk may go. A goal's speakers are roles, C or S: who is #Person1# is decided per dialogue.
- Scenario files are read in name order: the order of a topic's variants is part of the random draws.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Collection, Hashable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn, TypeVar, get_args

import yaml

from kosum.core.errors import DataError
from kosum.data.corpus.frames.compose import SITUATION_SLOTS, Clause, Goal, Outcome, Situation
from kosum.data.corpus.scenario import BREAK, PLACEHOLDER, Register, Scenario, Turn, placeholders

T = TypeVar("T")
TEXT_DIR = Path(__file__).with_name("text")
_NAME = re.compile(r"[a-z][a-z0-9_]*")  # pool and slot names
_MASK = re.compile(r"#[A-Za-z]+#")
_SPEAKERS = {n: n for n in range(1, 8)}  # a scenario's speakers: #Person1#..#Person7#
_ROLES = {"C": 1, "S": 2}  # a goal's roles, customer and staff (`compose` decides which one is #Person1#)
_REGISTERS = get_args(Register)

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
    return _entries(path, "scenarios", shared, _scenario)


def read_goals(path: Path, shared: Mapping[str, Pool]) -> tuple[Goal, ...]:
    return _entries(path, "goals", shared, _goal)


def read_situations(path: Path) -> tuple[Situation, ...]:
    raw, at = _document(path)
    return _each(_fields(raw, at, ("situations",))["situations"], at["situations"], _situation)


def read_small_talk(path: Path) -> SmallTalk:
    raw, at = _document(path)
    names = tuple(f.name for f in dataclasses.fields(SmallTalk))
    doc = _fields(raw, at, names)
    lists = {n: _exchanges(doc[n], at[n], service=n.startswith("service_")) for n in names if n.endswith(
        ("_opening", "_middle", "_closing"))}
    return SmallTalk(**lists, reactions=_texts_by_key(doc["reactions"], at["reactions"], ("polite", "casual")),
                     asides=_texts_by_key(doc["asides"], at["asides"], tuple(_ROLES)))


def read_masks(path: Path) -> Mapping[str, MaskExchange]:
    raw, at = _document(path)
    if not isinstance(raw, dict) or not raw:
        at.fail(f"expected a mapping of mask tags ('#PhoneNumber#': ...), got {_shown(raw)}")
    return MappingProxyType({tag: _mask(tag, exchange, at[tag]) for tag, exchange in raw.items()})


@dataclass(frozen=True)
class _At:
    """A place in a text file, for one-line errors: `file: scenarios[3].turns[2]: what is wrong.`"""

    file: Path
    path: str = ""

    def __getitem__(self, key: str | int) -> _At:
        step = f"[{key}]" if isinstance(key, int) else f".{key}" if self.path else str(key)
        return _At(self.file, self.path + step)

    def fail(self, problem: str) -> NoReturn:
        raise DataError(f"{self.file}: {self.path or 'top level'}: {problem}.")


class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader (libyaml's where installed) that rejects a key given twice in one mapping, which PyYAML
    would otherwise resolve silently by keeping the last."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, Hashable) and key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"the key {key!r} is given twice",
                                                        key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _document(path: Path) -> tuple[Any, _At]:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader), _At(path)  # noqa: S506
    except OSError as err:
        raise DataError(f"{path}: cannot read it ({err.strerror}).") from err
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        hint = ("; a text that starts with { [ ' or holds ': ' or ' #' needs double quotes"
                if isinstance(err, yaml.scanner.ScannerError | yaml.parser.ParserError) else "")
        raise DataError(f"{path}: {where}{getattr(err, 'problem', None) or err}{hint}.") from err


def _entries(path: Path, key: str, shared: Mapping[str, Pool], parse: Callable[..., T]) -> tuple[T, ...]:
    """A scenario or goal file's entries under `key`, each parsed with the pools it may use (shared and own)."""
    raw, at = _document(path)
    doc = _fields(raw, at, (key,), ("pools",))
    return _each(doc[key], at[key], parse, _pools(doc.get("pools", {}), at["pools"], shared))


def _each(raw: Any, at: _At, parse: Callable[..., T], *args: Any) -> tuple[T, ...]:
    """`parse(item, at[i], *args)` for every item of the non-empty list `raw`."""
    return tuple(parse(item, at[i], *args) for i, item in enumerate(_list(raw, at)))


def _shown(raw: Any) -> str:
    return text if len(text := repr(raw)) <= 40 else text[:37] + "..."


def _fields(raw: Any, at: _At, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """`raw` as a mapping that holds every required key and no other than the optional ones."""
    allowed = ", ".join(sorted(required + optional))
    if not isinstance(raw, dict):
        at.fail(f"expected a mapping with the keys {allowed}, got {_shown(raw)}")
    for key in raw:
        if key not in required + optional:
            at.fail(f"unknown key {key!r}; allowed: {allowed}")
    for key in required:
        if key not in raw:
            at.fail(f"missing key {key!r}")
    return raw


def _list(raw: Any, at: _At) -> list[Any]:
    if not isinstance(raw, list) or not raw:
        at.fail(f"expected a non-empty list, got {_shown(raw)}")
    return raw


def _text(raw: Any, at: _At) -> str:
    if not isinstance(raw, str) or not raw.strip():
        at.fail(f"expected a text, got {_shown(raw)}")
    return raw


def _texts(raw: Any, at: _At, count: int | None = None) -> tuple[str, ...]:
    if count is not None and len(_list(raw, at)) != count:
        at.fail(f"expected {count} texts, got {len(raw)}")
    return _each(raw, at, _text)


def _flag(raw: Any, at: _At) -> bool:
    if not isinstance(raw, bool):
        at.fail(f"expected true or false, got {_shown(raw)}")
    return raw


def _one_of(raw: Any, at: _At, allowed: Collection[Any], what: str) -> Any:
    if isinstance(raw, bool) or not isinstance(raw, int | str) or raw not in allowed:
        at.fail(f"{_shown(raw)} is no {what}; choose one of {', '.join(map(str, allowed))}")
    return raw


def _templates(raw: Any, at: _At, names: Collection[str], count: int | None = None) -> tuple[str, ...]:
    """Texts whose every `{...}` is a well-formed placeholder of a slot in `names` or a speaker tag."""
    texts = _texts(raw, at, count)
    for i, text in enumerate(texts):
        if re.search(r"[{}]", PLACEHOLDER.sub("", text)):
            at[i].fail(f"a brace that is no placeholder in {text!r}; write {{slot}} or {{slot:josa}}")
        unknown = sorted(placeholders(text) - set(names))
        if unknown:
            at[i].fail(f"placeholder {{{unknown[0]}}} names no slot here; slots: {', '.join(sorted(names))}")
    return texts


def _pools(raw: Any, at: _At, shared: Mapping[str, Pool]) -> dict[str, Pool]:
    """The shared pools and those `raw` defines, each of which may use the shared ones and those above it."""
    if not isinstance(raw, dict):
        at.fail(f"expected a mapping of pool names to values, got {_shown(raw)}")
    known = dict(shared)
    for name, values in raw.items():
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            at.fail(f"pool name {name!r}: use lowercase letters, digits and _")
        if name in shared:
            at[name].fail(f"a shared pool (pools.yaml) has this name; use it as ${name} or rename this one")
        known[name] = _choices(values, at[name], known)
        if len({1 if isinstance(v, str) else len(v) for v in known[name]}) > 1:
            at[name].fail("its rows hold different numbers of values")
    return known


def _choices(raw: Any, at: _At, known: Mapping[str, Pool]) -> Pool:
    """A pool `$name`, or a list of values (texts, or rows of texts for a joint slot) in which an item `$name`
    stands for all of that pool's values."""
    if isinstance(raw, str) and raw.startswith("$"):
        return _pool(raw, at, known)
    values: list[Value] = []
    for i, item in enumerate(_list(raw, at)):
        if isinstance(item, str) and item.startswith("$"):
            values += _pool(item, at[i], known)
        elif isinstance(item, list):
            if len(item) < 2:
                at[i].fail("a row holds two or more values; write a single value without brackets")
            values.append(_texts(item, at[i]))
        else:
            values.append(_text(item, at[i]))
    return tuple(values)


def _pool(ref: str, at: _At, known: Mapping[str, Pool]) -> Pool:
    if ref[1:] not in known:
        at.fail(f"unknown pool {ref!r}; known: {', '.join(sorted(known))}")
    return known[ref[1:]]


def _slots(raw: Any, at: _At, known: Mapping[str, Pool], taken: Collection[str] = ()) -> Slots:
    """Each slot key's names with its rows of values, one value per name; no name twice, none of `taken`."""
    if not isinstance(raw, dict):
        at.fail(f"expected a mapping of slot names to values, got {_shown(raw)}")
    slots: list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]] = []
    seen = set(taken)
    for key, choices in raw.items():
        names = tuple(str(key).split(","))
        if not all(_NAME.fullmatch(n) for n in names):
            at[key].fail("slot names are lowercase letters, digits and _, joined by ',' without spaces")
        for name in seen & set(names):
            at[key].fail(f"the slot {name!r} is " + ("filled by the situation" if name in taken else "defined twice"))
        seen |= set(names)
        rows = tuple(v if isinstance(v, tuple) else (v,) for v in _choices(choices, at[key], known))
        wrong = next((r for r in rows if len(r) != len(names)), None)
        if wrong is not None:
            at[key].fail(f"the choice {list(wrong)} has {len(wrong)} value(s) where {key!r} takes {len(names)}")
        slots.append((names, rows))
    return tuple(slots)


def _turns(raw: Any, at: _At, speakers: Mapping[Any, int], names: Collection[str]) -> tuple[Turn | str, ...]:
    turns = _each(raw, at, _turn, speakers, names)
    if not any(isinstance(t, Turn) for t in turns):
        at.fail("no turn with a speaker")
    return turns


def _turn(raw: Any, at: _At, speakers: Mapping[Any, int], names: Collection[str]) -> Turn | str:
    if raw == "break":
        return BREAK
    if not isinstance(raw, dict):
        at.fail(f"expected a turn (speaker, lines) or 'break', got {_shown(raw)}")
    fields = _fields(raw, at, ("speaker", "lines"), ("optional",))
    speaker = speakers[_one_of(fields["speaker"], at["speaker"], speakers, "speaker")]
    optional = _flag(fields.get("optional", False), at["optional"])
    return Turn(speaker, _templates(fields["lines"], at["lines"], names), optional=optional)


def _scenario(raw: Any, at: _At, known: Mapping[str, Pool]) -> Scenario:
    fields = _fields(raw, at, ("topic", "register", "slots", "turns", "summaries"), ("staff",))
    register = _one_of(fields["register"], at["register"], _REGISTERS, "register")
    slots = _slots(fields["slots"], at["slots"], known)
    names = {n for slot_names, _ in slots for n in slot_names}
    turns = _turns(fields["turns"], at["turns"], _SPEAKERS, names)
    summaries = _templates(fields["summaries"], at["summaries"], names, count=3)
    staff = _one_of(fields.get("staff", 2), at["staff"], _SPEAKERS, "speaker")
    return Scenario(_text(fields["topic"], at["topic"]), register, slots, turns, summaries, staff)


def _goal(raw: Any, at: _At, known: Mapping[str, Pool]) -> Goal:
    fields = _fields(raw, at, ("name", "topics", "slots", "turns", "clauses", "outcomes"))
    slots = _slots(fields["slots"], at["slots"], known, taken=SITUATION_SLOTS)
    said = SITUATION_SLOTS | {n for names, _ in slots for n in names}
    # single slots keep plain values, joint slots rows (`compose._values` takes both)
    pools = {",".join(names): tuple(r[0] if len(names) == 1 else r for r in rows) for names, rows in slots}
    outcomes = _each(fields["outcomes"], at["outcomes"], _outcome, said)
    clauses = _each(fields["clauses"], at["clauses"], _clause, said)
    return Goal(_text(fields["name"], at["name"]), _templates(fields["topics"], at["topics"], said), pools,
                _turns(fields["turns"], at["turns"], _ROLES, said), clauses, outcomes)


def _outcome(raw: Any, at: _At, said: Collection[str]) -> Outcome:
    fields = _fields(raw, at, ("turns", "clauses"))
    clauses = _each(fields["clauses"], at["clauses"], _clause, said)
    return Outcome(_turns(fields["turns"], at["turns"], _ROLES, said), clauses)


def _clause(raw: Any, at: _At, said: Collection[str]) -> Clause:
    fields = _fields(raw, at, ("subject", "predicates"), ("detail",))
    predicates = _templates(fields["predicates"], at["predicates"], {*said, *_ROLES})
    for i, predicate in enumerate(predicates):
        if not predicate.endswith(("다", "}")):  # a slot at the end holds a clause (`fix_clause`) ending in -다
            at["predicates"][i].fail("a predicate ends in the dictionary form -다, which each annotator conjugates")
    subject = _one_of(fields["subject"], at["subject"], _ROLES, "role")
    return Clause(subject, predicates, _flag(fields.get("detail", False), at["detail"]))


def _situation(raw: Any, at: _At) -> Situation:
    fields = _fields(raw, at, ("name", "services", "items", "problem_said", "problem"))
    items = _each(fields["items"], at["items"], _texts, 2)
    problem = _text(fields["problem_said"], at["problem_said"]), _text(fields["problem"], at["problem"])
    return Situation(_text(fields["name"], at["name"]), _texts(fields["services"], at["services"]), items, problem)


def _exchanges(raw: Any, at: _At, *, service: bool) -> tuple[tuple[str, ...], ...]:
    rows = _each(raw, at, _texts, 3 if service else 2)
    for i, row in enumerate(rows if service else ()):
        _one_of(row[0], at[i][0], _ROLES, "role to open the exchange")
    return rows


def _texts_by_key(raw: Any, at: _At, keys: tuple[str, ...]) -> Mapping[str, tuple[str, ...]]:
    fields = _fields(raw, at, keys)
    return MappingProxyType({key: _texts(fields[key], at[key]) for key in keys})


def _mask(tag: Any, raw: Any, at: _At) -> MaskExchange:
    if not isinstance(tag, str) or not _MASK.fullmatch(tag):
        at.fail(f"{_shown(tag)} is no mask tag such as '#PhoneNumber#'")
    fields = _fields(raw, at, ("rate", "polite", "friends"))
    rate = fields["rate"]
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
        at["rate"].fail(f"expected a share between 0 and 1, got {_shown(rate)}")
    polite, friends = (_texts(fields[key], at[key], count=2) for key in ("polite", "friends"))
    for key, (_, answer) in (("polite", polite), ("friends", friends)):
        if tag not in answer:
            at[key][1].fail(f"the answer does not say {tag}")
    return float(rate), polite, friends  # type: ignore[return-value]
