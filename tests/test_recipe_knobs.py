"""The recipe keys GPU users look for (optimizer, precision, attn_implementation, revision, save_total_limit,
best_metric, report_to, gradient_checkpointing): checked when a recipe loads, and carried to where they act."""

from __future__ import annotations

import importlib.util
import json
from dataclasses import replace
from pathlib import Path

import pytest
import torch
import yaml
from transformers import TrainerControl, TrainerState
from transformers.integrations.integration_utils import INTEGRATION_TO_CALLBACK

from kosum.core.config.card import MODEL_CARD, Seq2SeqCard, read_model_card, write_model_card
from kosum.core.config.embedded import PretrainConfig
from kosum.core.config.loader import load_file
from kosum.core.config.params import LoraParams, TrainParams
from kosum.core.config.recipes import TRACKERS, BartSizeConfig, CausalJob, PromptConfig, QloraConfig, Seq2SeqConfig
from kosum.core.errors import ConfigError
from kosum.models.generation import load_summarizer
from kosum.models.loading import detect_precision, load_as_trained, load_causal, load_seq2seq, precision_for
from kosum.models.training.causal import _causal_card, train_causal
from kosum.models.training.seq2seq import train_seq2seq
from kosum.models.training.trainer import live_callback, training_arguments
from tests.conftest import causal_card, korean_tokenizer, save_tiny_base

CPU = precision_for("cpu", bf16_supported=False)
TINY_BART = BartSizeConfig(d_model=16, encoder_layers=1, decoder_layers=1, attention_heads=2, ffn_dim=32)


def _recipe_file(tmp_path: Path, **keys) -> Path:
    path = tmp_path / "seq2seq.yaml"
    path.write_text(yaml.safe_dump(keys), encoding="utf-8")
    return path


@pytest.mark.parametrize(("best_metric", "greater"), [("final", True), ("loss", False)])
def test_training_arguments_carry_the_recipe_knobs(tmp_path, monkeypatch, best_metric, greater):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: object() if name == "wandb" else
                        real_find_spec(name, *a))  # as if wandb were installed
    recipe = load_file(Seq2SeqConfig, _recipe_file(
        tmp_path, optimizer="adafactor", save_total_limit=3, best_metric=best_metric, report_to=["wandb"],
        gradient_checkpointing=True))
    args = training_arguments(TrainParams(), recipe, tmp_path / "run", CPU)
    assert args.optim == "adafactor" and args.save_total_limit == 3
    assert args.metric_for_best_model == best_metric and args.greater_is_better is greater
    assert args.report_to == ["wandb"] and args.activation_checkpointing is True
    shipped = training_arguments(TrainParams(), Seq2SeqConfig(), tmp_path / "run", CPU)
    # transformers' own default optimizer, as before the key existed
    assert (shipped.optim, shipped.save_total_limit, shipped.report_to) == ("adamw_torch_fused", 2, [])
    assert shipped.metric_for_best_model == "final" and shipped.greater_is_better is True


def test_pretraining_picks_its_base_by_loss():
    assert PretrainConfig().best_metric == "loss"
    with pytest.raises(ConfigError, match="best_metric must be loss"):
        PretrainConfig(best_metric="final")


def test_an_unknown_optimizer_is_a_config_error_naming_the_key(tmp_path):
    with pytest.raises(ConfigError, match=r"seq2seq.yaml: optimizer 'adamw_torhc' is not a transformers optimizer.*"
                                          r"paged_adamw_8bit"):
        load_file(Seq2SeqConfig, _recipe_file(tmp_path, optimizer="adamw_torhc"))
    assert QloraConfig(optimizer="paged_adamw_8bit").optimizer == "paged_adamw_8bit"


@pytest.mark.parametrize(("keys", "message"), [
    ({"report_to": ["wandbb"]}, r"report_to 'wandbb' is not allowed"),
    ({"report_to": ["dvclive"]}, r"report_to 'dvclive' is not allowed.*always attaches it"),
    ({"save_total_limit": 0}, r"save_total_limit must be >= 1"),
    ({"attn_implementation": ""}, r"attn_implementation must be null or a name"),
    ({"precision": "bf17"}, r"seq2seq.yaml.precision: 'bf17' is not allowed"),
    ({"best_metric": "rouge"}, r"seq2seq.yaml.best_metric: 'rouge' is not allowed"),
])
def test_wrong_knob_values_name_their_key(tmp_path, keys, message):
    with pytest.raises(ConfigError, match=message):
        load_file(Seq2SeqConfig, _recipe_file(tmp_path, **keys))


def test_a_tracker_whose_package_is_missing_fails_when_the_recipe_loads(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    with pytest.raises(ConfigError, match=r"report_to mlflow: its package 'mlflow' is not installed"):
        QloraConfig(report_to=("mlflow",))


def test_the_trackers_are_transformers_own():
    assert set(TRACKERS) == set(INTEGRATION_TO_CALLBACK) - {"dvclive"}


@pytest.mark.parametrize(("requested", "dtype", "bf16", "fp16"), [
    ("fp32", torch.float32, False, False), ("fp16", torch.float16, False, True), ("bf16", torch.bfloat16, True, False),
])
def test_an_explicit_precision_overrides_auto_on_a_gpu(requested, dtype, bf16, fp16):
    chosen = precision_for("cuda", bf16_supported=True, requested=requested)
    assert (chosen.device, chosen.dtype, chosen.bf16, chosen.fp16) == ("cuda", dtype, bf16, fp16)


def _gpu(monkeypatch, *, bf16: bool) -> None:
    """Force the hardware checks `detect_precision` asks: a CUDA GPU, with or without bf16."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: bf16)


def test_bf16_on_a_gpu_without_it_is_a_config_error(monkeypatch):
    _gpu(monkeypatch, bf16=False)
    with pytest.raises(ConfigError, match=r"^precision: this GPU has no bf16"):
        detect_precision(Seq2SeqConfig(precision="bf16").precision)
    assert detect_precision().fp16 and detect_precision("fp32").dtype == torch.float32  # auto: fp16 there
    _gpu(monkeypatch, bf16=True)
    assert detect_precision("bf16").bf16 and detect_precision("fp16").fp16  # an explicit fp16 where bf16 exists


def test_fp16_on_the_cpu_is_a_config_error_and_bf16_runs_there(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ConfigError, match=r"^precision: fp16 needs a CUDA GPU"):
        detect_precision("fp16")
    assert detect_precision() == CPU and detect_precision("bf16").dtype == torch.bfloat16


def test_both_training_paths_fail_on_a_precision_the_device_lacks_before_any_work(monkeypatch, tmp_path):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    missing = tmp_path / "nothing"  # no data, tokenizer or model: the precision check comes first
    with pytest.raises(ConfigError, match="precision: fp16"):
        train_seq2seq("embedded", TrainParams(), Seq2SeqConfig(precision="fp16"), missing, missing, missing, missing,
                      missing)
    job = CausalJob("org/model", TrainParams(), QloraConfig(precision="fp16"), LoraParams(), PromptConfig())
    with pytest.raises(ConfigError, match="precision: fp16"):
        train_causal(job, missing, missing, missing, missing)


def test_a_local_causal_folder_loads_with_the_asked_attention(tmp_path):
    base = save_tiny_base("llama", tmp_path / "base")
    eager = load_causal(str(base), quantize_4bit=False, precision=CPU, trust_remote_code=False,
                        attn_implementation="eager")
    assert eager.config._attn_implementation == "eager"
    default = load_causal(str(base), quantize_4bit=False, precision=CPU, trust_remote_code=False)
    assert default.config._attn_implementation == "sdpa"  # None keeps transformers' choice
    # predict reloads a full model as its card says
    write_model_card(base, replace(causal_card(PromptConfig()), attn_implementation="eager"))
    assert load_summarizer(base).model.config._attn_implementation == "eager"


def test_the_embedded_bart_is_built_and_reloaded_with_the_asked_attention(tmp_path):
    tokenizer_dir = tmp_path / "tokenizer"
    korean_tokenizer().save_pretrained(tokenizer_dir)
    recipe = Seq2SeqConfig(embedded=TINY_BART, encoder_max_len=32, decoder_max_len=16, attn_implementation="eager")
    model, tokenizer = load_seq2seq("embedded", recipe, tokenizer_dir)
    assert model.config._attn_implementation == "eager"
    assert load_seq2seq("embedded", replace(recipe, attn_implementation=None), tokenizer_dir)[0].config \
        ._attn_implementation == "sdpa"
    out = tmp_path / "model"
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    write_model_card(out, Seq2SeqCard(kind="seq2seq", encoder_max_len=32, decoder_max_len=16,
                                      attn_implementation="eager"))
    assert "_attn_implementation" not in json.loads((out / "config.json").read_text())  # only the card keeps it
    assert load_summarizer(out).model.config._attn_implementation == "eager"


def test_revision_is_recorded_in_the_card_and_written_only_when_set(tmp_path):
    job = CausalJob("org/model", TrainParams(), QloraConfig(revision="v1.1", attn_implementation="sdpa"),
                    LoraParams(), PromptConfig())
    card = _causal_card(job)
    write_model_card(tmp_path, card)
    assert read_model_card(tmp_path) == card and (card.revision, card.attn_implementation) == ("v1.1", "sdpa")
    write_model_card(tmp_path, replace(card, revision=None, attn_implementation=None))
    written = json.loads((tmp_path / MODEL_CARD).read_text())
    assert list(written) == ["kind", "base", "quantize_4bit", "trust_remote_code", "prompt"]  # the card as before


def test_a_card_revision_reaches_the_base_load(monkeypatch):
    seen = {}

    def from_pretrained(path, **kwargs):
        seen.update(kwargs, path=path)
        return torch.nn.Linear(1, 1)

    monkeypatch.setattr("kosum.models.loading.AutoModelForCausalLM.from_pretrained", from_pretrained)
    card = replace(causal_card(PromptConfig()), base="org/model", revision="abc123", attn_implementation="eager")
    load_as_trained(card.base, card, CPU, quantize_4bit=False)
    assert (seen["path"], seen["revision"], seen["attn_implementation"]) == ("org/model", "abc123", "eager")


def test_a_revision_without_a_hub_checkpoint_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match=r"configs/seq2seq.yaml revision: embedded is not a hub checkpoint"):
        load_seq2seq("embedded", Seq2SeqConfig(revision="main"), tmp_path)
    job = CausalJob(str(tmp_path), TrainParams(), QloraConfig(revision="main"), LoraParams(), PromptConfig())
    with pytest.raises(ConfigError, match=r"configs/qlora.yaml revision: .* is not a hub checkpoint"):
        train_causal(job, tmp_path, tmp_path, tmp_path, tmp_path)
    with pytest.raises(ConfigError, match="revision must be null"):
        PretrainConfig(revision="main")


@pytest.mark.parametrize("best_metric", ["final", "loss"])
def test_the_dvclive_summary_names_the_metric_that_picked_the_checkpoint(tmp_path, best_metric):
    live_dir = tmp_path / "dvclive"
    callback = live_callback(live_dir, resume=False)
    args = training_arguments(TrainParams(), Seq2SeqConfig(best_metric=best_metric), tmp_path / "run", CPU)
    state = TrainerState(best_metric=0.75, best_model_checkpoint=str(tmp_path / "run/checkpoint-60"))
    callback.on_train_begin(args, state, TrainerControl())
    callback.on_train_end(args, state, TrainerControl())
    metrics = json.loads((live_dir / "metrics.json").read_text())
    assert metrics == {f"best_eval_{best_metric}": 0.75, "best_step": 60}
