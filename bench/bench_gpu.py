"""Benchmark on one GPU: kosum's 3B QLoRA training beside TRL's, SOLAR-10.7B-shaped memory, prediction throughput.

Measured side by side in one run (issue 41), each measurement in a process of its own, so its peak memory is its own:
1. training: a Llama-3.2-3B-shaped model, 4-bit NF4 + double quantization, LoRA on every linear layer (stage
   `train_qlora@llama_qlora`'s setup: params.yaml `lora`, `prompt`, `train` and configs/qlora.yaml, packing on), gradient
   checkpointing on and off: kosum's causal trainer (per-example packed attention) and TRL's SFTTrainer (padding-free,
   completion-only loss, transformers' sdpa) on the same token ids, labels, adapters, batches and steps, as
   bench/bench_trl.py drives them. Beside torchtune's published Llama-3.2-3B QLoRA figure (A100).
2. memory: a SOLAR-10.7B-shaped model (its real config), 4-bit, kosum's trainer with checkpointing, batch 1/2/4:
   peak memory and tokens/s, and whether it fits a 24 GiB card.
3. prediction: the competition's 499 test dialogues through kosum's predict path (`load_summarizer` on a saved LoRA
   adapter of the 3B-shaped base, length-sorted left-padded batches, configs/decode.yaml `llama_qlora`), beams 4 and
   greedy: dialogues/s and peak memory.

Design choices:
- Random bf16 weights built from the real configs (no hub is reachable from the GPU box), on the GPU where there is
  one (a 10.7B model initialises in seconds there), saved and then loaded by kosum's `load_causal` as a hub
  checkpoint would be.
- Real tokenizers (tests/assets: Llama-3.2's 128,256 tokens; SOLAR's template on the 32,000-token Llama-2
  vocabulary, tests/assets' stand-in of SOLAR's own) and the embedded corpus, whose
  dialogues have the competition's lengths (~420 characters, summaries ~90): Llama-3.2 prompts of ~300 tokens and
  summaries of ~52, SOLAR's ~600 and ~90. The vocabulary is the tokenizer's, so `--tiny` shrinks width and depth only.
- tokens/s: real tokens of the steps after `--warmup-steps` (kernel choice, allocator growth) over their time.
  TF32 is on for fp32 matmuls on CUDA (process-wide, so for both trainers).
- Random weights hardly ever pick a stop token, so summaries run to `max_new_tokens`: the slowest case.
- A child that fails (out of memory, say) is recorded with its error and the others still run.
Writes `bench/results/gpu.json` (`--parts` a subset: `gpu_<parts>.json`, to split a run over commands; reduced sizes:
`gpu_smoke.json`); a CPU run's figures are no performance claims.
Run: .venv/bin/python bench/bench_gpu.py          (CPU smoke check: --tiny)
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from common import cpu_features, write_result

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests/real_tokenizers.py loads the vendored tokenizers
# The parent process only starts the measurements and reads their results: the model stack (bitsandbytes, peft, trl)
# is imported inside the functions each child runs, so the parent never pays for it.

TORCHTUNE = {"model": "Llama-3.2-3B", "method": "QLoRA", "card": "A100", "tokens_per_s": 8035, "peak_memory_gib": 4.6}
TARGETS = {"tokens_per_s_min": TORCHTUNE["tokens_per_s"], "peak_memory_gib_max": 6.0, "card_gib": 24.0}
CUDA_CONTEXT_GIB = 1.0  # what a card loses to the CUDA context and kernels, beyond what PyTorch reserves
SOLAR_10_7B = {"hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 48, "num_attention_heads": 32,
               "num_key_value_heads": 8, "head_dim": 128, "vocab_size": 32000, "rope_theta": 10000.0,
               "rms_norm_eps": 1e-5, "max_position_embeddings": 4096, "tie_word_embeddings": False}
TINY_WIDTH = {"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4,
              "num_key_value_heads": 2, "head_dim": 16}
TOKENIZERS = {"llama-3.2-3b": "llama32_instruct", "solar-10.7b": "solar_instruct"}  # tests/real_tokenizers.py
PARTS = ("training", "solar", "prediction")
JOB = "llama_qlora"  # params.yaml `models` entry whose fine-tune is measured (its base is replaced by the random one)
# Presets: what --tiny changes besides the width. None: the pipeline's own value (params.yaml, configs/*.yaml).
PRESETS = {
    "real": {"steps": 15, "warmup_steps": 5, "batch_size": None, "dialogues": 499, "solar_batch_sizes": [1, 2, 4],
             "max_prompt_len": None, "max_summary_len": None, "max_new_tokens": None},
    "tiny": {"steps": 2, "warmup_steps": 1, "batch_size": 2, "dialogues": 4, "solar_batch_sizes": [1, 2, 4],
             "max_prompt_len": 160, "max_summary_len": 16, "max_new_tokens": 8},
}


# ---- the child processes: one measurement each ----

def _device() -> dict[str, Any]:
    """The card (or CPU) and the torch and CUDA versions the figures belong to."""
    import torch

    if not torch.cuda.is_available():
        return {"name": cpu_features()["cpu_model"], "torch": torch.__version__, "cuda": None}
    props = torch.cuda.get_device_properties(0)
    return {"name": props.name, "torch": torch.__version__, "cuda": torch.version.cuda,
            "capability": f"{props.major}.{props.minor}", "memory_gib": round(props.total_memory / 2**30, 1)}


def _real_shape(name: str) -> dict[str, Any]:
    from bench_packing import LLAMA_3B

    return LLAMA_3B if name == "llama-3.2-3b" else SOLAR_10_7B


def _shape(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    """The model config's sizes: the real ones, or the tiny width; `--layers` / `--solar-layers` on top."""
    shape = {**_real_shape(name), **(TINY_WIDTH if spec["tiny"] else {})}
    layers = spec["layers"] if name == "llama-3.2-3b" else spec["solar_layers"]
    return {**shape, "num_hidden_layers": layers or shape["num_hidden_layers"]}


def _job(spec: dict[str, Any], base: str, batch_size: int | None = None, gradient_checkpointing: bool = False) -> Any:
    """Stage `train_qlora@llama_qlora`'s job on `base`: 4-bit, packed, one batch per step, the preset's token budgets."""
    from kosum.core.config.loader import load_file
    from kosum.core.config.params import Params
    from kosum.core.config.recipes import QloraConfig, causal_job

    job = causal_job(load_file(Params, "params.yaml"), JOB, load_file(QloraConfig, "configs/qlora.yaml"))
    budgets = {key: spec[key] for key in ("max_prompt_len", "max_summary_len") if spec[key] is not None}
    return replace(job, model=base,
                   recipe=replace(job.recipe, quantize_4bit=True, packing=True,
                                  gradient_checkpointing=gradient_checkpointing),
                   train=replace(job.train, batch_size=batch_size or job.train.batch_size, grad_accum=1),
                   prompt=replace(job.prompt, **budgets))


def _rows(split: str, n: int, seed: int) -> list[dict[str, str]]:
    """`n` dialogues of the embedded corpus (competition lengths), clean, with their summary and topic."""
    from kosum.data.corpus import generate_split

    return [{"dialogue": e.dialogue, "summary": e.summary, "topic": e.topic} for e in generate_split(split, n, seed)]


def _chat_tokenizer(model: str, plain_format: str) -> Any:
    """The model folder's tokenizer, made ready as `train_causal` makes it (template, spare pad, left padding)."""
    from transformers import AutoTokenizer

    from kosum.models.chat_format import generation_stops, ready_for_chat
    from kosum.models.loading import generation_config_of

    stops = generation_stops(generation_config_of(model, trust_remote_code=False))
    return ready_for_chat(AutoTokenizer.from_pretrained(model), plain_format, stops)


def _random_base(folder: Path, name: str, shape: dict[str, Any], device: str) -> Any:
    """A Llama-architecture model of `shape` with random bf16 weights, saved with its real tokenizer and stops like a
    hub checkpoint; returned too (on `device`), for the adapter."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from tests.real_tokenizers import generation_eos_ids, real_tokenizer

    tokenizer = real_tokenizer(TOKENIZERS[name])
    if len(tokenizer) > shape["vocab_size"]:
        raise ValueError(f"{name}: the tokenizer has {len(tokenizer)} tokens, more than vocab_size "
                         f"{shape['vocab_size']}.")
    config = LlamaConfig(**shape, bos_token_id=tokenizer.bos_token_id,
                         eos_token_id=generation_eos_ids(TOKENIZERS[name], tokenizer))
    torch.manual_seed(0)
    try:
        with torch.device(device):
            model = LlamaForCausalLM._from_config(config, dtype=torch.bfloat16)
    except torch.OutOfMemoryError:  # a card smaller than the bf16 model (SOLAR's is 21 GB): build it on the CPU
        torch.cuda.empty_cache()
        model = LlamaForCausalLM._from_config(config, dtype=torch.bfloat16)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return model


def _save_adapter(model: Any, base: Path, out: Path, spec: dict[str, Any]) -> None:
    """A fresh LoRA adapter on `base` saved as `train_causal` saves a trained one (adapter, tokenizer, model card),
    so prediction loads it through `load_summarizer`. Its B matrices are zero, as before training: the same
    computation as a trained adapter."""
    from peft import get_peft_model

    from kosum.core.config.card import CausalCard, write_model_card
    from kosum.models.loading import lora_config, stabilize_adapter_config

    job = _job(spec, str(base))
    get_peft_model(model, lora_config(job.lora, job.recipe.target_modules)).save_pretrained(out)
    stabilize_adapter_config(out)
    _chat_tokenizer(str(base), job.prompt.plain_format).save_pretrained(out)
    write_model_card(out, CausalCard(kind="causal", base=str(base), quantize_4bit=job.recipe.quantize_4bit,
                                     trust_remote_code=job.recipe.trust_remote_code, prompt=job.prompt))


def build(spec: dict[str, Any]) -> dict[str, Any]:
    """The random bases (and the adapter prediction loads) under the work folder."""
    import torch

    cuda = torch.cuda.is_available()
    if not cuda and not spec["tiny"]:
        raise SystemExit("bench_gpu.py: no CUDA device; the real sizes need a GPU (add --tiny for a CPU smoke check).")
    work, shapes = Path(spec["work"]), {}
    for name in spec["shapes"]:
        shapes[name] = _shape(name, spec)
        model = _random_base(work / name, name, shapes[name], "cuda" if cuda else "cpu")
        if name == "llama-3.2-3b" and spec["adapter"]:
            _save_adapter(model, work / name, work / "adapter", spec)
        del model
        if cuda:
            torch.cuda.empty_cache()
    return {"device": _device(), "shapes": shapes, "real_shapes": all(s == _real_shape(n) for n, s in shapes.items())}


def _tf32() -> bool:
    """TF32 for fp32 matmuls on CUDA (Ampere and newer); whether it is on."""
    import torch

    if torch.cuda.is_available():
        torch.set_float32_matmul_precision("high")
    return torch.cuda.is_available() and torch.get_float32_matmul_precision() != "highest"


def _start_measuring() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()


def _peak() -> dict[str, Any]:
    """Peak memory of this process: allocated and reserved by PyTorch on CUDA; max RSS on a CPU."""
    import torch

    if torch.cuda.is_available():
        return {"peak_memory_gib": torch.cuda.max_memory_allocated() / 2**30, "peak_memory_kind": "cuda allocated",
                "peak_reserved_gib": torch.cuda.max_memory_reserved() / 2**30}
    return {"peak_memory_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 2**30,
            "peak_memory_kind": "max RSS", "peak_reserved_gib": None}


class StepTokens:
    """Wraps a trainer's collator and records each batch's real tokens in step order (one batch per step), so the
    warm-up steps can be left out of tokens/s."""

    def __init__(self, collate: Any):
        self.collate, self.per_batch = collate, []

    def __call__(self, features: list[dict[str, Any]]) -> Any:
        self.per_batch.append(sum(len(f["input_ids"]) for f in features))
        return self.collate(features)


def _step_clock(marks: dict[int, float], at: tuple[int, int]) -> Any:
    """A Trainer callback that notes the time (after the GPU finishes) when the steps in `at` end."""
    import torch
    from transformers import TrainerCallback

    class StepClock(TrainerCallback):
        def on_train_begin(self, args, state, control, **kwargs):
            self.on_step_end(args, state, control)

        def on_step_end(self, args, state, control, **kwargs):
            if state.global_step in at:
                if torch.cuda.is_available():
                    torch.cuda.synchronize()
                marks[state.global_step] = time.perf_counter()

    return StepClock()


def train(spec: dict[str, Any]) -> dict[str, Any]:
    """One training run: real tokens/s over the steps after the warm-up, and peak memory."""
    from bench_trl import _arguments, _trainer
    from transformers import set_seed

    from kosum.models.prompts import IGNORE_INDEX, training_examples

    tf32 = _tf32()
    job = _job(spec, str(Path(spec["work"]) / spec["shape"]), spec["batch_size"], spec["gradient_checkpointing"])
    set_seed(job.train.seed)
    tokenizer = _chat_tokenizer(job.model, job.prompt.plain_format)
    steps, warmup = spec["steps"], spec["warmup_steps"]
    examples = training_examples(tokenizer, _rows("train", steps * job.train.batch_size, job.train.seed), job.prompt)
    marks: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as out:
        args = _arguments(job, steps, Path(out))
        trainer = _trainer(spec["trainer"], job, examples, tokenizer, args)
        trainer.data_collator = batches = StepTokens(trainer.data_collator)
        trainer.add_callback(_step_clock(marks, (warmup, steps)))
        _start_measuring()
        trainer.train()
    seconds = marks[steps] - marks[warmup]
    real_tokens = sum(batches.per_batch[warmup:steps])
    labelled = [sum(x != IGNORE_INDEX for x in e["labels"]) for e in examples]
    return {"shape": spec["shape"], "trainer": spec["trainer"],
            "gradient_checkpointing": job.recipe.gradient_checkpointing,
            "batch_size": job.train.batch_size, "measured_steps": steps - warmup, "seconds": seconds,
            "real_tokens": real_tokens, "real_tokens_per_s": real_tokens / seconds, **_peak(),
            "train_loss": trainer.state.log_history[-1].get("train_loss"),
            "attention": trainer.model.config._attn_implementation, "tf32": tf32,
            "prompt_tokens_mean": sum(len(e["input_ids"]) - n for e, n in zip(examples, labelled)) / len(examples),
            "summary_tokens_mean": sum(labelled) / len(labelled),
            "lora": {"r": job.lora.r, "alpha": job.lora.alpha, "target_modules": job.recipe.target_modules}}


def predict(spec: dict[str, Any]) -> dict[str, Any]:
    """The test dialogues through `load_summarizer` + `Summarizer.summarize` (what stage `predict` runs)."""
    import torch

    from kosum.core.config.decode import load_decode
    from kosum.models.generation import load_summarizer

    tf32 = _tf32()
    summarizer = load_summarizer(Path(spec["work"]) / "adapter")
    decode = load_decode("configs/decode.yaml", JOB)
    cfg = replace(decode, num_beams=spec["num_beams"], n_best=1, samples=0, tta=(), prompt_variants=(),
                  max_new_tokens=spec["max_new_tokens"] or decode.max_new_tokens)
    rows = _rows("test", spec["dialogues"], decode.seed)
    dialogues, topics = [r["dialogue"] for r in rows], [r["topic"] for r in rows]
    summarizer.summarize(dialogues[:2], topics[:2], cfg)  # warm-up: kernel choice, allocator growth
    _start_measuring()
    start = time.perf_counter()
    summaries = summarizer.summarize(dialogues, topics, cfg)
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    return {"num_beams": cfg.num_beams, "dialogues": len(summaries), "batch_size": cfg.batch_size,
            "max_new_tokens": cfg.max_new_tokens, "seconds": seconds, "dialogues_per_s": len(summaries) / seconds,
            **_peak(), "tf32": tf32}


CHILDREN = {"build": build, "train": train, "predict": predict}


# ---- the parent: starts the measurements, gathers them, writes the result ----

def _measure(label: str, spec: dict[str, Any], done: list[dict[str, Any]], total: int) -> dict[str, Any]:
    """Run one measurement in a fresh process; its result (and the process's wall time, loading included: what
    plans device time), or the error it ended with."""
    print(f"[{len(done) + 1}/{total}] {label} ...", flush=True)
    start = time.perf_counter()
    child = subprocess.run([sys.executable, __file__, "--one", json.dumps(spec)], capture_output=True, text=True)
    sys.stderr.write(child.stderr)  # the libraries' warnings and, on failure, the traceback
    if child.returncode != 0:
        lines = child.stderr.strip().splitlines() or [f"exit status {child.returncode}"]
        found = {"label": label, "error": lines[-1]}
    else:
        found = {"label": label, **json.loads(child.stdout.strip().splitlines()[-1])}
    done.append(found | {"process_seconds": time.perf_counter() - start})
    return done[-1]


def _plan(args: argparse.Namespace, work: str, preset: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every measurement of this run, in order: the build first, then training, SOLAR and prediction."""
    common = {"work": work, "tiny": args.tiny, **{k: preset[k] for k in ("max_prompt_len", "max_summary_len")}}
    shapes = [name for name, parts in (("llama-3.2-3b", {"training", "prediction"}), ("solar-10.7b", {"solar"}))
              if parts & set(args.parts)]
    plan = [("build random checkpoints", {**common, "kind": "build", "shapes": shapes, "layers": args.layers,
                                          "solar_layers": args.solar_layers, "adapter": "prediction" in args.parts})]
    run = {**common, "kind": "train", "steps": preset["steps"], "warmup_steps": preset["warmup_steps"]}
    for checkpointing in args.checkpointing if "training" in args.parts else []:
        for trainer in args.trainers:
            plan.append((f"train 3B {trainer}, checkpointing {checkpointing}",
                         {**run, "shape": "llama-3.2-3b", "trainer": trainer, "batch_size": preset["batch_size"],
                          "gradient_checkpointing": checkpointing == "on"}))
    for batch_size in preset["solar_batch_sizes"] if "solar" in args.parts else []:
        plan.append((f"train SOLAR kosum, batch {batch_size}",
                     {**run, "shape": "solar-10.7b", "trainer": "kosum", "batch_size": batch_size,
                      "gradient_checkpointing": True}))
    for beams in args.beams if "prediction" in args.parts else []:
        plan.append((f"predict, beams {beams}", {**common, "kind": "predict", "num_beams": beams,
                                                  "dialogues": preset["dialogues"],
                                                  "max_new_tokens": preset["max_new_tokens"]}))
    return plan


def _shown(row: dict[str, Any]) -> str:
    """One measurement as a progress line."""
    if "error" in row:
        return f"failed: {row['error']}"
    speed = (f"{row['real_tokens_per_s']:,.0f} tokens/s" if "real_tokens_per_s" in row
             else f"{row['dialogues_per_s']:.2f} dialogues/s")
    return f"{speed}, peak {row['peak_memory_gib']:.2f} GiB ({row['peak_memory_kind']})"


def _finite(row: dict[str, Any], key: str) -> float | None:
    value = row.get(key)
    return value if isinstance(value, (int, float)) and math.isfinite(value) else None


def summarise(runs: list[dict[str, Any]], build_row: dict[str, Any]) -> dict[str, Any]:
    """The result: every run by part, kosum against TRL and torchtune, SOLAR's fit, the targets where on CUDA."""
    training = {f"{r['trainer']}, checkpointing {'on' if r['gradient_checkpointing'] else 'off'}": r
                for r in runs if r.get("shape") == "llama-3.2-3b"}
    solar = {f"batch {r['batch_size']}": r for r in runs if r.get("shape") == "solar-10.7b"}
    prediction = {("greedy" if r["num_beams"] == 1 else f"beams {r['num_beams']}"): r for r in runs
                  if "num_beams" in r}
    cuda = build_row.get("device", {}).get("cuda") is not None
    for row in solar.values():
        reserved = _finite(row, "peak_reserved_gib")
        row["fits_24_gib"] = reserved + CUDA_CONTEXT_GIB <= TARGETS["card_gib"] if reserved is not None else None
    versus: dict[str, Any] = {}
    for setting in ("on", "off"):
        kosum, trl = training.get(f"kosum, checkpointing {setting}"), training.get(f"trl, checkpointing {setting}")
        if kosum and trl and all(_finite(r, k) for r in (kosum, trl) for k in ("real_tokens_per_s", "peak_memory_gib")):
            versus[f"checkpointing {setting}"] = {
                "tokens_per_s": kosum["real_tokens_per_s"] / trl["real_tokens_per_s"],
                "peak_memory": kosum["peak_memory_gib"] / trl["peak_memory_gib"]}
    return {"training": training, "kosum_vs_trl": versus, "solar": solar, "prediction": prediction,
            "meets_targets": _targets(training, versus) if cuda else None}


def _targets(training: dict[str, Any], versus: dict[str, Any]) -> dict[str, Any]:
    """Issue 41's goals: torchtune's tokens/s at <= 6 GiB with checkpointing on; ahead of TRL on both."""
    kosum = training.get("kosum, checkpointing on", {})
    speed, peak = _finite(kosum, "real_tokens_per_s"), _finite(kosum, "peak_memory_gib")
    return {"torchtune_tokens_per_s": None if speed is None else speed >= TARGETS["tokens_per_s_min"],
            "peak_memory_gib": None if peak is None else peak <= TARGETS["peak_memory_gib_max"],
            "ahead_of_trl": {s: v["tokens_per_s"] > 1 and v["peak_memory"] < 1 for s, v in versus.items()}}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tiny", action="store_true",
                        help="tiny widths, 2 steps, 4 dialogues: a CPU smoke check in seconds (figures not comparable)")
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS),
                        help="what to measure; a subset writes gpu_<parts>.json (split a run over several commands)")
    parser.add_argument("--steps", type=int, help="training steps per run (15; tiny 2)")
    parser.add_argument("--warmup-steps", type=int, help="first steps left out of tokens/s (5; tiny 1)")
    parser.add_argument("--batch-size", type=int, help="3B training batch (params.yaml train.batch_size; tiny 2)")
    parser.add_argument("--layers", type=int, help="layers of the 3B-shaped model (28)")
    parser.add_argument("--solar-layers", type=int, help="layers of the SOLAR-shaped model (48)")
    parser.add_argument("--checkpointing", nargs="+", choices=["on", "off"], default=["on", "off"])
    parser.add_argument("--trainers", nargs="+", choices=["kosum", "trl"], default=["kosum", "trl"])
    parser.add_argument("--solar-batch-sizes", nargs="+", type=int, help="SOLAR's batch sizes (1 2 4)")
    parser.add_argument("--dialogues", type=int, help="test dialogues predicted (499; tiny 4)")
    parser.add_argument("--beams", nargs="+", type=int, default=[4, 1], help="prediction runs (1: greedy)")
    parser.add_argument("--workdir", type=Path, help="where the random checkpoints go (~28 GB at the real sizes)")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # a child process's single measurement (JSON)
    return parser


def _result_name(args: argparse.Namespace, real_shapes: bool) -> str:
    """`gpu` for the whole run at the real sizes; `gpu_<parts>` for a subset; `gpu_smoke` at reduced sizes (kept
    apart from the real result)."""
    if args.tiny or not real_shapes:
        return "gpu_smoke"
    return "gpu" if set(args.parts) == set(PARTS) else "_".join(["gpu", *(p for p in PARTS if p in args.parts)])


def main() -> None:
    parser = _parser()
    args = parser.parse_args()
    if args.one:
        spec = json.loads(args.one)
        print(json.dumps(CHILDREN[spec["kind"]](spec)))
        return
    preset = dict(PRESETS["tiny" if args.tiny else "real"])
    preset.update({key: getattr(args, key) for key in ("steps", "warmup_steps", "batch_size", "solar_batch_sizes",
                                                       "dialogues") if getattr(args, key) is not None})
    if not 0 <= preset["warmup_steps"] < preset["steps"]:
        parser.error("--warmup-steps must be below --steps, so that some steps are measured.")
    done: list[dict[str, Any]] = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=args.workdir) as work:
        plan = _plan(args, work, preset)
        build_row = _measure(*plan[0], done, len(plan))
        if "error" in build_row:
            raise SystemExit(f"bench_gpu.py: building the random checkpoints failed: {build_row['error']}")
        for label, spec in plan[1:]:
            print(f"    {_shown(_measure(label, spec, done, len(plan)))}", flush=True)
    result = {"command": shlex.join(["python", *sys.argv]), "device": build_row["device"],
              "shapes": build_row["shapes"], "parts": args.parts, "steps": preset["steps"],
              "warmup_steps": preset["warmup_steps"], "torchtune": TORCHTUNE, "targets": TARGETS,
              **summarise(done[1:], build_row), "errors": {r["label"]: r["error"] for r in done if "error" in r},
              "build_seconds": build_row["process_seconds"], "total_seconds": time.perf_counter() - start}
    print(f"wrote {write_result(_result_name(args, build_row['real_shapes']), result)}")
    if result["errors"]:
        raise SystemExit(f"bench_gpu.py: {len(result['errors'])} measurement(s) failed: {sorted(result['errors'])}")


if __name__ == "__main__":
    main()
