"""Compositional frames: any goal (book, cancel, complain, ...) in any place, so dev and test can hold
combinations training never saw while training has seen both halves."""

from kosum.data.corpus.frames.compose import Frame, compose
from kosum.data.corpus.frames.goals import GOALS
from kosum.data.corpus.frames.situations import SITUATIONS

__all__ = ["GOALS", "SITUATIONS", "Frame", "compose"]
