"""Training batches for causal LMs: padding-free packing, or plain right-padded batches to compare against.

Why padding-free rather than concatenating into fixed blocks: each example keeps its own position ids (restarting at
0), and transformers builds a block-diagonal causal mask from them, so attention never crosses example boundaries and
no compute is spent on pad tokens. `TokenCounter` measures the share of real tokens either way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from transformers import DataCollatorWithFlattening

from kosum.models.prompts import IGNORE_INDEX

Collator = Callable[[list[dict[str, Any]]], dict[str, torch.Tensor]]


def packed_collator() -> Collator:
    """All examples of a batch in one row, with per-example position ids (no padding, no cross-attention)."""
    return DataCollatorWithFlattening(return_position_ids=True, separator_id=IGNORE_INDEX)


def padded_collator(pad_token_id: int) -> Collator:
    """Right-padded batches with an attention mask; labels padded with the ignore index."""

    def collate(features: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        width = max(len(f["input_ids"]) for f in features)
        ids, labels, mask = [], [], []
        for f in features:
            gap = width - len(f["input_ids"])
            ids.append(list(f["input_ids"]) + [pad_token_id] * gap)
            labels.append(list(f["labels"]) + [IGNORE_INDEX] * gap)
            mask.append([1] * len(f["input_ids"]) + [0] * gap)
        return {"input_ids": torch.tensor(ids), "labels": torch.tensor(labels), "attention_mask": torch.tensor(mask)}

    return collate


@dataclass
class TokenCounter:
    """Wraps a collator and counts real tokens against all positions the model computes."""

    collate: Collator
    real: int = 0
    total: int = 0

    def __call__(self, features: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        batch = self.collate(features)
        self.real += sum(len(f["input_ids"]) for f in features)
        self.total += batch["input_ids"].numel()
        return batch

    @property
    def share(self) -> float:
        """Real tokens / computed positions (1.0 when nothing is padded)."""
        return self.real / self.total if self.total else 1.0
