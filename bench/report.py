"""Render `bench/results/*.json` into `bench/RESULTS.md`: every figure with its target, ratio and environment.
Run: .venv/bin/python bench/report.py (after the benchmarks; a missing result is listed as not run)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from common import DEFAULT_RESULTS, RESULTS

OUT = Path(__file__).parent / "RESULTS.md" if RESULTS == DEFAULT_RESULTS else RESULTS / "RESULTS.md"


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _met(flag: bool) -> str:
    return "met" if flag else "**missed**"


def _environment(result: dict[str, Any]) -> str:
    machine, versions = result.get("machine", {}), result.get("versions", {})
    where = machine.get("gpu") or f"{machine.get('cpu_count')} CPU cores"
    if machine.get("cpu_model"):  # results differ by CPU type (docs/cpu-determinism.md)
        bf16 = ", AVX512-BF16" if machine.get("avx512_bf16") else ""
        where += f" ({machine['cpu_model']}, torch {machine.get('cpu_capability')}{bf16})"
    libs = ", ".join(f"{k} {v}" for k, v in versions.items() if v)
    return f"_{result.get('date')}, {where}; {libs}_"


def _packing(r: dict[str, Any]) -> list[str]:
    lines = [f"Model: {r['model']} ({'4-bit NF4 + ' if r['quantize_4bit'] else ''}LoRA r={r['lora_r']}, "
             f"{r['device']}), {r['examples']} examples in batches of {r['batch_size']}, {r['real_tokens']:,} real "
             f"tokens, forward + backward, median of {r['rounds']} interleaved rounds.", "",
             "| batching | real tokens / positions | useful / computed attention scores | real tokens/s | "
             "speed vs padded |", "|---|---|---|---|---|"]
    for mode, row in r["modes"].items():
        lines.append(f"| {mode} | {row['real_token_share_positions']:.1%} | {row['real_token_share_attention']:.1%} | "
                     f"{row['real_tokens_per_s']:,} | {row['speed_vs_padded']:.3f}x |")
    kosum, padded = r["modes"]["packed, per example"], r["modes"]["padded"]["real_token_share_positions"]
    lines += ["", f"Targets: real-token share >= {r['targets']['real_token_share']:.0%}: "
              f"{_met(r['meets_targets']['real_token_share'])} ({kosum['real_token_share_positions']:.1%}); "
              f"throughput >= {r['targets']['speedup_vs_padded']}x padded: "
              f"{_met(r['meets_targets']['speedup_vs_padded'])} ({kosum['speed_vs_padded']:.3f}x). Padded batches of "
              f"this data waste {1 - padded:.1%} of positions, so work that scales with positions (the linear layers) "
              f"can speed up at most {1 / padded:.2f}x; the rest comes from attention."]
    return lines


def _predict(r: dict[str, Any]) -> list[str]:
    lines = [f"{r['dialogues']} dev dialogues, greedy, median of {r['rounds']} alternating rounds; batched and "
             "one-at-a-time summaries asserted identical.", "",
             "| model | one at a time (dialogues/s) | kosum batched (dialogues/s) | speed-up | target >= "
             f"{r['target_speedup']}x |", "|---|---|---|---|---|"]
    for name, m in r["models"].items():
        lines.append(f"| {name} (batch {m['batch_size']}) | {m['one_at_a_time']['dialogues_per_s']} | "
                     f"{m['kosum_batched']['dialogues_per_s']} | {m['speedup']}x | {_met(m['meets_target'])} |")
    return lines


def _metrics(r: dict[str, Any]) -> list[str]:
    s = r["seconds"]
    return [f"{r['pairs']:,} pairs ({r['distinct_texts']:,} distinct texts through Mecab): {s['total']} s "
            f"(Mecab {s['mecab']} s = {r['mecab_share']:.0%}, ROUGE {s['rouge']} s); target < {r['target_s']} s: "
            f"{_met(r['meets_target'])}."]


def _pipeline(r: dict[str, Any]) -> list[str]:
    lines = ["| stage | seconds | peak RSS (MiB) |", "|---|---|---|"]
    lines += [f"| `{name}` | {s['seconds']} | {s['peak_rss_mib']:,} |" for name, s in r["stages"].items()]
    t = r["targets"]
    lines += [f"| **total** | **{r['total_seconds']}** | |", "",
              f"Targets: total <= {t['total_seconds']:.0f} s: {_met(r['meets_targets']['total'])}; no-op "
              f"`dvc repro` <= {t['noop_repro_seconds']:.0f} s: {_met(r['meets_targets']['noop'])} "
              f"({r['noop_repro_seconds']} s).", "", "Leaderboard of that run:", "", r["leaderboard"].strip()]
    return lines


def _trl(r: dict[str, Any]) -> list[str]:
    lines = [f"Model: {r['model']} ({'4-bit NF4 + ' if r['quantize_4bit'] else ''}LoRA r={r['lora_r']}), "
             f"{r['steps']} steps of {r['batch_size']} examples, the same token ids and labels for both, median of "
             f"{r['rounds']} alternating rounds, each run in its own process; dev final on {r['dev_sample']} dev "
             "dialogues, kosum's greedy decoding.", "",
             "| trainer | real tokens/s | peak memory (GiB) | train loss (per round) | dev final |", "|---|---|---|---|---|"]
    for name, row in r["trainers"].items():
        losses = ", ".join(f"{loss:.4f}" for loss in row["train_loss"])
        lines.append(f"| {name} | {row['real_tokens_per_s']:,.0f} | {row['peak_memory_gib']:.2f} "
                     f"({row['peak_memory_kind']}) | {losses} | {row['dev_final']:.2f} |")
    v = r["kosum_vs_trl"]
    lines += ["", f"kosum / TRL: {v['tokens_per_s']:.2f}x the tokens/s, {v['peak_memory']:.2f}x the peak memory, "
              f"{v['dev_final_points']:+.2f} dev final points."]
    return lines


def _mbr(r: dict[str, Any]) -> list[str]:
    return [f"{r['dialogues']} dialogues x {r['candidates_per_dialogue']} candidates: {r['seconds']} s; target <= "
            f"{r['target_s']:.0f} s: {_met(r['meets_target'])}. On the first {r['naive_dialogues']} dialogues, "
            f"{r['speedup']}x the pair-by-pair way ({r['kosum_seconds_same_dialogues']} s vs {r['naive_seconds']} s), "
            "same summaries selected."]


def _budgets(r: dict[str, Any]) -> list[str]:
    b, c = r["budgets"], r["competition_lengths"]
    lines = [f"Tokens of kosum's own prompts and training examples for the embedded train split ({r['rows']:,} rows), "
             f"cut shares at the configured budgets (prompt {b['max_prompt_len']}, summary {b['max_summary_len']}; "
             f"KoBART encoder {b['encoder_max_len']}, decoder {b['decoder_max_len']}), and the competition's published "
             f"lengths (dialogue mean {c['dialogue_mean_chars']} characters, longest {c['dialogue_max_chars']}; summary "
             f"mean {c['summary_mean_chars']}) converted with each vocabulary's tokens per character.", "",
             "| family | tokens/char (dialogue, summary) | embedded: prompt mean / max, cut | embedded: summary mean / "
             "max, cut | competition: prompt mean / longest | competition: summary mean | stand-in |",
             "|---|---|---|---|---|---|---|"]
    for name, f in r["families"].items():
        e, k = f["embedded"], f["competition"]
        lines.append(f"| {name} | {f['tokens_per_char_dialogue']}, {f['tokens_per_char_summary']} | "
                     f"{e['prompt_mean']} / {e['prompt_max']}, {e['prompt_cut_share']:.1%} | {e['summary_mean']} / "
                     f"{e['summary_max']}, {e['summary_cut_share']:.1%} | {k['prompt_mean']} / {k['prompt_longest']} | "
                     f"{k['summary_mean']} | {f['stand_in'] or '-'} |")
    return lines


SECTIONS = (
    ("packing", "Padding waste and training throughput (`bench/bench_packing.py`)", _packing),
    ("packing_llama-3.2-3b", "GPU: Llama-3.2-3B-shaped QLoRA (`bench/bench_packing.py --shape llama-3.2-3b`)",
     _packing),
    ("trl_peer", "Peer: kosum's trainer vs TRL's SFTTrainer (`bench/bench_trl.py`)", _trl),
    ("predict", "Prediction: batched vs one at a time (`bench/bench_predict.py`)", _predict),
    ("metrics", "Scoring (`bench/bench_metrics.py`)", _metrics),
    ("mbr", "Ensemble: MBR selection (`bench/bench_mbr.py`)", _mbr),
    ("pipeline", "Pipeline from a clean cache, per stage (`bench/bench_pipeline.py`)", _pipeline),
    ("token_budgets", "Token budgets of the real vocabularies (`bench/bench_token_budgets.py`)", _budgets),
)


def main() -> None:
    lines = ["# kosum benchmarks", "", "Generated by `bench/report.py` from `bench/results/*.json`. Each benchmark runs",
             "kosum and the naive alternative side by side in one run; ratios matter more than absolute times on",
             "shared machines.", ""]
    for name, title, render in SECTIONS:
        result = _load(name)
        lines += [f"## {title}", ""]
        lines += (render(result) + ["", _environment(result)]) if result else ["Not run yet (the GPU benchmark needs a CUDA device; none was lent to the sessions so far)."]
        lines.append("")
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
