"""Every causal architecture and prompt format through kosum's real paths: QLoRA targets and one step, packed
training, generation that stops where the format stops, and the train/predict stage scripts on hub-style folders."""

import json

import pandas as pd
import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from kosum.core.config.decode import DecodeConfig
from kosum.core.config.params import LoraParams
from kosum.core.config.recipes import PromptConfig, QloraConfig
from kosum.models.attention import use_packed_attention
from kosum.models.chat_format import chat_format, ready_for_chat
from kosum.models.generation import Summarizer, load_summarizer
from kosum.models.loading import peft_model_for_training, precision_for
from kosum.models.prompts import training_examples
from kosum.models.training.causal import labelled_loss
from kosum.models.training.packing import packed_collator, padded_collator
from stages import predict, train_qlora
from tests.chat_formats import FORMATS, HUB_FORMATS, save_tiny_model
from tests.conftest import LLM_TRAIN, causal_card

CPU = precision_for("cpu", bf16_supported=False)
LINEAR = {  # every linear layer but the output head, as each architecture names them
    "llama": {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"},
    "gemma": {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"},
    "gpt_neox": {"query_key_value", "dense", "dense_h_to_4h", "dense_4h_to_h"},
}
ROWS = [
    {"dialogue": "#Person1#: 내일 회의에 늦을 것 같아요.\n#Person2#: 알겠어요.", "summary": "민수는 회의에 늦는다.",
     "topic": "회의"},
    {"dialogue": "#Person2#: 도서관에서 책을 빌렸습니다.", "summary": "지영은 책을 빌렸다.", "topic": None},
]
PROMPT = PromptConfig(style="simple", max_prompt_len=256, max_summary_len=32)


@pytest.fixture(scope="module", params=HUB_FORMATS)
def hub_model(request, tmp_path_factory):
    """(format name, folder) of a tiny hub-style checkpoint of each format."""
    return request.param, save_tiny_model(request.param, tmp_path_factory.mktemp(request.param))


def _tokenizer(name: str, path) -> AutoTokenizer:
    return ready_for_chat(AutoTokenizer.from_pretrained(path), FORMATS[name].plain_format)


def test_qlora_targets_every_linear_layer_and_one_step_trains_only_adapters(hub_model):
    name, path = hub_model
    model = peft_model_for_training(str(path), QloraConfig(), LoraParams(r=4, alpha=8), CPU)
    targets = {n.rsplit(".", 1)[-1] for n, m in model.named_modules() if hasattr(m, "lora_A")}
    assert targets == LINEAR[FORMATS[name].architecture]
    assert sum(type(m).__name__ == "Linear4bit" for m in model.modules()) > 0
    frozen = {n: p.detach().clone() for n, p in model.named_parameters() if not p.requires_grad}
    batch = packed_collator()(training_examples(_tokenizer(name, path), ROWS, PROMPT))
    use_packed_attention(model)
    loss, _ = labelled_loss(model, batch)
    loss.backward()
    torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2).step()
    assert torch.isfinite(loss)
    assert all(torch.equal(p, frozen[n]) for n, p in model.named_parameters() if n in frozen)
    assert any(p.abs().sum() > 0 for n, p in model.named_parameters() if "lora_B" in n)


@pytest.mark.cpu_kernels
def test_packed_loss_equals_padded_loss(hub_model):
    """Packing must keep examples apart in every architecture's attention, or it silently trains on a mixture."""
    name, path = hub_model
    examples = training_examples(_tokenizer(name, path), ROWS, PROMPT)
    model = AutoModelForCausalLM.from_pretrained(path)
    with torch.no_grad():
        padded = labelled_loss(model, padded_collator(_tokenizer(name, path).pad_token_id)(examples), with_logits=True)
        packed = labelled_loss(use_packed_attention(model), packed_collator()(examples), with_logits=True)
    # the logits, not just the loss: a random model's loss moves by only ~1e-5 when examples attend to each other
    torch.testing.assert_close(packed[1], padded[1], atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(packed[0], padded[0], atol=1e-6, rtol=1e-5)


def test_batched_generation_stops_at_the_formats_stop(hub_model, monkeypatch):
    """A model taught two summaries repeats them exactly in one left-padded batch: nothing after the stop token."""
    name, path = hub_model
    tokenizer = _tokenizer(name, path)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(path)
    batch = padded_collator(tokenizer.pad_token_id)(training_examples(tokenizer, ROWS, PROMPT))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
    for _ in range(60):
        labelled_loss(model, batch)[0].backward()
        optimizer.step()
        optimizer.zero_grad()
    new_tokens = []
    real = model.generate

    def generate(**kwargs):
        out = real(**kwargs)
        new_tokens.extend(out[:, kwargs["input_ids"].shape[1] :].tolist())
        return out

    monkeypatch.setattr(model, "generate", generate)
    card = causal_card(PromptConfig(style="simple", max_prompt_len=256))
    summaries = Summarizer(model, tokenizer, card).summarize(
        [r["dialogue"] for r in ROWS], [r["topic"] for r in ROWS],
        DecodeConfig(num_beams=1, max_new_tokens=24, no_repeat_ngram_size=0, batch_size=2, block_non_korean=False))
    assert summaries == [r["summary"] for r in ROWS]
    stop = tokenizer.convert_tokens_to_ids(FORMATS[name].end_of_turn)
    for row in new_tokens:  # each row ends at the format's stop; only padding follows it
        assert set(row[row.index(stop) + 1 :]) <= {tokenizer.pad_token_id}


@pytest.mark.parametrize("name", ["solar", "kullm"])
def test_stage_scripts_fine_tune_and_predict_zero_shot(workspace, tmp_path, name):
    """The issue's bar: a SOLAR-template model and a template-less model (polyglot-ko style) fine-tune through
    train_qlora (stage train_qlora@<name>, one params entry each) and predict zero-shot (stage
    predict_zero_shot@<name>, a zero_shot entry) and fine-tuned through predict."""
    base = save_tiny_model(name, tmp_path / "base")
    tuned, untuned = f"{name}_qlora", f"{name}_zero_shot"
    params = workspace.params_with(f"params_{name}", train=LLM_TRAIN,
                                   models={"qlora": {tuned: {"checkpoint": str(base)}}},
                                   zero_shot={untuned: {"checkpoint": str(base)}})
    adapter = tmp_path / "adapter"
    train_qlora.main([workspace.config("qlora.yaml"), str(workspace.processed), str(adapter), str(tmp_path / "live"),
                      "--name", tuned, "--checkpoints", str(tmp_path / "ckpt"), "--params", str(params)])
    saved = json.loads((adapter / "adapter_config.json").read_text())["target_modules"]
    assert {m.rsplit(".", 1)[-1] for m in saved} == LINEAR[FORMATS[name].architecture]
    assert chat_format(AutoTokenizer.from_pretrained(adapter)).end_of_turn == FORMATS[name].end_of_turn
    test = pd.read_csv(workspace.processed / "test.csv", dtype=str, keep_default_na=False)
    for model, model_name, extra in ((adapter, tuned, []),
                                     (base, untuned, ["--zero-shot", workspace.config("qlora.yaml")])):
        out = tmp_path / f"pred_{model.name}"
        predict.main([workspace.config("decode.yaml"), str(model), str(workspace.processed), str(out),
                      "--name", model_name, "--params", str(params), *extra])
        submission = pd.read_csv(out / "submission.csv", dtype=str, keep_default_na=False)
        assert list(submission["fname"]) == list(test["fname"])
        assert not submission["summary"].str.contains("</s>|<\\|endoftext\\|>|### ", regex=True).any()
    assert load_summarizer(adapter).tokenizer.pad_token == _tokenizer(name, base).pad_token
