"""Benchmark: kosum's causal trainer against TRL's SFTTrainer, same base, data, adapters and steps.

Both fine-tune stage `train_qlora@qwen_qlora`'s setup (params.yaml `models.qlora.qwen_qlora`, `lora`, `prompt`, `train` and
configs/qlora.yaml: 4-bit NF4 + LoRA on the embedded Qwen3 base by default) on identical token ids and labels: kosum's
chat-format examples, given to TRL as `input_ids` + `completion_mask`. TRL runs padding-free with completion-only loss
(`SFTConfig(padding_free=True, completion_only_loss=True)`): each step sees the same 16 examples flattened into one
row, as in kosum (TRL's `packing=True` would put ~2 examples in each of the 16 rows of a step, so equal steps would
not mean equal data); gradient checkpointing as the recipe says in both (off in configs/qlora.yaml; TRL's default
is on). Learning rate, schedule, batch size and steps are the same; no evaluation while training. TRL keeps
transformers' attention, so on a CPU its padding-free row goes through sdpa's row-wide block-diagonal mask; kosum
uses its per-example attention.

Each run is its own process, so its peak memory (max RSS; peak GPU memory on CUDA) is its own; the trainers alternate
over `--rounds` and the median counts. After training, each adapter summarises the same dev sample with kosum's
greedy decoding and is scored with kosum's ROUGE. Reports real tokens/s, peak memory and dev final per trainer, and
kosum's ratios to TRL. Writes `bench/results/trl_peer.json`.
Run: .venv/bin/python bench/bench_trl.py [--steps 100] [--rounds 2]   (after `dvc repro base@qwen`)
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# first: kosum.models silences bitsandbytes' misleading kernel-lookup warning, which fires when transformers or trl
# first load bitsandbytes
importlib.import_module("kosum.models")
import torch  # noqa: E402
from common import write_result  # noqa: E402
from transformers import AutoTokenizer, set_seed  # noqa: E402

from kosum.core.config.card import CausalCard
from kosum.core.config.decode import DecodeConfig
from kosum.core.config.loader import load_file
from kosum.core.config.params import Params
from kosum.core.config.recipes import CausalJob, QloraConfig, causal_job
from kosum.data.reading import read_processed, references
from kosum.models.attention import use_packed_attention
from kosum.models.chat_format import ready_for_chat
from kosum.models.generation import Summarizer
from kosum.models.loading import detect_precision, load_causal, lora_config, peft_model_for_training
from kosum.models.prompts import IGNORE_INDEX, training_examples
from kosum.models.training.causal import CausalTrainer
from kosum.models.training.packing import TokenCounter, packed_collator, padded_collator
from kosum.models.training.trainer import training_arguments
from kosum.scoring.rouge import metrics_dict, score_corpus

TRAINERS = ("kosum", "trl")
DEV_SAMPLE = 64


def _job() -> CausalJob:
    return causal_job(load_file(Params, "params.yaml"), "qwen_qlora", load_file(QloraConfig, "configs/qlora.yaml"))


def _arguments(job: CausalJob, steps: int, out: Path) -> Any:
    """kosum's training arguments for `steps` steps, without evaluation or checkpoints."""
    return training_arguments(job.train, job.recipe, out, detect_precision(), max_steps=steps, eval_strategy="no",
                              save_strategy="no", load_best_model_at_end=False, logging_steps=steps)


SHARED = ("output_dir", "learning_rate", "lr_scheduler_type", "warmup_steps", "weight_decay", "max_steps",
          "max_grad_norm", "per_device_train_batch_size", "gradient_accumulation_steps", "seed", "data_seed", "bf16",
          "fp16", "use_cpu", "logging_steps", "eval_strategy", "save_strategy", "report_to", "disable_tqdm")


def _trainer(name: str, job: CausalJob, examples: list[dict], tokenizer: Any, args: Any) -> Any:
    """kosum's `CausalTrainer` (packed, per-example attention, labelled-positions loss) or TRL's `SFTTrainer`."""
    precision = detect_precision()
    if name == "kosum":
        model = use_packed_attention(peft_model_for_training(job.model, job.recipe, job.lora, precision))
        counter = TokenCounter(packed_collator())
        return CausalTrainer(model=model, args=args, train_dataset=examples, data_collator=counter,
                             processing_class=tokenizer, eval_collator=padded_collator(tokenizer.pad_token_id),
                             eval_rows=None, card=None, counter=counter)
    rows = [{"input_ids": e["input_ids"], "completion_mask": [int(x != IGNORE_INDEX) for x in e["labels"]]}
            for e in examples]
    from datasets import Dataset  # here: the parent process, which only starts and reads the runs, never loads trl
    from trl import SFTConfig, SFTTrainer

    config = SFTConfig(**{key: getattr(args, key) for key in SHARED}, padding_free=True, completion_only_loss=True,
                       gradient_checkpointing=job.recipe.gradient_checkpointing, max_length=None)
    model = load_causal(job.model, quantize_4bit=job.recipe.quantize_4bit, precision=precision,
                        trust_remote_code=job.recipe.trust_remote_code)
    return SFTTrainer(model=model, args=config, train_dataset=Dataset.from_list(rows), processing_class=tokenizer,
                      peft_config=lora_config(job.lora, job.recipe.target_modules))


def _tokens_seen(trainer: Any) -> int:
    """Real (non-padding) tokens the trainer fed the model: kosum's counter, TRL's logged `num_tokens`."""
    if isinstance(trainer, CausalTrainer):
        return trainer.counter.real
    return int(max(float(log.get("num_tokens", 0)) for log in trainer.state.log_history))


def one_run(name: str, steps: int, dev_sample: int = DEV_SAMPLE) -> dict[str, Any]:
    """Train with `name` for `steps` steps in this process; time, memory and dev ROUGE."""
    job = _job()
    set_seed(job.train.seed)
    tokenizer = ready_for_chat(AutoTokenizer.from_pretrained(job.model), job.prompt.plain_format)
    examples = training_examples(tokenizer, read_processed(Path("data/processed/train.csv")).to_dict("records"),
                                 job.prompt)
    with tempfile.TemporaryDirectory() as out:
        trainer = _trainer(name, job, examples, tokenizer, _arguments(job, steps, Path(out)))
        device = detect_precision().device
        if device == "cuda":
            torch.cuda.reset_peak_memory_stats()
        start = time.perf_counter()
        trainer.train()
        if device == "cuda":
            torch.cuda.synchronize()
        seconds = time.perf_counter() - start
    dev = read_processed(Path("data/processed/dev.csv")).sample(n=dev_sample, random_state=job.train.seed)
    card = CausalCard(kind="causal", base=job.model, quantize_4bit=job.recipe.quantize_4bit,
                      trust_remote_code=job.recipe.trust_remote_code, prompt=job.prompt)
    summaries = Summarizer(trainer.model, tokenizer, card).summarize(
        list(dev["dialogue"]), list(dev["topic"]), DecodeConfig(num_beams=1, no_repeat_ngram_size=0,
                                                                  max_new_tokens=job.prompt.max_summary_len,
                                                                  batch_size=32, block_non_korean=False))
    peak = (torch.cuda.max_memory_allocated() if device == "cuda"
            else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
    return {"seconds": seconds,
            "real_tokens_per_s": _tokens_seen(trainer) / seconds,
            "peak_memory_gib": peak / 2**30, "peak_memory_kind": "cuda allocated" if device == "cuda" else "max RSS",
            "train_loss": trainer.state.log_history[-1].get("train_loss"),
            "dev_final": metrics_dict(score_corpus(summaries, references(dev))[0])["final"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--dev-sample", type=int, default=DEV_SAMPLE, help="dev dialogues scored after training")
    parser.add_argument("--one", choices=TRAINERS, help=argparse.SUPPRESS)  # a child process's single run
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_run(args.one, args.steps, args.dev_sample)))
        return
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in TRAINERS}
    for _ in range(args.rounds):
        for name in TRAINERS:
            child = subprocess.run([sys.executable, __file__, "--one", name, "--steps", str(args.steps),
                                    "--dev-sample", str(args.dev_sample)],
                                   capture_output=True, text=True, check=True)
            runs[name].append(json.loads(child.stdout.strip().splitlines()[-1]))
    rows = {name: {key: statistics.median(r[key] for r in results) for key in
                   ("seconds", "real_tokens_per_s", "peak_memory_gib", "dev_final")}
            | {"train_loss": [r["train_loss"] for r in results], "peak_memory_kind": results[0]["peak_memory_kind"]}
            for name, results in runs.items()}
    job = _job()
    result = {"model": job.model, "quantize_4bit": job.recipe.quantize_4bit, "lora_r": job.lora.r,
              "steps": args.steps, "batch_size": job.train.batch_size, "rounds": args.rounds,
              "dev_sample": args.dev_sample, "trainers": rows,
              "kosum_vs_trl": {"tokens_per_s": rows["kosum"]["real_tokens_per_s"] / rows["trl"]["real_tokens_per_s"],
                               "peak_memory": rows["kosum"]["peak_memory_gib"] / rows["trl"]["peak_memory_gib"],
                               "dev_final_points": rows["kosum"]["dev_final"] - rows["trl"]["dev_final"]}}
    for name, row in rows.items():
        print(f"{name:<6} {row['real_tokens_per_s']:>9,.0f} tokens/s  {row['peak_memory_gib']:.2f} GiB  "
              f"dev final {row['dev_final']:.2f}")
    print(f"wrote {write_result('trl_peer', result)}")


if __name__ == "__main__":
    main()
