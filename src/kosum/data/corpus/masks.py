"""Masked personal data (`#PhoneNumber#`, `#Address#`, ...) at the competition's frequencies.

Why an exchange of its own: in the real data a mask appears where someone gives a number or an address, and the
summary almost never repeats it (what matters is that a number was given, not the number). The real rates per
dialogue (participants' analyses of the files): #PhoneNumber# about 1.2 %, #Address# 0.65 %, the others rarer. The
hand-written scenarios have masked turns of their own, so the rates (`text/masks.yaml`, with the exchanges) are what
the frames add on top for the corpus to land on those totals (tests/test_corpus.py measures them).
"""

from __future__ import annotations

import random

from kosum.data.corpus.content import mask_exchanges

Line = tuple[int, str]


def add_masks(lines: list[Line], casual: bool, speakers: int, staff: int | None, rng: random.Random) -> list[Line]:
    """`lines` with, for each tag drawn at its rate, a question and its masked answer inserted after a random turn
    (never before the first): asked by the `staff` speaker where there is one (a clerk asks for the customer's number),
    otherwise by anyone but who just spoke, and answered by another speaker."""
    for rate, polite, friends in mask_exchanges().values():
        if rng.random() >= rate:
            continue
        question, answer = friends if casual else polite
        at = rng.randrange(1, len(lines) + 1)
        asker = staff or rng.choice([s for s in range(1, speakers + 1) if s != lines[at - 1][0]])
        answerer = rng.choice([s for s in range(1, speakers + 1) if s != asker])
        lines = [*lines[:at], (asker, question), (answerer, answer), *lines[at:]]
    return lines
