"""The real tokenizers vendored in tests/assets (sources and licences: tests/assets/README.md), as the hub ships
them: each row of the README's model-families table that has a real vocabulary or chat template here.

A family is a hub-like folder `tests/assets/families/<name>/` (tokenizer_config.json, chat_template.jinja) plus one
of the shared vocabularies `tests/assets/vocab/<vocab>.json.xz` (the hub's tokenizer.json, compressed), and the eos
list of its model's generation_config, which kosum must stop at.
"""

from __future__ import annotations

import copy
import json
import lzma
import shutil
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tokenizers import processors
from transformers import AutoTokenizer, PreTrainedTokenizerBase

from kosum.models.chat_format import QWEN_TEMPLATE

ASSETS = Path(__file__).resolve().parent / "assets"


@dataclass(frozen=True)
class RealFamily:
    vocab: str  # tests/assets/vocab/<vocab>.json.xz
    generation_eos: tuple[str, ...]  # the model's generation_config eos_token_id, as tokens
    stand_in: str = ""  # what is not the family's own file, and why
    template: str | None = None  # a template kosum ships, where the family's own was not found


REAL_FAMILIES: dict[str, RealFamily] = {
    "qwen2_instruct": RealFamily("qwen2", ("<|im_end|>", "<|endoftext|>")),
    "qwen3_hybrid": RealFamily("qwen3", ("<|im_end|>", "<|endoftext|>")),
    "qwen3_thinking_2507": RealFamily("qwen3", ("<|im_end|>", "<|endoftext|>")),
    "qwen3_instruct_2507": RealFamily(
        "qwen3", ("<|im_end|>", "<|endoftext|>"), template=QWEN_TEMPLATE,
        stand_in="template: kosum's ChatML (Qwen3-Instruct-2507's own, a non-thinking ChatML, was not found)"),
    "llama3_bllossom8b": RealFamily("llama3", ("<|end_of_text|>",)),
    "llama32_instruct": RealFamily(
        "llama3", ("<|end_of_text|>", "<|eom_id|>", "<|eot_id|>"),
        stand_in="tokenizer_config: Llama-3.1+ special-token names on Bllossom-8B's (Bllossom-3B's was not found)"),
    "solar_instruct": RealFamily(
        "llama2_spm", ("</s>",), stand_in="vocabulary: Llama-2's 32k SentencePiece (SOLAR's own was not found)"),
    "gemma2_it": RealFamily(
        "llama2_spm", ("<eos>", "<end_of_turn>"),
        stand_in="vocabulary: Llama-2's 32k SentencePiece with Gemma's special tokens (Gemma's 256k was not found)"),
    "kobart": RealFamily("kobart", ("</s>",)),
}


@cache
def _vocab_json(vocab: str) -> str:
    base = "qwen2" if vocab == "qwen3" else vocab  # Qwen3 = the Qwen2 vocabulary + its tokenizer_config's tokens
    return lzma.decompress((ASSETS / "vocab" / f"{base}.json.xz").read_bytes()).decode()


def _named_as_configured(vocab: str, config_file: Path) -> str:
    """The vocabulary with its special tokens named as the family's tokenizer_config names each id: Llama-3.0
    (Bllossom-8B) and Llama-3.1+ name the same ids 128002-128255 differently."""
    names = {int(i): t["content"] for i, t in json.loads(config_file.read_text()).get("added_tokens_decoder", {}).items()}
    data = json.loads(vocab)
    renamed = {t["id"]: names[t["id"]] for t in data["added_tokens"] if names.get(t["id"], t["content"]) != t["content"]}
    if not renamed:
        return vocab
    for token in data["added_tokens"]:
        token["content"] = renamed.get(token["id"], token["content"])
    return json.dumps(data, ensure_ascii=False)


def _write_folder(name: str, path: Path) -> Path:
    family = REAL_FAMILIES[name]
    path.mkdir(parents=True, exist_ok=True)
    for file in (ASSETS / "families" / name).iterdir():
        shutil.copy(file, path / file.name)
    (path / "tokenizer.json").write_text(_named_as_configured(_vocab_json(family.vocab), path / "tokenizer_config.json"))
    if family.template is not None:
        (path / "chat_template.jinja").write_text(family.template)
    return path


@cache
def _loaded(name: str) -> PreTrainedTokenizerBase:
    with tempfile.TemporaryDirectory() as tmp:
        tokenizer = AutoTokenizer.from_pretrained(_write_folder(name, Path(tmp)))
    if name == "gemma2_it":  # the stand-in vocabulary's post-processor adds `<s>`; Gemma's adds `<bos>`
        bos = tokenizer.bos_token
        tokenizer.backend_tokenizer.post_processor = processors.TemplateProcessing(
            single=f"{bos} $A", pair=f"{bos} $A {bos} $B", special_tokens=[(bos, tokenizer.bos_token_id)])
    return tokenizer


def real_tokenizer(name: str) -> PreTrainedTokenizerBase:
    """A fresh copy (callers change pad, template and special tokens)."""
    return copy.deepcopy(_loaded(name))


def save_real_tokenizer(name: str, path: Path) -> Path:
    real_tokenizer(name).save_pretrained(path)
    return path


def generation_eos_ids(name: str, tokenizer: PreTrainedTokenizerBase) -> list[int]:
    return tokenizer.convert_tokens_to_ids(list(REAL_FAMILIES[name].generation_eos))
