"""Packed ("varlen") attention on any device: one causal attention call per example of a packed row.

Why: for a padding-free row transformers' `sdpa` builds a block-diagonal mask over the whole row and computes every
score in it, (sum of lengths)^2, then masks most of them away: with 16 examples per row that is ~16x the attention
work of the examples alone and more than a padded batch costs. This implementation splits the row at the position-id
restarts: on CUDA in fp16/bf16 one call of PyTorch's flash-attention varlen kernel (`varlen_attn`, cumulative
sequence lengths) covers the whole row; elsewhere (CPU, fp32) `scaled_dot_product_attention` runs per example. Either
way packing saves compute instead of moving it into the attention. Anything that is not a packed row (a padding mask,
a KV-cache step, a single sequence) goes to the stock `sdpa` path unchanged.
"""

from __future__ import annotations

import inspect
import itertools
from typing import Any

import torch
from torch.nn import functional
from torch.nn.attention.varlen import varlen_attn
from transformers import AttentionInterface, PreTrainedModel
from transformers.integrations.sdpa_attention import sdpa_attention_forward
from transformers.masking_utils import AttentionMaskInterface, sdpa_mask

PACKED_ATTENTION = "kosum_varlen"
# `varlen_attn`'s keywords moved between PyTorch releases (2.10: is_causal; 2.11: window_size; 2.13: enable_gqa too);
# kosum pins 2.13, but a GPU box often comes with its own CUDA build, so the call adapts to the one installed.
_VARLEN_KEYWORDS = inspect.signature(varlen_attn).parameters


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
    if varlen_kernel_applies(query, dropout):
        return varlen_row(query, key, value, bounds, scaling), None
    return per_example_row(query, key, value, bounds, scaling, dropout), None


def per_example_row(query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, bounds: list[int],
                    scaling: float | None, dropout: float = 0.0) -> torch.Tensor:
    """Causal sdpa per example of one packed row (any device and dtype); (1, heads, T, dim) in, (1, T, heads, dim)
    out, as the attention interface returns it."""
    parts = [
        functional.scaled_dot_product_attention(
            query[:, :, a:b], key[:, :, a:b], value[:, :, a:b],
            dropout_p=dropout, is_causal=True, scale=scaling, enable_gqa=True,
        )
        for a, b in itertools.pairwise(bounds)
    ]
    return torch.cat(parts, dim=2).transpose(1, 2).contiguous()


def varlen_kernel_applies(query: torch.Tensor, dropout: float) -> bool:
    """PyTorch's varlen flash kernel runs on CUDA in fp16/bf16, without dropout."""
    return query.is_cuda and query.dtype in (torch.float16, torch.bfloat16) and dropout == 0.0


def varlen_row(query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, bounds: list[int],
               scaling: float | None) -> torch.Tensor:
    """`per_example_row` in one kernel call (CUDA, fp16/bf16): no Python loop over the examples."""
    q, k, v = (t[0].transpose(0, 1) for t in (query, key, value))  # (T, heads, dim)
    cumulative = torch.tensor(bounds, dtype=torch.int32, device=query.device)
    longest = max(b - a for a, b in itertools.pairwise(bounds))
    grouped = q.shape[1] != k.shape[1]
    if grouped and "enable_gqa" not in _VARLEN_KEYWORDS:
        k, v = (t.repeat_interleave(q.shape[1] // t.shape[1], dim=1) for t in (k, v))
    causal = {"window_size": (-1, 0)} if "window_size" in _VARLEN_KEYWORDS else {"is_causal": True}
    gqa = {"enable_gqa": grouped} if "enable_gqa" in _VARLEN_KEYWORDS else {}
    out = varlen_attn(q, k, v, cumulative, cumulative, longest, longest, scale=scaling, **causal, **gqa)
    return out.unsqueeze(0)


def _mask(*args: Any, **kwargs: Any) -> torch.Tensor | None:
    """No mask for a row without padding (the attention itself keeps examples apart); sdpa's mask otherwise."""
    return None if kwargs.get("attention_mask") is None else sdpa_mask(*args, **kwargs)


AttentionInterface.register(PACKED_ATTENTION, packed_attention)
AttentionMaskInterface.register(PACKED_ATTENTION, _mask)


def use_packed_attention(model: PreTrainedModel) -> PreTrainedModel:
    """Switch a Llama/Qwen-style model (or its PEFT wrapper) to per-example attention for packed training."""
    model.set_attn_implementation(PACKED_ATTENTION)
    return model
