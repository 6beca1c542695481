"""Strict, typed params loading: every section of the real params.yaml loads; mistakes name the key."""

from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from kosum.config import (
    BaseConfig,
    CausalConfig,
    ConfigError,
    CorpusConfig,
    EvaluateConfig,
    GenerateConfig,
    PreprocessConfig,
    PromptConfig,
    Seq2SeqConfig,
    from_dict,
    load_section,
)

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Example:
    lr: float
    steps: int = 10
    name: str | None = None
    prompt: PromptConfig = PromptConfig()


def test_float_accepts_yaml_exponent_string_and_int():
    assert from_dict(Example, {"lr": "2e-5"}, "x").lr == 2e-5
    assert from_dict(Example, {"lr": 1}, "x").lr == 1.0
    assert yaml.safe_load("lr: 2e-5")["lr"] == "2e-5"  # why the coercion exists


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"lr": 1e-3, "stepz": 3}, r"x: unknown key\(s\) \['stepz'\]"),
        ({"lr": "fast"}, r"x.lr: expected float, got 'fast'"),
        ({"lr": 1e-3, "steps": 2.5}, r"x.steps: expected int, got 2.5"),
        ({"lr": 1e-3, "steps": True}, r"x.steps: expected int, got True"),
        ({}, r"x: required key 'lr' is missing"),
        ({"lr": 1e-3, "prompt": {"style": "fancy"}}, r"x.prompt.style: 'fancy' is not allowed; choose one of"),
        ({"lr": 1e-3, "prompt": {"instruction_variants": 9}}, r"x.prompt: instruction_variants must be"),
    ],
)
def test_mistakes_name_the_key(raw, message):
    with pytest.raises(ConfigError, match=message):
        from_dict(Example, raw, "x")


def test_nested_and_optional_values():
    cfg = from_dict(Example, {"lr": 1e-3, "name": None, "prompt": {"style": "simple"}}, "x")
    assert cfg.name is None and cfg.prompt.style == "simple" and cfg.prompt.max_prompt_len == 1024


def test_missing_section_names_file_and_section(tmp_path):
    params = tmp_path / "params.yaml"
    params.write_text("corpus: {seed: 1}\n")
    assert load_section(CorpusConfig, params, "corpus").seed == 1
    with pytest.raises(ConfigError, match="section 'preprocess' is missing"):
        load_section(PreprocessConfig, params, "preprocess")


def test_range_checks():
    with pytest.raises(ConfigError, match="corpus: noise_rate must be within"):
        from_dict(CorpusConfig, {"noise_rate": 1.5}, "corpus")


REAL = yaml.safe_load((ROOT / "params.yaml").read_text())
SECTIONS = {
    "corpus": CorpusConfig,
    "preprocess": PreprocessConfig,
    "train_kobart": Seq2SeqConfig,
    "base_llama": BaseConfig,
    "base_qwen": BaseConfig,
    "train_llama_qlora": CausalConfig,
    "train_qwen_qlora": CausalConfig,
    "evaluate": EvaluateConfig,
    **{f"predict.{model}": GenerateConfig for model in REAL["predict"]},
}


@pytest.mark.parametrize("name", sorted(SECTIONS))
def test_real_params_yaml_loads_every_section(name):
    load_section(SECTIONS[name], ROOT / "params.yaml", name)


def test_real_params_yaml_has_no_unchecked_section():
    assert set(REAL) == {name.split(".")[0] for name in SECTIONS}


def test_every_evaluated_model_has_decoding_settings():
    assert set(load_section(EvaluateConfig, ROOT / "params.yaml", "evaluate").models) <= set(REAL["predict"])


def test_llama_and_qwen_sections_differ_only_in_the_model_they_adapt():
    llama, qwen = dict(REAL["train_llama_qlora"]), dict(REAL["train_qwen_qlora"])
    assert llama.pop("model") == "models/base_llama" and qwen.pop("model") == "models/base_qwen"
    assert llama == qwen
