"""Korean particles (josa) that agree with the word they follow.

Why a helper: slot values are filled in at generation time, so '가방을' vs '사과를' cannot be written by hand. The
particle depends on whether the last syllable is read with a final consonant (받침), and 으로/로 also on whether that
consonant is ㄹ. Digits and Latin letters are judged by how they are read aloud (10 십, 7 칠, B 비); `#PersonN#`
tags by the English digit (one 원, two 투), which yields the competition's forms `#Person1#은`, `#Person2#는`.
"""

from __future__ import annotations

import re

# Particle as written after a final consonant -> form after a vowel. 으로 after ㄹ is handled in `attach`.
_AFTER_VOWEL = {"은": "는", "이": "가", "을": "를", "과": "와", "아": "야", "으로": "로", "이에요": "예요"}

_NO_FINAL, _RIEUL, _OTHER = "", "ㄹ", "C"
# Last digit read in Sino-Korean: 일 이 삼 사 오 육 칠 팔 구; any trailing zero means 십/백/천/만 (all closed).
_DIGIT_FINAL = dict(zip("0123456789", (_OTHER, _RIEUL, _NO_FINAL, _OTHER, _NO_FINAL, _NO_FINAL, _OTHER, _RIEUL,
                                       _RIEUL, _NO_FINAL)))
_PERSON_FINAL = {"1": _OTHER, "7": _OTHER}  # one 원, seven 세븐; two..six end in a vowel
_TAG_FINAL = {"SSN": _OTHER, "Email": _RIEUL}  # 에스에스엔, 이메일; the other mask tags end in a vowel sound
_TAG = re.compile(r"#(\w+?)(\d?)#$")


def final_sound(word: str) -> str:
    """'' if `word` is read ending in a vowel, 'ㄹ' if in ㄹ, 'C' if in another consonant."""
    word = word.rstrip(" .,!?)'\"』」")
    if not word:
        return _NO_FINAL
    tag = _TAG.search(word)
    if tag:
        name, digit = tag.groups()
        return _PERSON_FINAL.get(digit, _NO_FINAL) if name == "Person" else _TAG_FINAL.get(name + digit, _NO_FINAL)
    last = word[-1]
    if "가" <= last <= "힣":
        jong = (ord(last) - ord("가")) % 28
        return _NO_FINAL if jong == 0 else _RIEUL if jong == 8 else _OTHER
    if last.isdigit():
        return _OTHER if last == "0" and word[-2:-1].isdigit() else _DIGIT_FINAL[last]
    if last.lower() in "lr":
        return _RIEUL
    if last.lower() in "mn":
        return _OTHER
    return _NO_FINAL


def attach(word: str, josa: str) -> str:
    """`word` followed by `josa` (given in its after-consonant form: 은, 이, 을, 과, 아, 으로, 이에요, 이랑 ...)."""
    sound = final_sound(word)
    if josa == "으로":
        return word + ("으로" if sound == _OTHER else "로")
    if sound != _NO_FINAL:
        return word + josa
    if josa in _AFTER_VOWEL:
        return word + _AFTER_VOWEL[josa]
    if josa.startswith("이었"):
        return word + "였" + josa[2:]
    if josa.startswith("이") and len(josa) > 1:
        return word + josa[1:]
    return word + josa


def forms(josa: str) -> tuple[str, str]:
    """`josa` (its after-consonant form) as written after a consonant and after a vowel: 은 -> (은, 는)."""
    return josa, attach("가", josa)[1:]


_RETAGGED = ("이랑", "으로", "은", "을", "과", "이")  # particles that follow a speaker tag and change with its reading
_TAG_PARTICLE = re.compile(r"#Person(\d)#(" + "|".join(f for josa in _RETAGGED for f in (josa, attach("가", josa)[1:]))
                           + ")?")


def retag(text: str, mapping: dict[int, int]) -> str:
    """Speaker tags renumbered by `mapping` (e.g. {1: 2, 2: 1}), each particle after a tag re-attached in the form
    the new tag's reading takes (#Person1#은 -> #Person2#는)."""

    def sub(m: re.Match[str]) -> str:
        number, particle = int(m.group(1)), m.group(2)
        tag = f"#Person{mapping.get(number, number)}#"
        if not particle:
            return tag
        return attach(tag, next(josa for josa in _RETAGGED if particle in (josa, attach("가", josa)[1:])))

    return _TAG_PARTICLE.sub(sub, text)
