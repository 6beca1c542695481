"""Strict, typed params loading: every section of the real params.yaml loads; mistakes name the key."""

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from kosum.check import RECIPES
from kosum.core.config.decode import load_decode
from kosum.core.config.embedded import CorpusConfig, EmbeddedConfig
from kosum.core.config.ensemble import EnsembleConfig, load_ensemble, member_weights
from kosum.core.config.loader import from_dict, load_file
from kosum.core.config.params import Params
from kosum.core.config.recipes import (
    PromptConfig,
    QloraConfig,
    Seq2SeqConfig,
    causal_job,
    prompt_config,
    seq2seq_job,
    zero_shot_prompt,
)
from kosum.core.errors import ConfigError

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


def test_lora_targets_are_all_linear_or_a_list_and_plain_format_is_checked():
    assert from_dict(QloraConfig, {}, "q").target_modules == "all-linear"
    assert from_dict(QloraConfig, {"target_modules": ["q_proj", "v_proj"]}, "q").target_modules == ("q_proj", "v_proj")
    with pytest.raises(ConfigError, match="q.target_modules: expected str"):
        from_dict(QloraConfig, {"target_modules": 3}, "q")
    with pytest.raises(ConfigError, match="q.plain_format: 'vicuna' is not allowed"):
        from_dict(QloraConfig, {"plain_format": "vicuna"}, "q")


def test_nested_and_optional_values():
    cfg = from_dict(Example, {"lr": 1e-3, "name": None, "prompt": {"style": "simple"}}, "x")
    assert cfg.name is None and cfg.prompt.style == "simple" and cfg.prompt.max_prompt_len == 768


def test_a_whole_file_loads_and_names_itself_in_errors(tmp_path):
    path = tmp_path / "embedded.yaml"
    path.write_text("corpus: {seed: 1}\nbases: {}\n")
    assert load_file(EmbeddedConfig, path).corpus.seed == 1
    path.write_text("corpus: {seed: 1}\ncorpuz: {}\n")
    with pytest.raises(ConfigError, match=r"embedded.yaml: unknown key\(s\) \['corpuz'\]"):
        load_file(EmbeddedConfig, path)
    path.write_text("- not a mapping\n")
    with pytest.raises(ConfigError, match="expected a mapping of sections"):
        load_file(EmbeddedConfig, path)


def test_range_checks():
    with pytest.raises(ConfigError, match="corpus: noise_rate must be within"):
        from_dict(CorpusConfig, {"noise_rate": 1.5}, "corpus")


REAL = yaml.safe_load((ROOT / "params.yaml").read_text())


def test_real_params_and_configs_load():
    params = load_file(Params, ROOT / "params.yaml")
    assert params.fine_tuned == ("kobart", "llama_qlora", "qwen_qlora")
    assert params.scored == ("kobart", "llama_qlora", "qwen_qlora", "llama_zero_shot", "qwen_zero_shot")
    assert params.models.recipes == {"kobart": "seq2seq", "llama_qlora": "qlora", "qwen_qlora": "qlora"}
    for name, cls in RECIPES.items():
        load_file(cls, ROOT / "configs" / name)
    decode = yaml.safe_load((ROOT / "configs/decode.yaml").read_text())
    extra = {"default", "kfold"}  # kfold: the fold models of kfold/dvc.yaml
    assert set(decode) - extra <= set(params.scored), "a decode section for a model params.yaml lacks"
    ensemble = load_ensemble(ROOT / "configs/ensemble.yaml")
    assert set(ensemble.weights) <= set(params.fine_tuned)
    assert all(weight > 0 for weight in member_weights(ensemble, params.fine_tuned).values())  # every one a member
    assert load_decode(ROOT / "configs/decode.yaml", "kobart").num_beams == 4
    assert load_decode(ROOT / "configs/decode.yaml", "qwen_qlora").num_beams == 1  # the default


# Each config dataclass built from the shipped file whose keys its defaults mirror.
SHIPPED = {
    "params.yaml": lambda: load_file(Params, ROOT / "params.yaml"),
    **{f"configs/{name}": lambda c=cls, n=name: load_file(c, ROOT / "configs" / n) for name, cls in RECIPES.items()},
    "configs/ensemble.yaml": lambda: load_ensemble(ROOT / "configs/ensemble.yaml"),
    "configs/decode.yaml:default": lambda: load_decode(ROOT / "configs/decode.yaml", "default"),
    "the prompt (params.yaml prompt, configs/qlora.yaml)": lambda: prompt_config(
        load_file(Params, ROOT / "params.yaml").prompt, load_file(QloraConfig, ROOT / "configs/qlora.yaml")),
}


def _drift(default: object, shipped: object, where: str) -> list[str]:
    """Where `shipped` differs from `default`, field by field through nested dataclasses."""
    if dataclasses.is_dataclass(default):
        return [line for f in dataclasses.fields(default)
                for line in _drift(getattr(default, f.name), getattr(shipped, f.name), f"{where}.{f.name}")]
    return [] if default == shipped else [f"{where}: default {default!r}, shipped {shipped!r}"]


@pytest.mark.parametrize("name", SHIPPED)
def test_defaults_are_the_shipped_values(name):
    """One source for each default: a field's default is the shipped file's value, or the field has none (required),
    so code and tests built on the defaults run what the pipeline runs (a key the file omits keeps its default)."""
    shipped = SHIPPED[name]()
    required = [f.name for f in dataclasses.fields(shipped)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    defaults = type(shipped)(**{key: getattr(shipped, key) for key in required})
    drift = _drift(defaults, shipped, name)
    assert not drift, "\n".join(drift)


def test_params_yaml_stays_narrow():
    """`dvc exp show` has a column per leaf key of params.yaml; the issue's budget is 60 columns for the default
    pipeline (CSV: 7 of DVC's, 12 metrics, 17 dependency paths and 24 of these) plus the API pipeline's 2."""
    def leaves(node):
        return sum(leaves(v) for v in node.values()) if isinstance(node, dict) else 1
    assert leaves(REAL) <= 26


@pytest.mark.parametrize(("raw", "message"), [
    ({"train_kobart": {"learning_rate": 1e-3}},
     r"'train_kobart' has moved: train \(shared schedule\), models.seq2seq.kobart"),
    ({"predict": {}}, r"'predict' has moved: configs/decode.yaml"),
    ({"train": {"learning_rate": 1e-3}}, r"params.yaml.train: 'learning_rate' has moved: train.lr"),
    ({"train": {"per_device_eval_batch_size": 8}}, r"'per_device_eval_batch_size' has moved: the model's recipe"),
    ({"prompt": {"max_prompt_len": 512}}, r"'max_prompt_len' has moved: configs/qlora.yaml"),
    ({"train": {"lr_typo": 1e-3}}, r"unknown key\(s\) \['lr_typo'\]"),
    ({"modelz": {}}, r"unknown key\(s\) \['modelz'\]"),
])
def test_moved_keys_name_their_new_place_and_unknown_keys_stay_errors(tmp_path, raw, message):
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError, match=message):
        load_file(Params, path)


def test_a_model_in_both_mappings_is_an_error():
    with pytest.raises(ConfigError, match="both in models and zero_shot"):
        from_dict(Params, {"models": {"seq2seq": {}, "qlora": {"a": {"checkpoint": "x"}}},
                           "zero_shot": {"a": {"checkpoint": "y"}}}, "params.yaml")
    with pytest.raises(ConfigError, match=r"params.yaml.models: \['a'\] is under both seq2seq and qlora"):
        from_dict(Params, {"models": {"seq2seq": {"a": {"checkpoint": "x"}}, "qlora": {"a": {"checkpoint": "y"}}},
                           "zero_shot": {}}, "params.yaml")


@pytest.mark.parametrize("build", [lambda: QloraConfig(max_prompt_len=32), lambda: PromptConfig(max_prompt_len=32)])
def test_token_budgets_are_checked_wherever_they_are_set(build):
    with pytest.raises(ConfigError, match="max_prompt_len must be at least 64 tokens"):
        build()


def test_missing_model_or_base_names_where_to_add_it():
    params = from_dict(Params, {"models": {"seq2seq": {"kobart": {"checkpoint": "embedded"}}, "qlora": {}},
                                "zero_shot": {}}, "params.yaml")
    with pytest.raises(ConfigError, match=r"params.yaml models.qlora: no entry 'solar_qlora'; add `solar_qlora: "
                                          r"\{checkpoint: <hub id or folder>\}` there"):
        causal_job(params, "solar_qlora", QloraConfig())
    with pytest.raises(ConfigError, match="params.yaml models.seq2seq: no entry 'llama_qlora'"):
        seq2seq_job(params, "llama_qlora", Seq2SeqConfig())
    with pytest.raises(ConfigError, match="params.yaml zero_shot: no entry 'kobart'"):
        zero_shot_prompt(params, "kobart", QloraConfig())
    embedded = load_file(EmbeddedConfig, ROOT / "configs/embedded.yaml")
    assert embedded.base("qwen").family == "qwen"
    with pytest.raises(ConfigError, match=r"bases: no 'mistral'; found \['llama', 'qwen'\]"):
        embedded.base("mistral")


def test_model_card_round_trips_through_the_strict_loader(tmp_path):
    from kosum.core.config.card import CausalCard, Seq2SeqCard, read_model_card, write_model_card

    cards = [Seq2SeqCard(kind="seq2seq", encoder_max_len=512, decoder_max_len=100, source_prefix="요약: ", lang=""),
             CausalCard(kind="causal", base="models/bases/qwen", quantize_4bit=True, trust_remote_code=False,
                        prompt=PromptConfig(style="simple"))]
    for card in cards:
        write_model_card(tmp_path, card)
        assert read_model_card(tmp_path) == card
    text = (tmp_path / "kosum.json").read_text()
    assert list(json.loads(text)) == ["kind", "base", "quantize_4bit", "trust_remote_code", "prompt"]  # stable bytes
    (tmp_path / "kosum.json").write_text(text.replace('"quantize_4bit"', '"quantise_4bit"'))
    with pytest.raises(ConfigError, match=r"kosum.json: unknown key\(s\) \['quantise_4bit'\]"):
        read_model_card(tmp_path)
    # a card from before configs/qlora.yaml `topic` existed: that model learnt prompts with the topic
    card = json.loads(text)
    assert card["prompt"].pop("topic") is False
    (tmp_path / "kosum.json").write_text(json.dumps(card))
    assert read_model_card(tmp_path).prompt.topic is True


def _params(*, train: dict | None = None, seq2seq: dict | None = None, qlora: dict | None = None,
            zero_shot: dict | None = None) -> Params:
    return from_dict(Params, {"train": train or {}, "models": {"seq2seq": seq2seq or {}, "qlora": qlora or {}},
                              "zero_shot": zero_shot or {}}, "params.yaml")


def test_the_shipped_entries_set_nothing_of_their_own():
    params = load_file(Params, ROOT / "params.yaml")
    qlora, seq2seq = load_file(QloraConfig, ROOT / "configs/qlora.yaml"), load_file(Seq2SeqConfig,
                                                                                    ROOT / "configs/seq2seq.yaml")
    for name in params.models.qlora:
        job = causal_job(params, name, qlora)
        assert (job.train, job.recipe, job.prompt) == (params.train, qlora, prompt_config(params.prompt, qlora)), name
    kobart = seq2seq_job(params, "kobart", seq2seq)
    assert (kobart.model, kobart.train, kobart.recipe) == ("embedded", params.train, seq2seq)
    assert zero_shot_prompt(params, "qwen_zero_shot", qlora) == prompt_config(params.prompt, qlora)


def test_a_models_own_values_win_over_train_and_its_recipe():
    params = _params(train={"lr": 1e-3, "batch_size": 16, "epochs": 6},
                     qlora={"big": {"checkpoint": "org/big", "batch_size": 2, "epochs": 12, "max_prompt_len": 1536},
                            "small": {"checkpoint": "org/small", "lr": "5e-4"}},
                     seq2seq={"kobart": {"checkpoint": "embedded", "lr": 5e-5, "decoder_max_len": 64}},
                     zero_shot={"big_zero_shot": {"checkpoint": "org/big", "max_prompt_len": 1536},
                                "plain_zero_shot": {"checkpoint": "org/big"}})
    qlora, seq2seq = QloraConfig(max_prompt_len=768, max_summary_len=48), Seq2SeqConfig(encoder_max_len=256)

    big = causal_job(params, "big", qlora)
    assert big.model == "org/big" and (big.train.batch_size, big.train.epochs) == (2, 12.0)
    assert big.train.lr == 1e-3 and big.train.seed == params.train.seed  # the rest: the shared schedule
    assert big.recipe.max_prompt_len == 1536 and big.prompt.max_prompt_len == 1536  # the prompt follows the entry
    assert big.recipe.max_summary_len == 48 and big.prompt.max_summary_len == 48  # the rest: the recipe file's
    small = causal_job(params, "small", qlora)
    assert small.train.lr == 5e-4 and small.train.batch_size == 16 and small.recipe == qlora

    kobart = seq2seq_job(params, "kobart", seq2seq)
    assert kobart.model == "embedded" and kobart.train.lr == 5e-5 and kobart.train.batch_size == 16
    assert kobart.recipe.decoder_max_len == 64 and kobart.recipe.encoder_max_len == 256

    assert zero_shot_prompt(params, "big_zero_shot", qlora).max_prompt_len == 1536
    assert zero_shot_prompt(params, "plain_zero_shot", qlora) == prompt_config(params.prompt, qlora)


def test_a_shared_schedule_change_reaches_every_entry_without_its_own_value():
    """What `dvc exp run -S train.lr=2e-5` does (DVC writes the value into params.yaml `train`): every model takes it
    but one that sets its own lr; a model's other own values keep the new shared lr."""
    entries = {"own_lr": {"checkpoint": "org/a", "lr": 1e-4}, "own_batch": {"checkpoint": "org/b", "batch_size": 2},
               "plain": {"checkpoint": "org/c"}}
    for lr in (2e-3, 2e-5):
        params = _params(train={"lr": lr}, qlora=entries, seq2seq={"kobart": {"checkpoint": "embedded"}})
        lrs = {name: causal_job(params, name, QloraConfig()).train.lr for name in entries}
        assert lrs == {"own_lr": 1e-4, "own_batch": lr, "plain": lr}
        assert seq2seq_job(params, "kobart", Seq2SeqConfig()).train.lr == lr


@pytest.mark.parametrize(("build", "message"), [
    (lambda: causal_job(_params(qlora={"q": {"checkpoint": "org/q", "batchsize": 2}}), "q", QloraConfig()),
     r"^params.yaml models.qlora.q: unknown key\(s\) \['batchsize'\]; an entry takes checkpoint and any key of "
     r"`train` or of its recipe\.$"),
    (lambda: seq2seq_job(_params(seq2seq={"s": {"checkpoint": "embedded", "max_prompt_len": 512}}), "s",
                         Seq2SeqConfig()),  # the other recipe's key
     r"^params.yaml models.seq2seq.s: unknown key\(s\) \['max_prompt_len'\]"),
    (lambda: zero_shot_prompt(_params(zero_shot={"z": {"checkpoint": "org/z", "lr": 1e-3}}), "z", QloraConfig()),
     r"^params.yaml zero_shot.z: unknown key\(s\) \['lr'\]; an entry takes checkpoint and any key of "
     r"configs/qlora.yaml\.$"),
    (lambda: causal_job(_params(qlora={"q": {"checkpoint": "org/q", "batch_size": "many"}}), "q", QloraConfig()),
     r"^params.yaml models.qlora.q.batch_size: expected int, got 'many'\.$"),
    (lambda: causal_job(_params(qlora={"q": {"checkpoint": "org/q", "batch_size": 0}}), "q", QloraConfig()),
     r"^params.yaml models.qlora.q: batch_size must be at least 1\.$"),
    (lambda: causal_job(_params(qlora={"q": {"checkpoint": "org/q", "max_prompt_len": 32}}), "q", QloraConfig(),
                        where="exp/params.yaml"),
     r"^exp/params.yaml models.qlora.q: max_prompt_len must be at least 64 tokens\.$"),
    (lambda: from_dict(Params, {"models": {"kobart": "embedded", "qlora": {}}, "zero_shot": {}}, "params.yaml"),
     r"^params.yaml.models: 'kobart' has moved: models.seq2seq.kobart \(an entry is now \{checkpoint: \.\.\.\} "
     r"under its recipe\)\.$"),
    (lambda: _params(zero_shot={"llama_zero_shot": "models/bases/llama"}),
     r"^params.yaml.zero_shot.llama_zero_shot: expected a mapping such as \{checkpoint: <hub id or folder>, "
     r"batch_size: 4\}, got str\.$"),
    (lambda: _params(qlora={"q": {"checkpoint": "org/q", "own": {"batch_size": 2}}}),
     r"^params.yaml.models.qlora.q: 'own' is not a key; write its keys beside the others\.$"),
    (lambda: _params(qlora={"q": {"batch_size": 2}}), r"^params.yaml.models.qlora.q: required key 'checkpoint'"),
    (lambda: _params(seq2seq={"s": {"checkpoint": ""}}), r"^params.yaml.models.seq2seq.s: checkpoint must name"),
])
def test_a_wrong_entry_is_one_line_naming_its_key(build, message):
    with pytest.raises(ConfigError, match=message) as err:
        build()
    assert "\n" not in str(err.value)


def test_the_ensemble_members_follow_params_models():
    """Fine-tuned models `weights` leaves out take `other_weight`; a name params lacks is ignored; 0 leaves one out."""
    cfg = from_dict(EnsembleConfig, {"weights": {"kobart": 1.0, "llama_qlora": 0.0, "gone_qlora": 3.0},
                                     "other_weight": 0.5, "hypotheses": ["beam"], "references": ["beam"]},
                    "ensemble.yaml")
    assert member_weights(cfg, ("kobart", "llama_qlora", "solar_qlora")) == {"kobart": 1.0, "llama_qlora": 0.0,
                                                                              "solar_qlora": 0.5}
    assert member_weights(cfg, ()) == {}
    with pytest.raises(ConfigError, match=r"ensemble.yaml: ensemble weights and other_weight must be >= 0"):
        from_dict(EnsembleConfig, {"weights": {}, "other_weight": -1, "hypotheses": ["beam"], "references": ["beam"]},
                  "ensemble.yaml")
    with pytest.raises(ConfigError, match=r"ensemble.yaml: required key 'other_weight' is missing"):
        from_dict(EnsembleConfig, {"weights": {}, "hypotheses": ["beam"], "references": ["beam"]}, "ensemble.yaml")
