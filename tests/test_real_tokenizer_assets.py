"""The vendored tokenizer files load as the hub models ship them: vocabulary sizes and the special-token ids the
model cards and generation configs name, every file's licence stated, the whole folder a few MB."""

import pytest

from tests.real_tokenizers import ASSETS, REAL_FAMILIES, generation_eos_ids, real_tokenizer

KNOWN = {  # family: (tokens, {token: id}) as published
    "qwen2_instruct": (151646, {"<|endoftext|>": 151643, "<|im_start|>": 151644, "<|im_end|>": 151645}),
    "qwen3_thinking_2507": (151669, {"<|im_end|>": 151645, "<think>": 151667, "</think>": 151668}),
    "llama3_bllossom8b": (128256, {"<|begin_of_text|>": 128000, "<|end_of_text|>": 128001, "<|eot_id|>": 128009,
                                   "<|reserved_special_token_250|>": 128255}),
    "llama32_instruct": (128256, {"<|finetune_right_pad_id|>": 128004, "<|eom_id|>": 128008, "<|eot_id|>": 128009}),
    "solar_instruct": (32000, {"<unk>": 0, "<s>": 1, "</s>": 2}),
    "kobart": (30000, {"<s>": 0, "</s>": 1, "<pad>": 3, "<unk>": 5, "<mask>": 6}),
}


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_vocabulary_size_and_special_ids_are_the_published_ones(name):
    tokenizer = real_tokenizer(name)
    size, ids = KNOWN[name]
    assert len(tokenizer) == size
    assert {token: tokenizer.convert_tokens_to_ids(token) for token in ids} == ids


def test_known_encodings():
    """Llama-3's own test string (meta-llama/llama-models test_tokenizer.py), and the BOS each adds."""
    assert real_tokenizer("llama32_instruct")("This is a test sentence.").input_ids == [
        128000, 2028, 374, 264, 1296, 11914, 13]
    assert real_tokenizer("qwen2_instruct")("Hello world").input_ids == [9707, 1879]  # no BOS in Qwen
    assert real_tokenizer("solar_instruct")("Hello").input_ids[0] == 1
    assert real_tokenizer("gemma2_it")("Hello").input_ids[0] == real_tokenizer("gemma2_it").bos_token_id


def test_generation_config_stops_are_tokens_of_the_vocabulary():
    for name, family in REAL_FAMILIES.items():
        tokenizer = real_tokenizer(name)
        assert tokenizer.convert_ids_to_tokens(generation_eos_ids(name, tokenizer)) == list(family.generation_eos)


def test_every_vendored_file_has_its_source_and_licence_stated_and_the_folder_is_small():
    readme = (ASSETS / "README.md").read_text()
    files = [p for p in ASSETS.rglob("*") if p.is_file()]
    for path in files:
        relative = path.relative_to(ASSETS)
        if relative.parts[0] in ("vocab",):
            assert f"`{relative.as_posix()}" in readme, relative
        elif relative.parts[0] == "families":
            assert f"families/{relative.parts[1].split('_')[0]}" in readme, relative
    licences = {p.name for p in (ASSETS / "LICENSES").iterdir()}
    assert {"APACHE-2.0.txt", "LLAMA-2-COMMUNITY-LICENSE.txt", "LLAMA-3-COMMUNITY-LICENSE.txt",
            "LLAMA-3.1-COMMUNITY-LICENSE.txt", "LLAMA-3.2-COMMUNITY-LICENSE.txt", "KOBART-MODIFIED-MIT.txt"} <= licences
    assert "Built with Llama" in (ASSETS / "NOTICE").read_text()
    assert sum(p.stat().st_size for p in files) < 5 * 2**20
