"""Open numbers: times and dates drawn from ranges rather than lists, written as the corpus writes them
(`오후 2시 반`, `5월 17일`), so a summary's numbers must be copied from the dialogue too.

A line or pool takes one as <time>, <afternoon_time> or <date> (`kosum.data.corpus.lexicon.Vocabulary`).
"""

from __future__ import annotations

import random
from collections.abc import Callable

OPENING_HOUR, CLOSING_HOUR = 9, 20  # shops' and offices' hours
AFTERNOON = 13
# after the hour: mostly on the hour or half past, sometimes to the ten minutes
MINUTES = ("", " 반", " 10분", " 20분", " 40분", " 50분")
MINUTE_WEIGHTS = (10, 5, 1, 1, 1, 1)
MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def clock(hour: int, rng: random.Random) -> str:
    """`오전 10시`, `낮 12시`, `오후 2시 반`, `저녁 7시 40분`: the hour as people say it, with a part of the day."""
    part = "오전" if hour < 12 else "낮" if hour == 12 else "오후" if hour < 18 else "저녁"
    return f"{part} {hour if hour <= 12 else hour - 12}시{rng.choices(MINUTES, MINUTE_WEIGHTS)[0]}"


def date(rng: random.Random) -> str:
    month = rng.randint(1, 12)
    return f"{month}월 {rng.randint(1, MONTH_DAYS[month - 1])}일"


NUMERALS: dict[str, Callable[[random.Random], str]] = {
    "time": lambda rng: clock(rng.randint(OPENING_HOUR, CLOSING_HOUR), rng),
    "afternoon_time": lambda rng: clock(rng.randint(AFTERNOON, CLOSING_HOUR), rng),
    "date": date,
}
