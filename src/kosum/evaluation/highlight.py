"""The words a prediction shares with its references, as the report marks them.

Why morphemes: ROUGE counts Mecab morphemes (kosum.scoring.rouge), so a prediction's word `예약했습니다` may share
`예약` with a reference that says `예약을 바꿉니다`; marking whole words would show a match the metric does not count
or hide one it does. Each morpheme is found back in the prediction's text, in order, and marked where it occurs in
any reference; neighbouring marks (only spaces between them) become one run. A `.` is never marked: `rouge` splits
sentences on it and never counts it.
"""

from __future__ import annotations

from collections.abc import Sequence

from kosum.scoring.rouge import morphemes

Segment = tuple[str, bool]  # a piece of the prediction's text, and whether a reference shares it


def shared_spans(prediction: str, references: Sequence[str]) -> list[tuple[int, int]]:
    """Character spans of `prediction` covering the morphemes that occur in any of `references`, merged."""
    reference_words = {word for reference in references for word in morphemes(reference).split()}
    spans: list[tuple[int, int]] = []
    position = 0
    for token in morphemes(prediction).split():
        begin = prediction.find(token, position)
        if begin < 0:
            continue  # a surface Mecab rewrote: left unmarked rather than marked in the wrong place
        end = position = begin + len(token)
        if token == "." or token not in reference_words:
            continue
        if spans and not prediction[spans[-1][1]:begin].strip():
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((begin, end))
    return spans


def segments(prediction: str, references: Sequence[str]) -> list[Segment]:
    """`prediction` cut into pieces, each marked shared or not; the pieces join back to the prediction."""
    pieces: list[Segment] = []
    position = 0
    for begin, end in shared_spans(prediction, references):
        if begin > position:
            pieces.append((prediction[position:begin], False))
        pieces.append((prediction[begin:end], True))
        position = end
    if position < len(prediction):
        pieces.append((prediction[position:], False))
    return pieces
