"""The causal-LM slice: packing, (Q)LoRA, left-padded generation and the base/QLoRA/predict stages."""

import json

import pandas as pd
import pytest
import torch
import yaml
from peft import PeftModel
from torch.nn import functional
from transformers import AutoModelForCausalLM, AutoTokenizer

from kosum.core.config.decode import DecodeConfig
from kosum.core.config.params import LoraParams, TrainParams
from kosum.core.config.recipes import TEMPLATE_DATE, PromptConfig, QloraConfig, RunConfig
from kosum.data.reading import read_processed
from kosum.models import attention
from kosum.models.attention import (
    PACKED_ATTENTION,
    example_starts,
    per_example_row,
    varlen_kernel_applies,
    varlen_row,
)
from kosum.models.generation import Summarizer, load_summarizer
from kosum.models.loading import bnb_config, load_causal, lora_config, peft_model_for_training, precision_for
from kosum.models.prompts import IGNORE_INDEX, training_examples
from kosum.models.training.causal import CausalTrainer, labelled_loss
from kosum.models.training.packing import TokenCounter, packed_collator, padded_collator
from kosum.models.training.trainer import training_arguments
from stages import predict, pretrain_base, train_qlora
from tests.conftest import FAMILIES, LLM_TRAIN, causal_card

CPU = precision_for("cpu", bf16_supported=False)
LLAMA_LINEAR = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}  # Llama's and Qwen3's


def test_translators_configure_qlora_as_documented():
    bnb = bnb_config(quantize_4bit=True, precision=precision_for("cuda", bf16_supported=True))
    assert bnb.load_in_4bit and bnb.bnb_4bit_quant_type == "nf4" and bnb.bnb_4bit_use_double_quant
    assert bnb.bnb_4bit_compute_dtype == torch.bfloat16
    assert bnb_config(quantize_4bit=False, precision=CPU) is None
    lora = lora_config(LoraParams(), QloraConfig().target_modules)
    assert lora.target_modules == "all-linear"  # PEFT resolves it per architecture, output head excluded
    assert lora_config(LoraParams(), ("q_proj", "v_proj")).target_modules == {"q_proj", "v_proj"}
    assert lora.r == 16 and lora.lora_alpha == 32 and lora.task_type == "CAUSAL_LM"


@pytest.mark.cpu_kernels
@pytest.mark.parametrize("attention", ["sdpa", PACKED_ATTENTION])
def test_packed_pair_attends_only_within_each_example(tiny_base, tmp_path, attention):
    model = AutoModelForCausalLM.from_pretrained(tiny_base, attn_implementation=attention).eval()
    a, b = [5, 9, 14, 30, 41, 7], [12, 8, 22, 3]
    batch = packed_collator()([{"input_ids": a, "labels": a}, {"input_ids": b, "labels": b}])
    assert batch["position_ids"].tolist() == [[0, 1, 2, 3, 4, 5, 0, 1, 2, 3]]
    # transformers derives the block-diagonal mask from position ids only without a KV cache; the Trainer turns
    # the cache off from `use_cache`, which kosum's arguments must keep False.
    assert training_arguments(TrainParams(), RunConfig(), tmp_path, CPU).use_cache is False
    with torch.no_grad():
        packed = model(input_ids=batch["input_ids"], position_ids=batch["position_ids"], use_cache=False).logits[0]
        alone_a = model(input_ids=torch.tensor([a])).logits[0]
        alone_b = model(input_ids=torch.tensor([b])).logits[0]
    torch.testing.assert_close(packed[: len(a)], alone_a, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(packed[len(a):], alone_b, atol=1e-5, rtol=1e-4)


@pytest.mark.cpu_kernels
def test_packed_attention_gives_sdpa_gradients_without_a_row_wide_mask(tiny_base, monkeypatch):
    lengths = (7, 3, 12, 1, 5)
    features = [{"input_ids": [(i * 7 + j) % 90 + 4 for j in range(n)]} for i, n in enumerate(lengths)]
    batch = packed_collator()([{**f, "labels": f["input_ids"]} for f in features])
    assert example_starts(batch["position_ids"][0]) == [0, 7, 10, 22, 23]
    grads = {}
    for implementation in ("sdpa", PACKED_ATTENTION):
        torch.manual_seed(0)
        model = AutoModelForCausalLM.from_pretrained(tiny_base, attn_implementation=implementation).train()
        model(**batch, use_cache=False).loss.backward()
        grads[implementation] = {n: p.grad for n, p in model.named_parameters()}
    for name, grad in grads["sdpa"].items():
        torch.testing.assert_close(grads[PACKED_ATTENTION][name], grad, atol=1e-5, rtol=1e-4)
    seen = []
    real_sdpa = functional.scaled_dot_product_attention
    monkeypatch.setattr(functional, "scaled_dot_product_attention",
                        lambda q, k, v, **kw: seen.append((q.shape[2], kw.get("attn_mask"))) or real_sdpa(q, k, v, **kw))
    with torch.no_grad():
        model(**batch, use_cache=False)
    assert [n for n, _ in seen] == list(lengths) * 2 and all(mask is None for _, mask in seen)


def test_the_varlen_kernel_is_chosen_only_on_cuda_in_half_precision():
    row = torch.zeros(1, 2, 5, 8)
    assert not varlen_kernel_applies(row, 0.0) and not varlen_kernel_applies(row.bfloat16(), 0.0)
    meta = torch.zeros(1, 2, 5, 8, dtype=torch.bfloat16, device="meta")
    assert not varlen_kernel_applies(meta, 0.0)  # only a CUDA tensor takes it


@pytest.mark.skipif(not torch.cuda.is_available(), reason="the varlen flash kernel needs CUDA")
@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_varlen_kernel_equals_per_example_attention(dtype):
    torch.manual_seed(0)
    query = torch.randn(1, 4, 23, 64, device="cuda", dtype=dtype)
    key, value = (torch.randn(1, 2, 23, 64, device="cuda", dtype=dtype) for _ in range(2))  # grouped-query
    bounds = [0, 7, 10, 22, 23]
    assert varlen_kernel_applies(query, 0.0)
    torch.testing.assert_close(varlen_row(query, key, value, bounds, None),
                               per_example_row(query, key, value, bounds, None), atol=2e-2, rtol=2e-2)


@pytest.mark.parametrize("keywords, causal, repeated", [
    (("is_causal",), {"is_causal": True}, True),  # torch 2.10
    (("window_size",), {"window_size": (-1, 0)}, True),  # torch 2.11 (the lent H200's CUDA build)
    (("window_size", "enable_gqa"), {"window_size": (-1, 0), "enable_gqa": True}, False),  # torch 2.13
])
def test_varlen_call_adapts_to_the_installed_torch(monkeypatch, keywords, causal, repeated):
    calls = []
    monkeypatch.setattr(attention, "_VARLEN_KEYWORDS", dict.fromkeys(keywords))
    monkeypatch.setattr(attention, "varlen_attn", lambda q, k, v, *args, scale, **kw: calls.append((k.shape, kw)) or q)
    query, key = torch.zeros(1, 4, 5, 8), torch.zeros(1, 2, 5, 8)
    varlen_row(query, key, key, [0, 2, 5], None)
    assert calls == [((5, 4 if repeated else 2, 8), causal)]


def test_a_cpu_precision_loads_4bit_on_the_cpu_even_where_a_gpu_is_visible(monkeypatch, tiny_base):
    placed = []
    real = AutoModelForCausalLM.from_pretrained
    monkeypatch.setattr(AutoModelForCausalLM, "from_pretrained",
                        lambda *a, **kw: placed.append(kw["device_map"]) or real(*a, **kw))
    load_causal(str(tiny_base), quantize_4bit=True, precision=CPU, trust_remote_code=False)
    assert placed == [{"": "cpu"}]  # no device map sends a 4-bit load to a visible GPU (seen on the lent H200)


def test_token_counter_measures_padding_waste():
    features = [{"input_ids": [1] * n, "labels": [1] * n} for n in (10, 2, 4)]
    padded, packed = TokenCounter(padded_collator(0)), TokenCounter(packed_collator())
    padded(features), packed(features)
    assert padded.share == pytest.approx(16 / 30) and packed.share == 1.0


@pytest.mark.parametrize("quantize", [True, False])
def test_only_lora_weights_train(tiny_base, quantize):
    model = peft_model_for_training(str(tiny_base), QloraConfig(quantize_4bit=quantize), LoraParams(r=4, alpha=8), CPU)
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable and all("lora_" in n for n in trainable)
    assert {n.split(".")[-4] for n in trainable if "lora_A" in n} == LLAMA_LINEAR
    if quantize:
        assert type(model.base_model.model.model.layers[0].mlp.down_proj.base_layer).__name__ == "Linear4bit"
    frozen = {n: p.detach().clone() for n, p in model.named_parameters() if not p.requires_grad}
    tokenizer = AutoTokenizer.from_pretrained(tiny_base)
    rows = [{"dialogue": "#Person1#: 내일 회의에 늦을 것 같아요.", "summary": "#Person1#은 늦는다.", "topic": "회의"}]
    example = training_examples(tokenizer, rows, PromptConfig(max_prompt_len=512))[0]
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    batch = padded_collator(tokenizer.pad_token_id)([example])
    losses = []
    for _ in range(5):
        loss = model(**batch).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
    for name, param in model.named_parameters():
        if name in frozen:
            assert torch.equal(param, frozen[name]), name
    assert any(p.abs().sum() > 0 for n, p in model.named_parameters() if "lora_B" in n)


@pytest.mark.cpu_kernels
def test_batched_left_padded_greedy_equals_one_at_a_time(tiny_base):
    tokenizer = AutoTokenizer.from_pretrained(tiny_base)
    model = AutoModelForCausalLM.from_pretrained(tiny_base)
    card = causal_card(PromptConfig(style="simple", max_prompt_len=256))
    summarizer = Summarizer(model, tokenizer, card)
    dialogues = ["#Person1#: 안녕하세요.", "#Person1#: 내일 회의에 늦을 것 같아요.\n#Person2#: 알겠어요, 점심은요?",
                 "#Person2#: 도서관에서 책을 빌렸습니다."]
    cfg = DecodeConfig(num_beams=1, max_new_tokens=8, no_repeat_ngram_size=0)
    batched = summarizer.summarize(dialogues, [None] * 3, cfg)
    single = [summarizer.summarize([d], [None], cfg)[0] for d in dialogues]
    assert batched == single


def test_generate_gets_no_token_type_ids(tiny_base, monkeypatch):
    tokenizer = AutoTokenizer.from_pretrained(tiny_base)
    model = AutoModelForCausalLM.from_pretrained(tiny_base)
    seen = {}
    real = model.generate
    monkeypatch.setattr(model, "generate", lambda **kw: seen.update(kw) or real(**kw))
    card = causal_card(PromptConfig(style="simple", max_prompt_len=256))
    Summarizer(model, tokenizer, card).summarize(["#Person1#: 네."], [None], DecodeConfig(num_beams=1, max_new_tokens=2))
    assert "token_type_ids" not in seen and seen["eos_token_id"] == [tokenizer.convert_tokens_to_ids(tokenizer.eos_token)]
    assert seen["input_ids"][0, 0] != tokenizer.pad_token_id or len(seen["input_ids"]) == 1


@pytest.fixture(scope="module")
def llm_stages(workspace):
    """base + QLoRA stages of both families on the tiny profile, through their `main`s; the LLM schedule is each
    entry's own (params.yaml `models.qlora.<name>`), on top of the KoBART tests' shared `train`."""
    out = {}
    for family in FAMILIES:
        base = workspace.root / f"models/bases/{family}"
        pretrain_base.main([workspace.config("embedded.yaml"), str(workspace.processed), str(workspace.tokenizer),
                            str(base), str(workspace.root / f"dvclive/base_{family}"), "--base", family,
                            "--checkpoints", str(workspace.root / "checkpoints" / family)])
        params = workspace.params_with(f"params_{family}",
                                       models={"qlora": {f"{family}_qlora": {"checkpoint": str(base), **LLM_TRAIN}}})
        adapter = workspace.root / f"models/{family}_qlora"
        train_qlora.main([workspace.config("qlora.yaml"), str(workspace.processed), str(adapter),
                          str(workspace.root / f"dvclive/train_{family}_qlora"), "--name", f"{family}_qlora",
                          "--checkpoints", str(workspace.root / "checkpoints"), "--params", str(params)])
        out[family] = (base, adapter, params)
    return out


@pytest.mark.parametrize("family", FAMILIES)
def test_qlora_stage_saves_an_adapter_with_its_card(workspace, llm_stages, family):
    base, adapter, _ = llm_stages[family]
    card = json.loads((adapter / "kosum.json").read_text())
    assert card["kind"] == "causal" and card["base"] == str(base) and card["quantize_4bit"] is True
    assert card["prompt"]["template_date"] == TEMPLATE_DATE  # what a dated template saw: predict sees the same
    assert (adapter / "adapter_model.safetensors").exists() and not (adapter / "model.safetensors").exists()
    modules = json.loads((adapter / "adapter_config.json").read_text())["target_modules"]
    assert modules == sorted(modules)  # stable bytes: PEFT alone writes them in set order
    assert {m.rsplit(".", 1)[-1] for m in modules} == LLAMA_LINEAR  # "all-linear": the seven projections
    metrics = json.loads((workspace.root / f"dvclive/train_{family}_qlora/metrics.json").read_text())
    assert metrics["real_token_share"] == 1.0 and "best_eval_final" in metrics
    # the entry's own schedule, not the shared one (120 steps at 5e-3): qlora.yaml's lr_scale x its own lr
    logged = yaml.safe_load((workspace.root / f"dvclive/train_{family}_qlora/params.yaml").read_text())
    assert logged["max_steps"] == LLM_TRAIN["max_steps"] and logged["eval_steps"] == LLM_TRAIN["eval_steps"]
    assert float(logged["learning_rate"]) == pytest.approx(2 * LLM_TRAIN["lr"])
    assert isinstance(load_summarizer(adapter).model, PeftModel)


@pytest.mark.parametrize("family", FAMILIES)
def test_predict_fine_tuned_and_zero_shot(workspace, llm_stages, family, tmp_path):
    base, adapter, params = llm_stages[family]
    test = read_processed(workspace.processed / "test.csv")
    for model, name, extra in ((adapter, f"{family}_qlora", []),
                               (base, f"{family}_zero_shot", ["--zero-shot", workspace.config("qlora.yaml")])):
        out = tmp_path / name
        predict.main([workspace.config("decode.yaml"), str(model), str(workspace.processed), str(out),
                      "--name", name, "--params", str(params), *extra])
        submission = pd.read_csv(out / "submission.csv", dtype=str, keep_default_na=False)
        assert list(submission["fname"]) == list(test["fname"])
        assert not submission["summary"].str.contains("<\\|", regex=True).any()


@pytest.mark.cpu_kernels
def test_loss_on_labelled_positions_equals_the_full_model_loss(tiny_base, tmp_path):
    """The trainer projects only labelled positions onto the vocabulary; the loss must not change."""
    tokenizer = AutoTokenizer.from_pretrained(tiny_base)
    model = AutoModelForCausalLM.from_pretrained(tiny_base)
    rows = [{"dialogue": "#Person1#: 내일 회의에 늦을 것 같아요.", "summary": "#Person1#은 늦는다.", "topic": "회의"},
            {"dialogue": "#Person2#: 도서관에서 책을 빌렸습니다.", "summary": "책을 빌렸다.", "topic": None}]
    examples = training_examples(tokenizer, rows, PromptConfig(max_prompt_len=512))
    counter = TokenCounter(packed_collator())
    trainer = CausalTrainer(model=model, args=training_arguments(TrainParams(), RunConfig(), tmp_path, CPU), data_collator=counter,
                            eval_dataset=examples,
                            eval_collator=counter, eval_rows=None, card=None, counter=counter)
    for batch in (packed_collator()(examples), padded_collator(tokenizer.pad_token_id)(examples)):
        with torch.no_grad():
            expected = model(**batch).loss
            assert torch.allclose(trainer.compute_loss(model, batch), expected, atol=1e-5)


@pytest.mark.cpu_kernels
def test_label_smoothing_leaves_the_unlabelled_positions_out(tiny_base):
    """With label smoothing the loss still counts labelled positions only (the prompt and padding add nothing), as the
    full-vocabulary loss over every position with the ignore index does; seq2seq's recipe smooths by 0.1."""
    tokenizer = AutoTokenizer.from_pretrained(tiny_base)
    model = AutoModelForCausalLM.from_pretrained(tiny_base)
    rows = [{"dialogue": "#Person1#: 내일 회의에 늦을 것 같아요.", "summary": "#Person1#은 늦는다.", "topic": "회의"},
            {"dialogue": "#Person2#: 도서관에서 책을 빌렸습니다.", "summary": "책을 빌렸다.", "topic": None}]
    batch = padded_collator(tokenizer.pad_token_id)(training_examples(tokenizer, rows, PromptConfig(max_prompt_len=512)))
    with torch.no_grad():
        loss, logits = labelled_loss(model, batch, label_smoothing=0.1, with_logits=True)
        training_loss, no_logits = labelled_loss(model, batch, label_smoothing=0.1)  # as a training step calls it
        full = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits[:, :-1]
        targets = batch["labels"][:, 1:]
        expected = functional.cross_entropy(full.flatten(0, 1), targets.flatten(), ignore_index=IGNORE_INDEX,
                                            label_smoothing=0.1)
    labelled = int((targets != IGNORE_INDEX).sum())
    assert 0 < labelled < targets.numel() / 2 and logits.shape == (labelled, full.shape[-1])
    torch.testing.assert_close(loss, expected, atol=1e-5, rtol=1e-5)
    assert no_logits is None and torch.equal(training_loss, loss)
