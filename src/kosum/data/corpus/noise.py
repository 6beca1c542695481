"""The formatting noise of the real competition CSVs, injected into raw dialogues.

Why: `kosum.data.reading` must clean exactly these artefacts before training, and it can only be tested against data that
has them. Each kind is a named function so tests can apply it alone; each changes at least one spot when the
dialogue has one to change. Two families, as in the real data: the newline/space/tag noise of `NOISE_KINDS` (one or
two kinds on a `noise_rate` share of rows) and the `INDEPENDENT_KINDS`, each drawn at its own rate on any row.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from kosum.core.tags import SPEAKER

_TAG = re.compile(rf"({SPEAKER}): ")
_SYLLABLE = re.compile(r"[가-힣]")
STRAY_JAMO = "ㅋㅎㅇㅜㅠㄱ"  # compatibility jamo the real data's translators left in
SOME_RATE = 0.5  # each candidate spot (a line break, a space, a tag) a noise kind changes: about half
KINDS_PER_ROW = (1, 1, 2)  # how many formatting kinds a noisy row gets: one twice as often as two
TRAILING_ALL_RATE = 0.5  # rows with trailing spaces that have one before every line break; the others before some
JAMO_PER_ROW = (1, 2)  # stray jamo in a row that has them


def _some(positions: list[int], rng: random.Random) -> set[int]:
    """A random non-empty subset (about half) of `positions`."""
    if not positions:
        return set()
    chosen = {p for p in positions if rng.random() < SOME_RATE}
    return chosen or {rng.choice(positions)}


def _replace_some(text: str, old: str, new: str, rng: random.Random) -> str:
    parts = text.split(old)
    chosen = _some(list(range(len(parts) - 1)), rng)
    out = [parts[0]]
    for i, part in enumerate(parts[1:]):
        out += [new if i in chosen else old, part]
    return "".join(out)


def literal_newlines(dialogue: str, rng: random.Random) -> str:
    """Some line breaks written as the two characters backslash and n."""
    return _replace_some(dialogue, "\n", "\\n", rng)


def br_newlines(dialogue: str, rng: random.Random) -> str:
    """Some line breaks written as an HTML `<br>`."""
    return _replace_some(dialogue, "\n", "<br>", rng)


def double_spaces(dialogue: str, rng: random.Random) -> str:
    """Some single spaces doubled."""
    return _replace_some(dialogue, " ", "  ", rng)


def tag_spacing(dialogue: str, rng: random.Random) -> str:
    """Some speaker tags written `#Person1# :` or `#Person1#:` (no space after the colon)."""
    matches = list(_TAG.finditer(dialogue))
    chosen = _some(list(range(len(matches))), rng)
    out, last = [], 0
    for i, m in enumerate(matches):
        if i in chosen:
            out += [dialogue[last:m.start()], m.group(1) + rng.choice((" : ", ":"))]
            last = m.end()
    return "".join(out) + dialogue[last:]


NOISE_KINDS: dict[str, Callable[[str, random.Random], str]] = {
    "literal_newline": literal_newlines,
    "br_newline": br_newlines,
    "double_space": double_spaces,
    "tag_spacing": tag_spacing,
}


def add_noise(dialogue: str, rng: random.Random) -> str:
    """Apply one or two noise kinds, chosen at random, to a clean dialogue."""
    for name in rng.sample(sorted(NOISE_KINDS), rng.choice(KINDS_PER_ROW)):
        dialogue = NOISE_KINDS[name](dialogue, rng)
    return dialogue


def one_line(dialogue: str, rng: random.Random) -> str:
    """Every turn on one line, joined by a single space (`#Person1#: 안녕. #Person2#: 응.`)."""
    return dialogue.replace("\n", " ")


def trailing_spaces(dialogue: str, rng: random.Random) -> str:
    """A space before every line break, or before some of them (`...요. ` then the break)."""
    if rng.random() < TRAILING_ALL_RATE:
        return dialogue.replace("\n", " \n")
    return _replace_some(dialogue, "\n", " \n", rng)


def jamo_typos(dialogue: str, rng: random.Random) -> str:
    """One or two stray jamo right after a Hangul syllable: at a word's end (`좋아요ㅋ`) or inside it (`안ㅇ녕`).

    Inserted, never replacing a letter, so the word stays readable as in the real data; after a syllable only, so
    never inside an ASCII `#...#` tag.
    """
    spots = [m.end() for m in _SYLLABLE.finditer(dialogue)]
    if not spots:
        return dialogue
    for spot in sorted(rng.sample(spots, min(len(spots), rng.choice(JAMO_PER_ROW))), reverse=True):
        dialogue = dialogue[:spot] + rng.choice(STRAY_JAMO) + dialogue[spot:]
    return dialogue


# In this order: a one-line dialogue has no line end left for a trailing space.
INDEPENDENT_KINDS: dict[str, Callable[[str, random.Random], str]] = {
    "one_line": one_line,
    "trailing_space": trailing_spaces,
    "jamo_typo": jamo_typos,
}
ALL_KINDS = {**NOISE_KINDS, **INDEPENDENT_KINDS}  # every kind by name, to apply one alone


def add_independent_noise(dialogue: str, rates: dict[str, float], rng: random.Random) -> str:
    """Apply each of `INDEPENDENT_KINDS` with its own probability `rates[kind]`.

    Takes the same number of draws from `rng` for every dialogue (the kinds get a generator of their own, seeded from
    it), so which rows carry a kind depends on the seed and the row alone, not on the text of the rows before it.
    """
    chosen = [name for name in INDEPENDENT_KINDS if rng.random() < rates[name]]
    own = random.Random(rng.random())
    for name in chosen:
        dialogue = INDEPENDENT_KINDS[name](dialogue, own)
    return dialogue
