"""On-topic details: what a dialogue says besides the facts of its summary (`text/frames/details.yaml` for the
frames, each scenario file's `details:` for its scenarios, by register).

Why: the real dialogues are long because they are about things (who serves, how one came, what is nearby, who else
is coming), not because of canned small talk; these exchanges carry open words (a person, a station, a dish, a date)
that the summary leaves out, so a model has to copy the right names rather than every name. Their count per dialogue
has a long tail, which gives the real data's long dialogues (up to 38 turns here, 63 in the real data).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from kosum.data.corpus.lexicon import Vocabulary
from kosum.data.corpus.scenario import fill

# Detail exchanges (2 turns each) per dialogue, and how often each count is drawn: mostly one to three.
COUNTS = (0, 1, 2, 3, 4, 5, 7, 10, 14)
WEIGHTS = (17, 33, 25, 12, 5, 3, 2, 1, 0.5)

# In service talk (who opens: C or S, what they say, the other's reply), otherwise (what one says, the reply)
Exchange = tuple[str, ...]
SlotPools = dict[str, tuple]  # a slot key (`exit,exit2` for a joint one) -> its values or rows


@dataclass(frozen=True)
class Details:
    slots: SlotPools
    exchanges: tuple[Exchange, ...]


def draw_slots(slots: SlotPools, words: Vocabulary, rng: random.Random) -> dict[str, str]:
    """One value per slot name (a joint slot's row gives several), each open word drawn from `words`."""
    values: dict[str, str] = {}
    for key, pool in slots.items():
        row = rng.choice(pool)
        values.update(zip(key.split(","), row if isinstance(row, tuple) else (row,)))
    return {key: words.fill(value, rng) for key, value in values.items()}


def draw_details(details: Details, values: dict[str, str], words: Vocabulary, rng: random.Random
                 ) -> tuple[Exchange, ...]:
    """Some of the exchanges, filled with the dialogue's `values` and the details' own slots."""
    count = min(rng.choices(COUNTS, WEIGHTS)[0], len(details.exchanges))
    if not count:
        return ()
    filled = {**values, **draw_slots(details.slots, words, rng)}
    return tuple(tuple(fill(text, filled) for text in exchange) for exchange in rng.sample(details.exchanges, count))
