"""One topic scenario: its slots, its turns (each with paraphrases) and its three reference summaries.

Why templates: a scenario fixes *what happens* (who wants what, the outcome) while slots and paraphrases vary the
wording, so a small model can learn a consistent summary structure that still has to be read out of the dialogue.
Placeholders are `{slot}` or `{slot:josa}` (josa in its after-consonant form, e.g. `{item:을}`); `{P1}`..`{P7}`
are the speaker tags `#Person1#`..`#Person7#`. A `BREAK` between turns marks where small talk may be inserted. The
scenarios themselves are text: `text/scenarios/*.yaml`, read by `kosum.data.corpus.content`.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from kosum.data.corpus.josa import attach

if TYPE_CHECKING:
    from kosum.data.corpus.details import Details

# service: clerk and customer; polite: 해요체 acquaintances; stranger: 해요체, first meeting (no "잘 지내셨어요?")
Register = Literal["service", "polite", "stranger", "casual"]
BREAK = "|"
PLACEHOLDER = re.compile(r"\{(\w+?)(?::(\w+))?\}")
_SPEAKER = re.compile(r"P([1-7])")


@dataclass(frozen=True)
class Turn:
    """One utterance slot of a scenario: who speaks and the paraphrases to choose from."""

    speaker: int
    lines: tuple[str, ...]
    optional: bool = False  # may be dropped; must then not be the only turn carrying a summary slot


@dataclass(frozen=True)
class Scenario:
    """A topic variant; `slots` maps slot names (joint slots share one choice) to their candidate values."""

    topic: str
    register: Register
    slots: tuple[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]], ...]
    turns: tuple[Turn | str, ...]
    summaries: tuple[str, ...]  # three references; empty for a frame's script (its facts are written by styles)
    staff: int = 2  # in service scenarios, the speaker serving the other (picks which small-talk line fits whom)
    details: Details | None = None  # on-topic exchanges its file gives its register (`kosum.data.corpus.details`)

    @property
    def speakers(self) -> int:
        return max(t.speaker for t in self.turns if isinstance(t, Turn))


def placeholders(template: str) -> set[str]:
    """Slot names a template uses (speaker tags excluded)."""
    return {m.group(1) for m in PLACEHOLDER.finditer(template) if not _SPEAKER.fullmatch(m.group(1))}


def choose_slots(sc: Scenario, rng: random.Random) -> dict[str, str]:
    """Pick one value per slot; two slots never share a value, so 'from 3시 to 5시' cannot become '3시 to 3시'."""
    values: dict[str, str] = {}
    for names, rows in sc.slots:
        fresh = [r for r in rows if not set(r) & set(values.values())] or list(rows)
        values.update(zip(names, rng.choice(fresh)))
    return values


def fill(template: str, values: dict[str, str]) -> str:
    """Render a template: slot values and speaker tags, each with its josa agreeing with it."""

    def sub(m: re.Match[str]) -> str:
        name, josa = m.groups()
        speaker = _SPEAKER.fullmatch(name)
        word = f"#Person{speaker.group(1)}#" if speaker else values[name]
        return attach(word, josa) if josa else word

    return PLACEHOLDER.sub(sub, template)
