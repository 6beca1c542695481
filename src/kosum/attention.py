"""Packed ("varlen") attention on any device: one causal attention call per example of a packed row.

Why: for a padding-free row transformers' `sdpa` builds a block-diagonal mask over the whole row and computes every
score in it, (sum of lengths)^2, then masks most of them away: with 16 examples per row that is ~16x the attention
work of the examples alone and more than a padded batch costs. Flash-attention's varlen kernels avoid this on some
GPUs only; this implementation splits the row at the position-id restarts and runs `scaled_dot_product_attention`
per example (CPU or GPU), so packing saves compute instead of moving it into the attention. Anything that is not a
packed row (a padding mask, a KV-cache step, a single sequence) goes to the stock `sdpa` path unchanged.
"""

from __future__ import annotations

import itertools
from typing import Any

import torch
from torch.nn import functional
from transformers import AttentionInterface, PreTrainedModel
from transformers.integrations.sdpa_attention import sdpa_attention_forward
from transformers.masking_utils import AttentionMaskInterface, sdpa_mask

PACKED_ATTENTION = "kosum_varlen"


def example_starts(position_ids: torch.Tensor) -> list[int]:
    """Offsets where a new example begins in one packed row: wherever the position id does not continue by one."""
    restarts = torch.nonzero(position_ids[1:] != position_ids[:-1] + 1).flatten() + 1
    return [0, *restarts.tolist()]


def packed_attention(module: torch.nn.Module, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                     attention_mask: torch.Tensor | None, scaling: float | None = None, dropout: float = 0.0,
                     position_ids: torch.Tensor | None = None, **kwargs: Any) -> tuple[torch.Tensor, None]:
    """Causal attention per example of a packed row; the stock sdpa path for everything else."""
    packed_row = (attention_mask is None and position_ids is not None and query.shape[0] == 1
                  and query.shape[2] == key.shape[2])
    if not packed_row:
        return sdpa_attention_forward(module, query, key, value, attention_mask, scaling=scaling, dropout=dropout,
                                      position_ids=position_ids, **kwargs)
    bounds = [*example_starts(position_ids[0]), query.shape[2]]
    parts = [
        functional.scaled_dot_product_attention(
            query[:, :, a:b], key[:, :, a:b], value[:, :, a:b],
            dropout_p=dropout, is_causal=True, scale=scaling, enable_gqa=True,
        )
        for a, b in itertools.pairwise(bounds)
    ]
    return torch.cat(parts, dim=2).transpose(1, 2).contiguous(), None


def _mask(*args: Any, **kwargs: Any) -> torch.Tensor | None:
    """No mask for a row without padding (the attention itself keeps examples apart); sdpa's mask otherwise."""
    return None if kwargs.get("attention_mask") is None else sdpa_mask(*args, **kwargs)


AttentionInterface.register(PACKED_ATTENTION, packed_attention)
AttentionMaskInterface.register(PACKED_ATTENTION, _mask)


def use_packed_attention(model: PreTrainedModel) -> PreTrainedModel:
    """Switch a Llama/Qwen-style model (or its PEFT wrapper) to per-example attention for packed training."""
    model.set_attn_implementation(PACKED_ATTENTION)
    return model
