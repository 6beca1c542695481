"""Compositional frames: any goal (book, cancel, complain, ...) in any place, so dev and test can hold
combinations training never saw while training has seen both halves. The goals and places themselves are text
(`text/frames/*.yaml`, read by `kosum.data.corpus.content`)."""

from kosum.data.corpus.frames.compose import Clause, Frame, Goal, Outcome, Situation, compose

__all__ = ["Clause", "Frame", "Goal", "Outcome", "Situation", "compose"]
