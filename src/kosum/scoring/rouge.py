"""Korean ROUGE on Mecab morphemes, scored the way the competition scores it.

Design choices:
- Tokens are Mecab morphemes joined by spaces, scored with the arithmetic of the `rouge` package 1.0.1
  (`Rouge().get_scores`), which the competition uses; `rouge_score` is not used because it drops Hangul.
- That arithmetic is reproduced here rather than called: `rouge` fills a dict-based LCS table in pure Python
  (about 15 s for 10,000 summary pairs; the budget is 5 s, Mecab included) and rebuilds each LCS recursively, so
  a sentence pair past ~500 tokens raises RecursionError. Here each LCS table row is one integer (bit-parallel),
  the rebuild is a loop with the same tie-break, and sentence pairs that cannot add a word are skipped.
  `tests/test_metrics.py` checks equality with `rouge` itself and with an independent implementation.
- Its quirks are kept: n-grams and LCS words count as *sets* (distinct items); F1 = 2PR/(P+R+1e-8); ROUGE-L is
  summary-level: both texts are split into sentences on `.` and the LCS words of every (reference sentence,
  prediction sentence) pair are united (Lin 2004, section 3.2), whereas ROUGE-N n-grams run across sentences.
- Speaker/mask tags (`#Person1#`, `#Address#`) stay one token: Mecab would split `#Person1#` into `#`, `Person`,
  `1`, `#`, so a wrong speaker number would cost only one of four tokens. Mecab sees the text unchanged; the
  pieces inside each tag's span are then replaced by the tag (for predictions and references alike).
- A prediction that is empty, whitespace or only `.` scores 0 and still counts in the mean (`rouge` raises
  "Hypothesis is empty."); an empty reference is an error, since no prediction could be scored against it.
- Several references: the prediction is scored against each and the F1s are averaged per metric; the corpus
  score is the mean of per-sample F1s, and `final` = mean(R1, R2, RL) x 100.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import mecab
from mecab.utils import create_lattice

from kosum.core.tags import TAG

EPSILON = 1e-8  # in `rouge`'s F1 denominator; kept so scores match the competition's to the last digit



@dataclass(frozen=True)
class RougeScores:
    """ROUGE-1/2/L F1 in [0, 1] for one sample or a whole corpus."""

    rouge1: float
    rouge2: float
    rougeL: float

    @property
    def final(self) -> float:
        """The competition's score: mean of the three F1s, x 100."""
        return (self.rouge1 + self.rouge2 + self.rougeL) / 3 * 100

    @property
    def rouge_sum(self) -> float:
        """Sum of the three F1s, x 100 (the scale some leaderboards report)."""
        return (self.rouge1 + self.rouge2 + self.rougeL) * 100


ZERO = RougeScores(0.0, 0.0, 0.0)


@cache
def _tagger() -> mecab.MeCab:
    """One MeCab per process: loading the dictionary costs far more than tagging a sentence."""
    return mecab.MeCab()


def _surfaces(text: str) -> list[str]:
    """Mecab surfaces in order. Reads the text output of the tagger inside `MeCab` (python-mecab-ko 1.3.7, pinned):
    `MeCab.morphs` builds a `Morpheme` with a parsed feature tuple for every token, which doubles the cost."""
    lattice = create_lattice(text)
    _tagger()._tagger.parse(lattice)
    return [line.split("\t", 1)[0] for line in lattice.to_string().split("\n")[:-2]]


def _merge_tags(text: str, surfaces: list[str]) -> list[str]:
    """Replace the pieces of each `#Word#` tag by the tag. Mecab may glue a tag's `#` to a neighbouring symbol
    (`#.`, `#,#`), so a surface is cut at tag edges and the part outside the tag is kept as its own token."""
    spans = [match.span() for match in TAG.finditer(text)]
    tokens: list[str] = []
    tag = 0
    position = 0
    for surface in surfaces:
        begin = text.index(surface, position)
        end = position = begin + len(surface)
        while begin < end:
            while tag < len(spans) and spans[tag][1] <= begin:
                tag += 1
            if tag == len(spans) or end <= spans[tag][0]:
                tokens.append(text[begin:end])
                break
            start, stop = spans[tag]
            if begin < start:
                tokens.append(text[begin:start])
                begin = start
            else:
                if begin == start:
                    tokens.append(text[start:stop])
                begin = min(stop, end)
    return tokens


def morphemes(text: str) -> str:
    """Mecab morphemes of `text` joined by single spaces, each `#Word#` tag kept as one token."""
    surfaces = _surfaces(text)
    if "#" in text:
        surfaces = _merge_tags(text, surfaces)
    return " ".join(surfaces)


@dataclass(frozen=True)
class _Summary:
    """A morpheme string cut the way `rouge` cuts it."""

    sentences: list[list[str]]
    sentence_words: list[frozenset[str]]
    unigrams: frozenset[str]
    bigrams: frozenset[str]  # "w1 w2": no word holds a space, and strings cost the garbage collector nothing

    @classmethod
    def parse(cls, tokens: str) -> _Summary:
        # As `Rouge._get_scores`: split on ".", keep non-empty parts, normalise spaces, then split on " ".
        sentences = [" ".join(part.split()).split(" ") for part in tokens.split(".") if part]
        words = [word for sentence in sentences for word in sentence]
        bigrams = frozenset(map(" ".join, zip(words, words[1:])))
        return cls(sentences, [frozenset(s) for s in sentences], frozenset(words), bigrams)


def _is_blank(tokens: str) -> bool:
    """True when `rouge` would find no sentence: nothing but whitespace and `.`."""
    return not tokens.replace(".", "").strip()


def _f1(overlap: int, predicted: int, reference: int) -> float:
    """`rouge`'s F1, including its zero-count convention and epsilon."""
    precision = overlap / predicted if predicted else 0.0
    recall = overlap / reference if reference else 0.0
    return 2.0 * ((precision * recall) / (precision + recall + EPSILON))


def _lcs_words(x: list[str], y: list[str]) -> set[str]:
    """Words of the LCS of `x` and `y` that `rouge`'s `_recon_lcs` rebuilds, via the same DP table and tie-break.
    Row i of the table is an integer whose bit j-1 is set where T[i][j] = T[i][j-1] + 1 (Hyyro 2004), so
    T[i][j] is a popcount and the rebuild needs no recursion."""
    matches: dict[str, int] = {}
    for j, word in enumerate(y):
        matches[word] = matches.get(word, 0) | (1 << j)
    full = (1 << len(y)) - 1
    v = full
    rows = [0]
    for word in x:
        u = v & matches.get(word, 0)
        v = ((v + u) | (v - u)) & full
        rows.append(~v & full)
    words: set[str] = set()
    i, j = len(x), len(y)
    while i and j:
        if x[i - 1] == y[j - 1]:
            words.add(x[i - 1])
            i, j = i - 1, j - 1
        elif (rows[i - 1] & ((1 << j) - 1)).bit_count() > (rows[i] & ((1 << (j - 1)) - 1)).bit_count():
            i -= 1
        else:
            j -= 1
    return words


def _rouge_l(prediction: _Summary, reference: _Summary) -> float:
    """Summary-level ROUGE-L F1 with `rouge`'s union of LCS word sets."""
    union: set[str] = set()
    for ref_sentence, ref_words in zip(reference.sentences, reference.sentence_words):
        for sentence, words in zip(prediction.sentences, prediction.sentence_words):
            if not (ref_words & words) <= union:
                union |= _lcs_words(ref_sentence, sentence)
    return _f1(len(union), len(prediction.unigrams), len(reference.unigrams))


def _score(prediction: _Summary, reference: _Summary) -> RougeScores:
    """F1s of one prediction against one reference."""
    return RougeScores(
        _f1(len(prediction.unigrams & reference.unigrams), len(prediction.unigrams), len(reference.unigrams)),
        _f1(len(prediction.bigrams & reference.bigrams), len(prediction.bigrams), len(reference.bigrams)),
        _rouge_l(prediction, reference),
    )


def _mean(scores: Sequence[RougeScores]) -> RougeScores:
    """Per-metric mean, so each sample (or reference) weighs the same."""
    n = len(scores)
    return RougeScores(
        sum(s.rouge1 for s in scores) / n,
        sum(s.rouge2 for s in scores) / n,
        sum(s.rougeL for s in scores) / n,
    )


def _check_references(references: Sequence[Sequence[str]]) -> None:
    """Fail on a bare string (it would be read as one reference per character) or an empty reference list."""
    for index, refs in enumerate(references):
        if isinstance(refs, str):
            raise TypeError(f"References of sample {index} are a str; pass a list of references, e.g. [reference].")
        if len(refs) == 0:
            raise ValueError(f"Sample {index} has no reference; give at least one reference per sample.")


def score_corpus(
    predictions: Sequence[str], references: Sequence[Sequence[str]]
) -> tuple[RougeScores, list[RougeScores]]:
    """Corpus score (mean of per-sample F1s) and the per-sample scores. Each distinct text goes through Mecab
    once; the cut-up forms live only while their sample is scored, which keeps garbage collection cheap."""
    if len(predictions) != len(references):
        raise ValueError(
            f"Got {len(predictions)} predictions but {len(references)} reference lists; give one list per prediction."
        )
    if not predictions:
        raise ValueError("No predictions to score; give at least one sample.")
    _check_references(references)
    tokens = {text: morphemes(text) for text in {*predictions, *(ref for refs in references for ref in refs)}}
    per_sample = []
    for index, (prediction, refs) in enumerate(zip(predictions, references)):
        for number, ref in enumerate(refs):
            if _is_blank(tokens[ref]):
                raise ValueError(
                    f"Reference {number} of sample {index} is empty (only whitespace or '.'); fix or drop that sample."
                )
        if _is_blank(tokens[prediction]):
            per_sample.append(ZERO)
            continue
        summary = _Summary.parse(tokens[prediction])
        per_sample.append(_mean([_score(summary, _Summary.parse(tokens[ref])) for ref in refs]))
    return _mean(per_sample), per_sample


def score_pair(prediction: str, references: Sequence[str]) -> RougeScores:
    """Scores of one prediction against its references (averaged per metric over the references)."""
    return score_corpus([prediction], [references])[1][0]


def metrics_dict(scores: RougeScores) -> dict[str, float]:
    """Flat mapping for a DVC metrics file."""
    return {
        "rouge1": scores.rouge1,
        "rouge2": scores.rouge2,
        "rougeL": scores.rougeL,
        "final": scores.final,
        "rouge_sum": scores.rouge_sum,
    }


def pairwise_final(texts: Sequence[str], references: Sequence[str] | None = None) -> list[list[float]]:
    """`final` / 100 of every text (row i) scored as the prediction against every reference (column j; default: the
    texts themselves), for MBR. Each distinct text goes through Mecab and is cut up once; equal texts score 1, a
    blank text 0."""
    references = texts if references is None else references
    parsed: dict[str, _Summary | None] = {}
    for text in [*texts, *references]:
        if text not in parsed:
            tokens = morphemes(text)
            parsed[text] = None if _is_blank(tokens) else _Summary.parse(tokens)
    scored: dict[tuple[str, str], float] = {}
    matrix = []
    for a in texts:
        row = []
        for b in references:
            if (a, b) not in scored:
                pa, pb = parsed[a], parsed[b]
                scored[a, b] = 0.0 if pa is None or pb is None else 1.0 if a == b else _score(pa, pb).final / 100
            row.append(scored[a, b])
        matrix.append(row)
    return matrix
