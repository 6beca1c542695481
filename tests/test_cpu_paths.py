"""Paths that depend on the CPU, each forced here so the suite does not depend on the machine it runs on.

bitsandbytes 0.50.2 takes a different 4-bit path on CPUs with AVX512-BF16 (a packed weight layout built at the first
eval-mode forward); kosum turns it off at load (`models.keep_standard_4bit_layout`). These tests claim the CPU
feature before the model is built, so they check that decision on any machine, with or without the feature.
"""

import logging

import pytest
import torch
from bitsandbytes.nn import Linear4bit
from bitsandbytes.nn import modules as bnb_modules
from transformers import AutoTokenizer

from kosum.core.config.params import LoraParams
from kosum.core.config.recipes import PromptConfig, QloraConfig
from kosum.models.loading import peft_model_for_training, precision_for
from kosum.models.prompts import training_examples
from kosum.models.training.packing import padded_collator

CPU = precision_for("cpu", bf16_supported=False)
ROWS = [{"dialogue": "#Person1#: 내일 회의에 늦을 것 같아요.\n#Person2#: 알겠어요.", "summary": "#Person1#은 늦는다.",
         "topic": "회의"}]


@pytest.fixture
def cpu_claims_avx512bf16(monkeypatch):
    """bitsandbytes' capability check answers True, as on a recent Xeon or EPYC."""
    monkeypatch.setattr(bnb_modules, "has_avx512bf16", lambda: True)
    assert Linear4bit(64, 64).support_avx512bf16_for_cpu, "the claim must reach the layers bitsandbytes builds"


def _four_bit_state(model) -> dict[str, tuple]:
    """Every 4-bit layer's stored bytes and quantization statistics, copied."""
    state = {}
    for name, layer in model.named_modules():
        if isinstance(layer, Linear4bit):
            quant = layer.weight.quant_state
            state[name] = (layer.weight.data.clone(), quant.absmax.clone(), quant.absmax.dtype, quant.nested,
                           getattr(quant, "packing_format_for_cpu", False))
    return state


def _train_eval_train(tiny_base, evaluate: bool) -> tuple[float, dict, dict]:
    """One training step, optionally an evaluation forward and a short `generate`, then the next step's loss;
    returns that loss and the 4-bit state before and after."""
    torch.manual_seed(0)
    model = peft_model_for_training(str(tiny_base), QloraConfig(), LoraParams(r=4, alpha=8), CPU)
    tokenizer = AutoTokenizer.from_pretrained(tiny_base)
    examples = training_examples(tokenizer, ROWS, PromptConfig(max_prompt_len=256))
    batch = padded_collator(tokenizer.pad_token_id)(examples)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    before = _four_bit_state(model)
    model(**batch).loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    if evaluate:
        model.eval()
        with torch.no_grad():
            model(**batch)
            model.generate(input_ids=batch["input_ids"][:, :8], max_new_tokens=3, do_sample=False,
                           pad_token_id=tokenizer.pad_token_id)
        model.train()
    with torch.no_grad():
        loss = model(**batch).loss.item()
    return loss, before, _four_bit_state(model)


def test_4bit_layers_keep_the_standard_layout_when_the_cpu_has_avx512bf16(tiny_base, cpu_claims_avx512bf16):
    model = peft_model_for_training(str(tiny_base), QloraConfig(), LoraParams(r=4, alpha=8), CPU)
    layers = [m for m in model.modules() if isinstance(m, Linear4bit)]
    assert len(layers) == 14 and not any(m.support_avx512bf16_for_cpu for m in layers)


def test_evaluation_between_training_steps_changes_nothing(tiny_base, cpu_claims_avx512bf16):
    plain_loss, plain_before, _ = _train_eval_train(tiny_base, evaluate=False)
    loss, before, after = _train_eval_train(tiny_base, evaluate=True)
    assert loss == plain_loss
    assert before.keys() == after.keys() and len(after) == 14
    for name, (data, absmax, dtype, nested, packed) in after.items():
        assert torch.equal(data, before[name][0]) and torch.equal(absmax, before[name][1]), name
        assert (dtype, nested, packed) == (torch.uint8, True, False), name  # double quantization kept
    for name, stored in plain_before.items():
        assert torch.equal(stored[0], before[name][0]), name


def test_only_the_kernel_lookup_warning_is_silenced(caplog):
    logger = logging.getLogger("bitsandbytes.backends.cpu.ops")
    with caplog.at_level(logging.WARNING):
        logger.warning("Failed to load CPU gemm_4bit_forward from kernels-community: No module named 'kernels'.")
        logger.warning("another bitsandbytes warning")
    assert [r.getMessage() for r in caplog.records] == ["another bitsandbytes warning"]
