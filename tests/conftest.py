"""Shared fixtures: a tiny params profile and the outputs of the early stages, built once per test session."""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch
import yaml
from transformers import PreTrainedTokenizerFast

from kosum.core.config.card import CausalCard
from kosum.core.config.embedded import DecoderSizeConfig
from kosum.core.config.recipes import PromptConfig
from kosum.data.tokenizer import train_tokenizer
from kosum.models.chat_format import install_chat_format
from kosum.models.loading import embedded_decoder

ROOT = Path(__file__).resolve().parents[1]
FAMILIES = ("llama", "qwen")

# The tiny profile: params.yaml and configs/ overrides that run every stage in seconds. The shared `train` schedule is
# the KoBART tests' (120 steps); LLM_TRAIN is what the causal-LM tests put on top of it.
TINY_PARAMS = {
    "train": {"max_steps": 120, "eval_steps": 60, "batch_size": 8, "lr": 5e-3},
    "lora": {"r": 4, "alpha": 8},
}
LLM_TRAIN = {"max_steps": 20, "eval_steps": 10, "lr": 1e-3}
TINY_SIZE = {"hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1,
             "intermediate_size": 64}
TINY_CONFIGS = {
    "embedded.yaml": {
        "corpus": {"n_train": 160, "n_dev": 16, "n_test": 12},
        "tokenizer": {"vocab_size": 1200},
        "pretrain": {"block_size": 128, "eval_samples": 8, "logging_steps": 5,
                     "train": {"max_steps": 20, "eval_steps": 10}},
        "bases": {family: {"size": TINY_SIZE} for family in ("llama", "qwen")},
    },
    "seq2seq.yaml": {
        "embedded": {"d_model": 64, "encoder_layers": 1, "decoder_layers": 1, "attention_heads": 2, "ffn_dim": 128},
        "encoder_max_len": 256, "decoder_max_len": 24, "eval_samples": 8, "logging_steps": 10,
        "max_cut_share": 1.0,  # the tiny profile cuts summaries on purpose (speed); tests/test_budgets.py checks the stop
    },
    "qlora.yaml": {"max_prompt_len": 256, "max_summary_len": 16, "max_cut_share": 1.0, "eval_samples": 8,
                   "logging_steps": 5},
    # max_new_tokens: the training budgets above (max_summary_len 16, decoder_max_len 24), as predict requires
    "decode.yaml": {"default": {"max_new_tokens": 16, "batch_size": 8},
                    "kobart": {"num_beams": 2, "n_best": 2, "samples": 1, "tta": ["swap_speakers"], "max_new_tokens": 24,
                               "batch_size": 8},
                    "qwen_qlora": {"samples": 1}, "llama_qlora": {"samples": 1}},
}


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist, each worker computes on its share of the cores, and so do the processes its tests start:
    OpenMP threads beyond the cores spin against each other (two processes with a thread per core each ran ~10x
    slower than alone on the 2-core box, docs/comparing-experiments.md)."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers > 1:
        threads = os.environ.setdefault("OMP_NUM_THREADS", str(max(1, len(os.sched_getaffinity(0)) // workers)))
        torch.set_num_threads(int(threads))


# The order in which xdist hands whole modules to the workers (pyproject.toml), so that both finish together: the
# module that builds the DVC baseline first (about 2 minutes on one core); the slow modules that need no baseline
# next, on the other worker while it builds; then the modules that copy the baseline, longest first (started before
# it is built, they would wait for it: test_remote did, 58 s); the fast modules last, as filler that evens out the
# two workers' ends (placed before the copies, they left one worker idle 2 minutes at the end, docs/tests.md).
BUILDS_DVC_BASELINE = "test_experiments.py"
COPY_DVC_BASELINE = ("test_experiments_tools.py", "test_rehearsal.py", "test_bench.py", "test_remote.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    slow_files = {item.path for item in items if item.get_closest_marker("slow")}

    def group(item: pytest.Item) -> tuple[int, int]:
        name = item.path.name
        if name == BUILDS_DVC_BASELINE:
            return 0, 0
        if name in COPY_DVC_BASELINE:
            return 2, COPY_DVC_BASELINE.index(name)
        return (1, 0) if item.path in slow_files else (3, 0)

    items.sort(key=group)


def merged(base: dict, override: dict) -> dict:
    """`base` with `override` applied key by key (nested mappings merged)."""
    out = dict(base)
    for key, value in override.items():
        out[key] = merged(base.get(key, {}), value) if isinstance(value, dict) else value
    return out


def write_merged(source: Path, override: dict, dest: Path) -> Path:
    """Write the YAML file `source` with `override` merged in (`merged`) to `dest`, which may be `source` itself."""
    values = merged(yaml.safe_load(source.read_text(encoding="utf-8")), override)
    dest.write_text(yaml.safe_dump(values, allow_unicode=True), encoding="utf-8")
    return dest


def causal_card(prompt: PromptConfig) -> CausalCard:
    """The card of an untuned full-precision causal LM prompted with `prompt` (what the generation tests load)."""
    return CausalCard(kind="causal", base=None, quantize_4bit=False, trust_remote_code=False, prompt=prompt)


def korean_lines() -> list[str]:
    """A few hundred short Korean lines to train test tokenizers on."""
    people = ["민수", "지영", "철수", "영희", "선생님", "사장님"]
    sayings = [
        "내일 회의에 늦을 것 같아요", "점심으로 김치찌개를 먹을까요", "주말에 등산을 가기로 했어요",
        "전화번호를 알려 주세요", "버스가 늦게 와서 힘들었어요", "도서관에서 책을 빌렸습니다",
        "요약해주세요", "대화를 정리해 주세요",
    ]
    return [f"{p}씨, {s}. 정말 고마워요!" for p, s in itertools.product(people, sayings)] * 4


def korean_tokenizer() -> PreTrainedTokenizerFast:
    """A small tokenizer trained with kosum's own `train_tokenizer` on `korean_lines`."""
    return train_tokenizer(korean_lines(), vocab_size=500, min_frequency=1)


@dataclass(frozen=True)
class Workspace:
    """Paths of a tiny pipeline run in a temp folder."""

    root: Path
    params: Path
    configs: Path
    raw: Path
    processed: Path
    tokenizer: Path

    def config(self, name: str) -> str:
        """The tiny copy of `configs/<name>` as a command-line argument."""
        return str(self.configs / name)

    def params_with(self, name: str, **sections: dict) -> Path:
        """A copy of the tiny params.yaml with `sections` merged in, written as `<root>/<name>.yaml`."""
        return write_merged(self.params, sections, self.root / f"{name}.yaml")


def write_tiny_project(root: Path) -> tuple[Path, Path]:
    """The real params.yaml and configs/ with the tiny profile applied, written under `root`."""
    params = write_merged(ROOT / "params.yaml", TINY_PARAMS, root / "params.yaml")
    configs = root / "configs"
    configs.mkdir(exist_ok=True)
    for name, override in TINY_CONFIGS.items():
        write_merged(ROOT / "configs" / name, override, configs / name)
    return params, configs


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """corpus + preprocess run through their stage `main`s on the tiny profile."""
    from stages import corpus, preprocess

    root = tmp_path_factory.mktemp("pipeline")
    params, configs = write_tiny_project(root)
    ws = Workspace(root, params, configs, root / "data/raw", root / "data/processed", root / "data/processed/tokenizer")
    corpus.main([ws.config("embedded.yaml"), str(ws.raw)])
    preprocess.main([ws.config("embedded.yaml"), str(ws.raw), str(ws.processed), str(ws.tokenizer)])
    return ws


@pytest.fixture(scope="session")
def trained_kobart(workspace: Workspace) -> tuple[Path, Path]:
    """The tiny embedded BART trained by the stage (120 steps): its model folder and DVCLive folder."""
    from stages import train_seq2seq

    out, live = workspace.root / "models/kobart", workspace.root / "dvclive/train_kobart"
    train_seq2seq.main([
        workspace.config("seq2seq.yaml"), str(workspace.processed), str(workspace.tokenizer), str(out), str(live),
        "--name", "kobart", "--checkpoints", str(workspace.root / "checkpoints"), "--params", str(workspace.params),
    ])
    return out, live


def save_tiny_base(family: str, path: Path) -> Path:
    """A random tiny decoder of `family` saved with its chat tokenizer, as a hub checkpoint would be."""
    tokenizer = install_chat_format(korean_tokenizer(), family)
    torch.manual_seed(0)
    size = DecoderSizeConfig(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=1,
                             intermediate_size=64)
    model = embedded_decoder(tokenizer, family, size, 512)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture(scope="module", params=FAMILIES)
def tiny_base(request, tmp_path_factory):
    """A random tiny decoder of each family, saved as a hub checkpoint would be."""
    return save_tiny_base(request.param, tmp_path_factory.mktemp(f"base_{request.param}"))
