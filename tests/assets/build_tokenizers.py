"""Rebuilds tests/assets from the copies of public tokenizer files in ../shared/tokenizers (see its README for where
each came from). Not run by the tests: they read what this wrote. Needs `tiktoken` and `gguf` (not in
requirements.txt, only to convert the Llama-3 and Llama-2 originals).
Run: .venv/bin/python tests/assets/build_tokenizers.py [path to shared/tokenizers]
"""

from __future__ import annotations

import json
import lzma
import shutil
import sys
import tempfile
from pathlib import Path

from tokenizers import Tokenizer, processors
from transformers import AutoTokenizer
from transformers.convert_slow_tokenizer import TikTokenConverter

ASSETS = Path(__file__).resolve().parent
SHARED = Path(sys.argv[1]) if len(sys.argv) > 1 else ASSETS.parents[2] / "shared" / "tokenizers"

# Llama 3.1+ names of the 256 special tokens from id 128000 on (meta-llama/llama-models models/llama3/tokenizer.py)
LLAMA3_SPECIAL = [
    "<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>", "<|reserved_special_token_1|>",
    "<|finetune_right_pad_id|>", "<|step_id|>", "<|start_header_id|>", "<|end_header_id|>", "<|eom_id|>",
    "<|eot_id|>", "<|python_tag|>", "<|image|>",
]
LLAMA3_SPECIAL += [f"<|reserved_special_token_{2 + i}|>" for i in range(256 - len(LLAMA3_SPECIAL))]


def _write_vocab(name: str, tokenizer: Tokenizer) -> None:
    out = ASSETS / "vocab" / f"{name}.json.xz"
    out.parent.mkdir(exist_ok=True)
    text = tokenizer.to_str()
    out.write_bytes(lzma.compress(text.encode(), preset=9 | lzma.PRESET_EXTREME))
    print(f"{out.relative_to(ASSETS)}: {tokenizer.get_vocab_size()} tokens, {out.stat().st_size:,} bytes")


def _backend(folder: Path, **kwargs) -> Tokenizer:
    return AutoTokenizer.from_pretrained(folder, **kwargs).backend_tokenizer


def _llama3() -> Tokenizer:
    """The tiktoken ranks as a tokenizers BPE; the post-processor adds `<|begin_of_text|>` as the hub file does."""
    tokenizer = TikTokenConverter(str(SHARED / "llama3/tokenizer.model"),
                                  extra_special_tokens=LLAMA3_SPECIAL).converted()
    tokenizer.post_processor = processors.Sequence([
        processors.ByteLevel(trim_offsets=False),
        processors.TemplateProcessing(single="<|begin_of_text|> $A", pair="<|begin_of_text|> $A <|begin_of_text|> $B",
                                      special_tokens=[("<|begin_of_text|>", 128000)]),
    ])
    return tokenizer


def _family(name: str, config: dict, template: str | None = None) -> None:
    """A hub-like folder: tokenizer_config.json and chat_template.jinja (the vocabulary is shared and the generation
    config's eos list is in tests/real_tokenizers.py)."""
    folder = ASSETS / "families" / name
    folder.mkdir(parents=True, exist_ok=True)
    config = {k: v for k, v in config.items() if k != "chat_template"}
    (folder / "tokenizer_config.json").write_text(json.dumps(config, ensure_ascii=False, indent=2) + "\n")
    if template is not None:
        (folder / "chat_template.jinja").write_text(template)


def _read(path: str) -> dict:
    return json.loads((SHARED / path).read_text())


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:  # the Qwen2 vocabulary with its own added tokens (ids 151643-151645)
        qwen2 = Path(tmp) / "qwen2"
        shutil.copytree(SHARED / "qwen2", qwen2)
        _write_vocab("qwen2", _backend(qwen2))
    _write_vocab("llama3", _llama3())
    _write_vocab("llama2_spm", _backend(SHARED / "llama2_spm", gguf_file="ggml-vocab-llama-spm.gguf"))
    _write_vocab("kobart", Tokenizer.from_file(str(SHARED / "kobart/model.json")))

    templates = SHARED / "templates"
    qwen2_config = _read("qwen2/tokenizer_config.json")
    _family("qwen2_instruct", qwen2_config, (templates / "qwen2-instruct.jinja").read_text())
    qwen3_config = _read("templates/qwen3-4b-thinking-2507_tokenizer_config.json")
    _family("qwen3_hybrid", qwen3_config, (templates / "Qwen-Qwen3-0.6B.jinja").read_text())
    _family("qwen3_thinking_2507", qwen3_config, qwen3_config["chat_template"])
    _family("qwen3_instruct_2507", qwen3_config, None)  # template: kosum's ChatML (not found)

    bllossom = _read("llama3/bllossom8b_tokenizer_config.json")
    _family("llama3_bllossom8b", bllossom, bllossom["chat_template"])
    llama32 = {k: v for k, v in bllossom.items() if k not in ("added_tokens_decoder", "pad_token")}
    llama32["added_tokens_decoder"] = {
        str(128000 + i): {"content": token, "lstrip": False, "normalized": False, "rstrip": False,
                          "single_word": False, "special": True}
        for i, token in enumerate(LLAMA3_SPECIAL)
    }
    _family("llama32_instruct", llama32, (templates / "meta-llama-Llama-3.2-3B-Instruct.jinja").read_text())

    spm = {"tokenizer_class": "PreTrainedTokenizerFast", "clean_up_tokenization_spaces": False}
    _family("solar_instruct", {**spm, "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>",
                               "pad_token": "</s>"},
            (templates / "solar-10.7b-instruct.jinja").read_text())
    _family("gemma2_it", {**spm, "bos_token": "<bos>", "eos_token": "<eos>", "unk_token": "<unk>",
                          "pad_token": "<pad>", "additional_special_tokens": ["<start_of_turn>", "<end_of_turn>"]},
            (templates / "google-gemma-2-2b-it.jinja").read_text())
    _family("kobart", {"tokenizer_class": "PreTrainedTokenizerFast", "bos_token": "<s>", "eos_token": "</s>",
                       "unk_token": "<unk>", "pad_token": "<pad>", "mask_token": "<mask>"})


if __name__ == "__main__":
    main()
