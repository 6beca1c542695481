"""Shared fixtures: a tiny params profile and the outputs of the early stages, built once per test session."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch
import yaml
from transformers import PreTrainedTokenizerFast

from kosum.chat_format import install_chat_format
from kosum.config import DecoderSize
from kosum.models import embedded_decoder
from kosum.tokenizer import train_tokenizer

ROOT = Path(__file__).resolve().parents[1]
FAMILIES = ("llama", "qwen")

TINY = {
    "corpus": {"n_train": 160, "n_dev": 16, "n_test": 12},
    "preprocess": {"vocab_size": 1200},
    "train_kobart": {
        "embedded": {"d_model": 64, "encoder_layers": 1, "decoder_layers": 1, "attention_heads": 2, "ffn_dim": 128},
        "encoder_max_len": 256, "decoder_max_len": 48, "max_steps": 120, "eval_steps": 60, "logging_steps": 10,
        "per_device_train_batch_size": 8, "eval_samples": 8, "learning_rate": 5e-3,
    },
    "predict": {
        "kobart": {"num_beams": 2, "max_new_tokens": 24, "batch_size": 8},
        **{name: {"max_new_tokens": 16, "batch_size": 8}
           for name in ("llama_qlora", "qwen_qlora", "llama_zero_shot", "qwen_zero_shot")},
    },
    **{f"base_{family}": {
        "size": {"hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1,
                 "intermediate_size": 64},
        "block_size": 128, "max_steps": 20, "eval_steps": 10, "logging_steps": 5, "eval_samples": 8,
    } for family in ("llama", "qwen")},
    **{f"train_{family}_qlora": {
        "lora": {"r": 4, "alpha": 8},
        "prompt": {"max_prompt_len": 256, "max_summary_len": 32},
        "max_steps": 20, "eval_steps": 10, "logging_steps": 5, "eval_samples": 8, "per_device_train_batch_size": 8,
    } for family in ("llama", "qwen")},
}


def merged(base: dict, override: dict) -> dict:
    """`base` with `override` applied key by key (nested mappings merged)."""
    out = dict(base)
    for key, value in override.items():
        out[key] = merged(base.get(key, {}), value) if isinstance(value, dict) else value
    return out


def korean_tokenizer() -> PreTrainedTokenizerFast:
    """A small tokenizer trained with kosum's own `train_tokenizer` on a few hundred Korean lines."""
    people = ["민수", "지영", "철수", "영희", "선생님", "사장님"]
    sayings = [
        "내일 회의에 늦을 것 같아요", "점심으로 김치찌개를 먹을까요", "주말에 등산을 가기로 했어요",
        "전화번호를 알려 주세요", "버스가 늦게 와서 힘들었어요", "도서관에서 책을 빌렸습니다",
        "요약해주세요", "대화를 정리해 주세요",
    ]
    lines = [f"{p}씨, {s}. 정말 고마워요!" for p, s in itertools.product(people, sayings)] * 4
    return train_tokenizer(lines, vocab_size=500, min_frequency=1)


@dataclass(frozen=True)
class Workspace:
    """Paths of a tiny pipeline run in a temp folder."""

    root: Path
    params: Path
    raw: Path
    processed: Path
    tokenizer: Path


@pytest.fixture(scope="session")
def tiny_params(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("params") / "params.yaml"
    real = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump(merged(real, TINY), allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory, tiny_params: Path) -> Workspace:
    """corpus + preprocess run through their stage `main`s on the tiny profile."""
    from stages import corpus, preprocess

    root = tmp_path_factory.mktemp("pipeline")
    ws = Workspace(root, tiny_params, root / "data/raw", root / "data/processed", root / "models/tokenizer")
    corpus.main([str(ws.raw), "--params", str(ws.params)])
    preprocess.main([str(ws.raw), str(ws.processed), str(ws.tokenizer), "--params", str(ws.params)])
    return ws


@pytest.fixture(scope="module", params=FAMILIES)
def tiny_base(request, tmp_path_factory):
    """A random tiny decoder of each family saved with its chat tokenizer, as a hub checkpoint would be."""
    tokenizer = install_chat_format(korean_tokenizer(), request.param)
    torch.manual_seed(0)
    model = embedded_decoder(tokenizer, request.param, DecoderSize(32, 2, 2, 1, 64), 512)
    path = tmp_path_factory.mktemp(f"base_{request.param}")
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path
