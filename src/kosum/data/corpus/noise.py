"""The formatting noise of the real competition CSVs, injected into raw dialogues.

Why: `kosum.data.reading` must clean exactly these artefacts before training, and it can only be tested against data that
has them. Each kind is a named function so tests can apply it alone; each changes at least one spot when the
dialogue has one to change.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from kosum.core.tags import SPEAKER

_TAG = re.compile(rf"({SPEAKER}): ")



def _some(positions: list[int], rng: random.Random) -> set[int]:
    """A random non-empty subset (about half) of `positions`."""
    if not positions:
        return set()
    chosen = {p for p in positions if rng.random() < 0.5}
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
    for name in rng.sample(sorted(NOISE_KINDS), rng.choice((1, 1, 2))):
        dialogue = NOISE_KINDS[name](dialogue, rng)
    return dialogue
