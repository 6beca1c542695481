"""The real path rehearsed: docs/real-data.md's settings and commands, exactly, on a competition-shaped folder, with
the hub ids it names served offline from a local Hugging Face cache that holds tiny random models of the real
architectures with the real tokenizer files and chat templates (tests/assets): `kosum check`, the commit, `dvc exp
run`, then every submission checked against the sample.

The hub ids stay as the page writes them (nothing is swapped for a folder), so the path a GPU box takes is the path
run here: `from_pretrained(hub id)` through the cache, adapters whose card names a hub base, DVC stages whose model
entry is no path on disk.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import torch
import yaml
from transformers import (
    BartConfig,
    BartForConditionalGeneration,
    GenerationConfig,
    LlamaConfig,
    LlamaForCausalLM,
    PreTrainedModel,
    Qwen3Config,
    Qwen3ForCausalLM,
)

from tests.conftest import ROOT, merged
from tests.dvc_project import COMMAND_TIMEOUT, ENV, dvc, tiny_project
from tests.processes import run
from tests.real_tokenizers import generation_eos_ids, real_tokenizer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

WALK_THROUGH = ROOT / "docs" / "real-data.md"
# hub id -> (tests/real_tokenizers.py family, architecture): what each id of the walk-through is built as
HUB = {
    "digit82/kobart-summarization": ("kobart", "bart"),
    "Bllossom/llama-3.2-Korean-Bllossom-3B": ("llama32_instruct", "llama"),
    "Qwen/Qwen3-4B-Instruct-2507": ("qwen3_instruct_2507", "qwen3"),
    "upstage/SOLAR-10.7B-Instruct-v1.0": ("solar_instruct", "llama"),
}
COMPETITION_FILES = ("train.csv", "dev.csv", "test.csv", "sample_submission.csv")  # no test answers, no novelty
REPLACED_WHOLE = ("models", "zero_shot")  # the page replaces these sections; every other key is merged


def entries(params: dict) -> dict[str, dict]:
    """Every model entry of a params.yaml mapping by name: fine-tuned (each recipe's) and zero-shot."""
    return {**{name: entry for recipe in params["models"].values() for name, entry in recipe.items()},
            **params["zero_shot"]}
# fewer steps than the tiny profile's 8 (the page sets no step count): what is rehearsed is the path, not the training
STEPS = {"train": {"max_steps": 2}}


def walk_through_settings() -> dict[str, dict]:
    """The page's YAML blocks, by the file each names on its first line (`# params.yaml`)."""
    blocks = re.findall(r"```yaml\n# (\S+)\n(.*?)```", WALK_THROUGH.read_text(encoding="utf-8"), flags=re.S)
    assert blocks, f"{WALK_THROUGH}: no ```yaml block naming its file"
    return {path: yaml.safe_load(body) for path, body in blocks}


def walk_through_commands() -> list[str]:
    """The page's "Check, then run" commands, comments dropped."""
    section = WALK_THROUGH.read_text(encoding="utf-8").split("## 4.", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, flags=re.S)
    assert block, f"{WALK_THROUGH}: no bash block under its section 4"
    return [line.split("  #")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def _tiny(architecture: str, tokenizer) -> PreTrainedModel:
    torch.manual_seed(0)
    ids = dict(vocab_size=len(tokenizer), pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id,
               eos_token_id=tokenizer.eos_token_id)
    if architecture == "bart":
        return BartForConditionalGeneration(BartConfig(
            **ids, d_model=32, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
            decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64, max_position_embeddings=1026,
            decoder_start_token_id=tokenizer.eos_token_id, forced_eos_token_id=tokenizer.eos_token_id))
    shape = dict(**ids, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                 num_key_value_heads=1, max_position_embeddings=4096)
    if architecture == "qwen3":
        return Qwen3ForCausalLM(Qwen3Config(**shape, head_dim=16))
    return LlamaForCausalLM(LlamaConfig(**shape))


def hub_cache(cache: Path) -> Path:
    """A Hugging Face cache (huggingface_hub's layout) holding every id of HUB as a tiny checkpoint: the family's
    real tokenizer files, random weights of its architecture, and (causal LMs) the generation_config stops the hub
    model ships."""
    for repo_id, (family, architecture) in HUB.items():
        repo = cache / f"models--{repo_id.replace('/', '--')}"
        snapshot = repo / "snapshots" / "0000000000000000000000000000000000000000"
        tokenizer = real_tokenizer(family)
        model = _tiny(architecture, tokenizer)
        if architecture != "bart":
            model.generation_config = GenerationConfig(bos_token_id=tokenizer.bos_token_id,
                                                       eos_token_id=generation_eos_ids(family, tokenizer))
        model.save_pretrained(snapshot)
        tokenizer.save_pretrained(snapshot)
        (repo / "refs").mkdir()
        (repo / "refs" / "main").write_text(snapshot.name, encoding="utf-8")
    return cache


def competition_folder(project: Path) -> Path:
    """The competition's files in its own folder: train/dev with topics, test without, a sample submission (the
    tiny corpus has that shape; the embedded test answers and novelty labels stay behind)."""
    folder = project / "data" / "competition"
    folder.mkdir(parents=True)
    for name in COMPETITION_FILES:
        shutil.copy(project / "data" / "raw" / name, folder / name)
    assert list(pd.read_csv(folder / "test.csv", nrows=0).columns) == ["fname", "dialogue"]
    return folder


def apply_settings(project: Path, settings: dict[str, dict]) -> None:
    """The page's settings over the tiny profile, which shrinks the embedded models and steps; its LLM samples (for
    the ensemble tests) are dropped first, as the shipped decode file has none (top-p sampling over a 151k
    vocabulary doubled the LLMs' prediction time here)."""
    decode = project / "configs" / "decode.yaml"
    tiny = yaml.safe_load(decode.read_text(encoding="utf-8"))
    shipped = yaml.safe_load((ROOT / "configs" / "decode.yaml").read_text(encoding="utf-8"))
    decode.write_text(yaml.safe_dump({k: v for k, v in tiny.items() if k in shipped}), encoding="utf-8")
    assert "max_steps" not in settings["params.yaml"]["train"]
    settings = {**settings, "params.yaml": merged(settings["params.yaml"], STEPS)}
    for relative, values in settings.items():
        path = project / relative
        current = yaml.safe_load(path.read_text(encoding="utf-8"))
        for section in REPLACED_WHOLE:
            if section in values:
                current[section] = values[section]
        values = {k: v for k, v in values.items() if k not in REPLACED_WHOLE}
        path.write_text(yaml.safe_dump(merged(current, values), allow_unicode=True), encoding="utf-8")


@pytest.fixture(scope="module")
def rehearsal(tmp_path_factory: pytest.TempPathFactory):
    yield from tiny_project(tmp_path_factory, "rehearsal")


def test_the_walk_through_runs_to_a_checked_submission(rehearsal: Path, tmp_path: Path):
    settings = walk_through_settings()
    named = {entry["checkpoint"] for entry in entries(settings["params.yaml"]).values()}
    assert named <= set(HUB), f"docs/real-data.md names hub ids this test does not build: {named - set(HUB)}"
    env = {**ENV, "HF_HUB_OFFLINE": "1", "HF_HUB_CACHE": str(hub_cache(tmp_path / "hf-cache"))}
    competition = competition_folder(rehearsal)
    apply_settings(rehearsal, settings)

    commands = walk_through_commands()  # kosum check, the commit (the data folder stays out of git), dvc exp run
    assert [command.split()[0] for command in commands] == ["kosum", "git", "dvc"], commands
    for command in commands:
        done = run(["bash", "-c", command], COMMAND_TIMEOUT, cwd=rehearsal, env=env)
        assert done.returncode == 0, f"{command}:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        if command == "kosum check":
            assert done.stdout.strip().endswith(": ok") and not done.stderr.strip(), done.stderr

    # the fine-tuned LLMs are adapters on the hub models, loaded through the cache
    card = json.loads((rehearsal / "models" / "qwen_qlora" / "kosum.json").read_text(encoding="utf-8"))
    assert card["base"] == "Qwen/Qwen3-4B-Instruct-2507" and card["prompt"]["topic"] is False
    sample = list(pd.read_csv(competition / "sample_submission.csv", dtype=str)["fname"])
    scored = list(entries(settings["params.yaml"]))
    for folder in [rehearsal / "ensemble", *(rehearsal / "predictions" / name for name in scored)]:
        submission = pd.read_csv(folder / "submission.csv", dtype=str, keep_default_na=False)
        assert list(submission.columns) == ["fname", "summary"] and list(submission["fname"]) == sample, folder
    scores = json.loads((rehearsal / "metrics" / "scores.json").read_text(encoding="utf-8"))
    assert set(scored) <= set(scores), scores  # every model scored on dev (no test answers: dev only)
    assert "competition" in dvc(rehearsal, "exp", "show", "--csv", "--only-changed")
