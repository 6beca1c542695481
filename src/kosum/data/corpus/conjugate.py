"""Korean verb endings for generated summaries: one predicate, written in several registers and tenses.

Why: annotators of the real data end the same fact differently (356 of 499 dev summaries in the formal -니다, the
rest plain -다, in present or past tense), so a summary's clauses are stored once, in dictionary form ('예약하다'),
and each annotator's style conjugates them. Regular verbs only (하다-verbs, vowel and consonant stems, ㄹ-stems);
the corpus avoids irregular stems (묻다, 돕다, 고르다) in summary predicates, which `tests/test_corpus.py` checks.
"""

from __future__ import annotations

from typing import Literal

Form = Literal["plain", "formal", "plain_past", "formal_past", "and", "and_past"]
FORMS: tuple[Form, ...] = ("plain", "formal", "plain_past", "formal_past", "and", "and_past")

_BASE, _MEDIALS, _FINALS = 0xAC00, 21, 28
_N, _L, _B, _SS = 4, 8, 17, 20  # final-consonant indices: ㄴ, ㄹ, ㅂ, ㅆ
# Medial vowel of a vowel-final stem -> the medial after the past tense's 아/어 contracts into it (보 -> 봤).
_PAST_MEDIAL = {0: 0, 4: 4, 8: 9, 13: 14, 20: 6, 1: 1, 6: 6, 11: 10, 18: 4, 5: 5}  # ㅏㅓㅗㅜㅣㅐㅕㅚㅡㅔ


def _split(syllable: str) -> tuple[int, int, int]:
    code = ord(syllable) - _BASE
    if not 0 <= code < 11172:
        raise ValueError(f"{syllable!r} is not a Hangul syllable")
    return code // (_MEDIALS * _FINALS), code // _FINALS % _MEDIALS, code % _FINALS


def _join(initial: int, medial: int, final: int) -> str:
    return chr(_BASE + (initial * _MEDIALS + medial) * _FINALS + final)


def _past_stem(stem: str) -> str:
    """The stem with the past tense attached: 하 -> 했, 주 -> 줬, 받아들이 -> 받아들였, 찾 -> 찾았, 읽 -> 읽었."""
    head, last = stem[:-1], stem[-1]
    if last == "하":
        return head + "했"
    initial, medial, final = _split(last)
    if final:
        return stem + ("았" if medial in (0, 8) else "었")
    if medial not in _PAST_MEDIAL:
        raise ValueError(f"no regular past tense for the stem {stem!r}")
    if medial == 20 and initial == 11:  # 이 (ㅇ + ㅣ) stays a syllable: 받아들이 -> 받아들였
        return head + "였"
    return head + _join(initial, _PAST_MEDIAL[medial], _SS)


def conjugate(phrase: str, form: Form) -> str:
    """`phrase` ends in a verb in dictionary form ('...을 예약하다'); that verb is written in `form`."""
    if not phrase.endswith("다"):
        raise ValueError(f"{phrase!r}: a predicate ends in the dictionary form -다")
    stem = phrase[:-1]
    if form == "and":
        return stem + "고"
    past = _past_stem(stem)
    if form in ("plain_past", "formal_past", "and_past"):
        return past + {"plain_past": "다", "formal_past": "습니다", "and_past": "고"}[form]
    head, last = stem[:-1], stem[-1]
    initial, medial, final = _split(last)
    if final and final != _L:
        return stem + ("는다" if form == "plain" else "습니다")
    # vowel stems and ㄹ-stems (살 -> 산다, 삽니다): the ending's ㄴ / ㅂ becomes the final consonant
    return head + _join(initial, medial, _N if form == "plain" else _B) + ("다" if form == "plain" else "니다")


def formal_sentence_ends(text: str) -> str:
    """Plain -다 sentence endings of written text turned formal -니다 ('산다.' -> '삽니다.', '했다.' -> '했습니다.',
    '받는다.' -> '받습니다.'), for the hand-written scenario references, which are conjugated already."""
    out = []
    for sentence in text.split(". "):
        end = sentence.rstrip(".")
        if end.endswith("는다"):
            end = end[:-2] + "습니다"
        elif end.endswith("다") and len(end) > 1 and "가" <= end[-2] <= "힣":
            initial, medial, final = _split(end[-2])
            if final == _N:
                end = end[:-2] + _join(initial, medial, _B) + "니다"
            elif final:
                end = end[:-1] + "습니다"
            else:
                end = end[:-2] + _join(initial, medial, _B) + "니다"
        out.append(end + sentence[len(sentence.rstrip(".")):])
    return ". ".join(out)
