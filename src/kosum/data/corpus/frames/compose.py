"""A (situation, goal) pair made into one dialogue script and the facts its summary states.

Why goals apart from places: a situation only supplies nouns (a bookable service, an item with its price, a problem
particular to the place), and a goal's turns and summary clauses name the place only through those slots
(`SITUATION_SLOTS`), so every goal runs in every situation and dev and test can hold (situation, goal) pairs that
training never combined while training has seen both halves. A summary is a list of clauses (who did what, in
dictionary form), which each annotator writes in their own register and wording (`kosum.data.corpus.styles`); it
must be read out of the dialogue: the outcome decides the last clauses. Their text: `text/frames/*.yaml`.

Why the script is a `Scenario`: small talk, optional turns and group members are then added exactly as for the
hand-written scenarios (`kosum.data.corpus.generate`). #Person1# always speaks first, as in the competition's data,
so whoever opens the goal (customer or staff) is #Person1#.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from kosum.data.corpus.details import draw_slots
from kosum.data.corpus.lexicon import Vocabulary
from kosum.data.corpus.scenario import Scenario, Turn, fill, placeholders
from kosum.data.corpus.styles import Fact

# Slots a summary words differently from the dialogue (a complaint said in full, summarised as a noun phrase).
SUMMARY_WORDING = frozenset({"problem", "fix_clause", "need_clause"})
# The slots every situation fills (`_values`), which a goal's turns, topics and clauses may use besides its own.
SITUATION_SLOTS = frozenset({"place", "service", "item", "price", "problem_said", "problem", "staff"})
STAFF = "<person_name>"  # who serves: the staff member's name, said when they answer (`망원동 미용실 이호연입니다`)


@dataclass(frozen=True)
class Situation:
    name: str                               # the topic word: 미용실
    services: tuple[str, ...]               # what a customer books or asks about: 커트
    items: tuple[tuple[str, str], ...]      # what is bought, returned or picked up, with its price
    problem: tuple[str, str]                # (how the customer says it, the noun phrase a summary uses)


@dataclass(frozen=True)
class Clause:
    """One fact of the summary: who (C or S) did what; `predicates` are paraphrases in dictionary form (-다), of
    which each annotator always takes the same one; a `detail` is left out by concise annotators."""

    subject: str
    predicates: tuple[str, ...]
    detail: bool = False


@dataclass(frozen=True)
class Outcome:
    turns: tuple[Turn | str, ...]
    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class Goal:
    name: str
    topics: tuple[str, ...]            # topic templates: free-text topics, many distinct strings
    slots: dict[str, tuple]            # pools beyond the situation's (place, service, item/price, problem)
    turns: tuple[Turn | str, ...]      # the opening, shared by every outcome; speaker 1 is the customer, 2 the staff
    clauses: tuple[Clause, ...]
    outcomes: tuple[Outcome, ...]


@dataclass(frozen=True)
class Frame:
    script: Scenario
    values: dict[str, str]
    facts: list[Fact]
    spoken: dict[str, str]  # the slot values the facts use that occur verbatim in the dialogue


def _values(situation: Situation, goal: Goal, rng: random.Random, words: Vocabulary, branch: str) -> dict[str, str]:
    item, price = rng.choice(situation.items)
    problem_said, problem = situation.problem
    values = {"place": f"{branch} {situation.name}", "service": rng.choice(situation.services), "item": item,
              "price": price, "problem_said": problem_said, "problem": problem, "staff": STAFF}
    return {**{key: words.fill(value, rng) for key, value in values.items()}, **draw_slots(goal.slots, words, rng)}


def compose(situation: Situation, goal: Goal, rng: random.Random, words: Vocabulary, *, branch: str) -> Frame:
    """The pair's script and facts; `branch` names which of the place's shops it is (`망원동` 미용실), `words` gives
    the open words."""
    values = _values(situation, goal, rng, words, branch)
    outcome = rng.choice(goal.outcomes)
    turns = goal.turns + outcome.turns
    first = next(t.speaker for t in turns if isinstance(t, Turn))
    speaker = {1: 1, 2: 2} if first == 1 else {1: 2, 2: 1}  # role 1 customer, 2 staff -> speaker number
    tags = {"C": speaker[1], "S": speaker[2]}
    script_turns = tuple(Turn(speaker[t.speaker], t.lines, t.optional) if isinstance(t, Turn) else t for t in turns)
    topic = fill(rng.choice(goal.topics), values)
    script = Scenario(topic, "service", (), script_turns, (), staff=speaker[2])

    def tagged(template: str) -> str:
        return template.replace("{S", f"{{P{tags['S']}").replace("{C", f"{{P{tags['C']}")

    facts: list[Fact] = []
    used: set[str] = set()
    for clause in (*goal.clauses, *outcome.clauses):
        predicates = tuple(tagged(p) for p in clause.predicates)
        used |= set().union(*(placeholders(p) for p in predicates))
        facts.append((f"#Person{tags[clause.subject]}#", tuple(fill(p, values) for p in predicates), clause.detail))
    spoken = {k: values[k] for k in sorted(used - SUMMARY_WORDING)}
    return Frame(script, values, facts, spoken)
