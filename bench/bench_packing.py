"""Benchmark: causal-LM training batches, padded vs packed, on kosum's (Q)LoRA training path.

Three ways to batch the same examples, same model, same weights (forward + backward of kosum's labelled-positions
loss, no optimizer step so every mode sees identical weights):
- `padded`: right-padded batches with an attention mask (what the seeds did);
- `packed, row mask`: one padding-free row per batch with transformers' stock `sdpa`, which builds a block-diagonal
  mask over the whole row and computes every score in it;
- `packed, per example`: kosum's default (`kosum.models.attention`), attention run per example of the row.
Modes run interleaved, `--rounds` times; the median round counts. Reports the real-token share of the positions
computed and of the attention scores computed, real tokens/s, and each mode's speed relative to `padded`.

Default: the embedded Qwen3 base of the pipeline (`models/bases/qwen`, run `dvc repro base@qwen` first) with the
model, adapters and prompt of stage `train_qlora@qwen_qlora` (stages/train_qlora.py) (params.yaml `models.qlora.qwen_qlora`, `lora`, `prompt` and
configs/qlora.yaml: 4-bit NF4 + LoRA r=16 on the CPU) on the first 256 train examples.
`--shape llama-3.2-3b` builds a random model with Llama-3.2-3B's dimensions instead (no weights can be downloaded)
and feeds synthetic examples of 256-1024 tokens: meant for a GPU (it also reports peak GPU memory).
Writes `bench/results/packing.json` (or `packing_<shape>.json`).
Run: .venv/bin/python bench/bench_packing.py
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch
from common import write_result
from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

from kosum.core.config.loader import load_file
from kosum.core.config.params import Params
from kosum.core.config.recipes import CausalJob, QloraConfig, causal_job
from kosum.data.reading import read_processed
from kosum.models.attention import PACKED_ATTENTION
from kosum.models.chat_format import ready_for_chat
from kosum.models.loading import detect_precision, peft_model_for_training
from kosum.models.prompts import IGNORE_INDEX, training_examples
from kosum.models.training.causal import labelled_loss
from kosum.models.training.packing import TokenCounter, packed_collator, padded_collator

TARGET_SHARE, TARGET_SPEEDUP = 0.97, 1.5
LLAMA_3B = {"hidden_size": 3072, "intermediate_size": 8192, "num_hidden_layers": 28, "num_attention_heads": 24,
            "num_key_value_heads": 8, "head_dim": 128, "vocab_size": 128256, "rope_theta": 500000.0,
            "tie_word_embeddings": True}
MODES = (("padded", "sdpa"), ("packed, row mask", "sdpa"), ("packed, per example", PACKED_ATTENTION))


def _embedded_examples(job: CausalJob, n: int) -> tuple[list[dict[str, list[int]]], int]:
    """The first `n` train rows as chat-format training examples, and the tokenizer's pad id."""
    tokenizer = ready_for_chat(AutoTokenizer.from_pretrained(job.model), job.prompt.plain_format)
    rows = read_processed(Path("data/processed/train.csv")).head(n).to_dict("records")
    return training_examples(tokenizer, rows, job.prompt), tokenizer.pad_token_id


def _synthetic_examples(n: int, vocab: int, seed: int = 0) -> list[dict[str, list[int]]]:
    """Prompts of 256-1024 tokens with the last ~15 % labelled, like a long dialogue and its summary."""
    rng = random.Random(seed)
    examples = []
    for _ in range(n):
        length = rng.randint(256, 1024)
        ids = [rng.randrange(1000, vocab) for _ in range(length)]
        cut = int(length * 0.85)
        examples.append({"input_ids": ids, "labels": [IGNORE_INDEX] * cut + ids[cut:]})
    return examples


def _random_llama_3b(folder: Path, dtype: torch.dtype, layers: int) -> str:
    """Llama-3.2-3B's architecture with random weights, saved so kosum loads it (4-bit) like a hub checkpoint."""
    torch.manual_seed(0)
    config = LlamaConfig(**{**LLAMA_3B, "num_hidden_layers": layers}, pad_token_id=0)
    LlamaForCausalLM(config).to(dtype).save_pretrained(folder)
    return str(folder)


def _attention_share(lengths: list[int], mode: str) -> float:
    """Causal attention scores needed / scores computed for one batch."""
    needed = sum(n * (n + 1) / 2 for n in lengths)
    if mode == "padded":
        computed = len(lengths) * max(lengths) ** 2 / 2
    elif mode == "packed, row mask":
        computed = sum(lengths) ** 2 / 2
    else:
        computed = needed
    return needed / computed


def _round(model: Any, batches: list[list[dict]], mode: str, pad_id: int, device: str) -> tuple[float, TokenCounter]:
    counter = TokenCounter(padded_collator(pad_id) if mode == "padded" else packed_collator())
    if device == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for features in batches:
        batch = {k: v.to(device) for k, v in counter(features).items()}
        loss, _ = labelled_loss(model, batch)
        loss.backward()
        model.zero_grad(set_to_none=True)
    if device == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start, counter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shape", choices=["embedded", "llama-3.2-3b"], default="embedded")
    parser.add_argument("--examples", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--layers", type=int, default=LLAMA_3B["num_hidden_layers"],
                        help="fewer layers for a quick check of the 3B path on a CPU (results not comparable)")
    args = parser.parse_args()

    precision = detect_precision()
    job = causal_job(load_file(Params, "params.yaml"), "qwen_qlora", load_file(QloraConfig, "configs/qlora.yaml"))
    with tempfile.TemporaryDirectory() as tmp:
        if args.shape == "embedded":
            examples, pad_id = _embedded_examples(job, args.examples)
        else:
            job = replace(job, model=_random_llama_3b(Path(tmp), precision.dtype, args.layers))
            examples, pad_id = _synthetic_examples(args.examples, LLAMA_3B["vocab_size"]), 0
        model = peft_model_for_training(job.model, job.recipe, job.lora, precision)
    model.train()
    batches = [examples[i:i + args.batch_size] for i in range(0, len(examples), args.batch_size)]
    real_tokens = sum(len(e["input_ids"]) for e in examples)

    times: dict[str, list[float]] = {mode: [] for mode, _ in MODES}
    shares: dict[str, float] = {}
    peak_gib: dict[str, float] = {}
    _round(model, batches[:1], "padded", pad_id, precision.device)  # warm-up
    for _ in range(args.rounds):
        for mode, attention in MODES:
            model.set_attn_implementation(attention)
            if precision.device == "cuda":
                torch.cuda.reset_peak_memory_stats()
            seconds, counter = _round(model, batches, mode, pad_id, precision.device)
            times[mode].append(seconds)
            shares[mode] = counter.share
            if precision.device == "cuda":
                peak_gib[mode] = round(torch.cuda.max_memory_allocated() / 2**30, 2)

    padded_s = statistics.median(times["padded"])
    rows = {}
    for mode, _ in MODES:
        seconds = statistics.median(times[mode])
        rows[mode] = {
            "real_token_share_positions": round(shares[mode], 4),
            "real_token_share_attention": round(statistics.mean(
                _attention_share([len(e["input_ids"]) for e in b], mode) for b in batches), 4),
            "seconds": round(seconds, 3),
            "real_tokens_per_s": round(real_tokens / seconds),
            "speed_vs_padded": round(padded_s / seconds, 3),
            **({"peak_gpu_gib": peak_gib[mode]} if peak_gib else {}),
        }
    kosum = rows["packed, per example"]
    result = {
        "shape": args.shape,
        "model": job.model if args.shape == "embedded" else
        f"random weights, Llama-3.2-3B dimensions, {args.layers} layers",
        "quantize_4bit": job.recipe.quantize_4bit,
        "lora_r": job.lora.r,
        "device": precision.device,
        "examples": len(examples),
        "batch_size": args.batch_size,
        "real_tokens": real_tokens,
        "rounds": args.rounds,
        "modes": rows,
        "targets": {"real_token_share": TARGET_SHARE, "speedup_vs_padded": TARGET_SPEEDUP},
        "meets_targets": {
            "real_token_share": kosum["real_token_share_positions"] >= TARGET_SHARE,
            "speedup_vs_padded": kosum["speed_vs_padded"] >= TARGET_SPEEDUP,
        },
    }
    print(f"{'mode':<22}{'positions':>10}{'attention':>10}{'tokens/s':>10}{'vs padded':>10}")
    for mode, row in rows.items():
        print(f"{mode:<22}{row['real_token_share_positions']:>10.1%}{row['real_token_share_attention']:>10.1%}"
              f"{row['real_tokens_per_s']:>10,}{row['speed_vs_padded']:>9.2f}x")
    name = "packing" if args.shape == "embedded" else f"packing_{args.shape}"
    if args.shape != "embedded" and args.layers != LLAMA_3B["num_hidden_layers"]:
        name += f"_{args.layers}_layers"  # a quick check, kept apart from the real result
    print(f"wrote {write_result(name, result)}")


if __name__ == "__main__":
    main()
