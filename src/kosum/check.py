"""`kosum check`: everything a run reads, checked in seconds before `dvc repro` spends hours on it.

It loads params.yaml and every file in configs/ through the strict loader, decodes each model's section of
configs/decode.yaml against the summary budget it will train with, validates the raw CSVs as `preprocess` would,
and resolves every model reference (a folder here, a folder a stage will write, or a hub id this machine can get).
Every problem is one line naming its file and key; the exit status is the number of problems (at most 100).
Nothing is written and no model loads, so it is safe on a login node.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kosum.core.config.card import CausalCard, ModelCard, Seq2SeqCard
from kosum.core.config.decode import check_summary_room, load_decode
from kosum.core.config.embedded import EmbeddedConfig
from kosum.core.config.ensemble import load_ensemble
from kosum.core.config.loader import load_file, load_params
from kosum.core.config.params import Params
from kosum.core.config.recipes import (
    PromptConfig,
    QloraConfig,
    Seq2SeqConfig,
    causal_job,
    seq2seq_job,
    zero_shot_prompt,
)
from kosum.core.errors import ConfigError, DataError
from kosum.core.model_refs import model_reference_problem
from kosum.data.reading import read_raw_dir, splits_without_topic
from kosum.tools.config import ApiConfig, TuneConfig

# configs/ files with one dataclass each (decode.yaml and ensemble.yaml have their own loaders; accelerate/ is
# accelerate's format)
RECIPES: dict[str, type] = {"embedded.yaml": EmbeddedConfig, "seq2seq.yaml": Seq2SeqConfig,
                            "qlora.yaml": QloraConfig, "api.yaml": ApiConfig, "tune.yaml": TuneConfig}


def pipeline_outputs(root: Path) -> frozenset[str]:
    """The folders dvc.yaml's stages write, resolved by DVC itself (foreach, ${params}); a broken dvc.yaml is a
    ConfigError."""
    from dvc.exceptions import DvcException
    from dvc.repo import Repo

    try:
        with Repo(str(root)) as repo:
            stages = list(repo.index.stages)
    except DvcException as err:
        raise ConfigError(f"{root / 'dvc.yaml'}: {err}") from err
    return frozenset(Path(out.def_path).as_posix().rstrip("/") for stage in stages for out in stage.outs)


def problems(root: Path) -> list[str]:
    """One line per problem found under `root` (a kosum project folder)."""
    found: list[str] = []
    params = _attempt(found, lambda: load_file(Params, root / "params.yaml"))
    recipes = {name: _attempt(found, lambda c=cls, n=name: load_file(c, root / "configs" / n))
               for name, cls in RECIPES.items()}
    _attempt(found, lambda: load_ensemble(root / "configs/ensemble.yaml"))
    if params is None:
        return found
    outputs = _attempt(found, lambda: pipeline_outputs(root)) or frozenset()
    cards = _cards(found, params, recipes)
    found += _launch_problems(root, params)
    found += _decode_problems(root, params, cards)
    found += _reference_problems(params, outputs)
    found += _data_problems(root, params, outputs, cards)
    return found


def _attempt(found: list[str], load: Callable[[], Any]) -> Any:
    """`load()`, or None with its one-line error appended to `found`."""
    try:
        return load()
    except (ConfigError, DataError) as err:
        found.append(str(err))
        return None


def _launch_problems(root: Path, params: Params) -> list[str]:
    path = root / "configs" / "accelerate" / f"{params.launch.config}.yaml"
    if not path.is_file():
        return [f"params.yaml launch.config: no {path.relative_to(root)}"]
    return [] if isinstance(_attempt([], lambda: load_params(path)), dict) else [f"{path}: not a YAML mapping"]


def _decode_problems(root: Path, params: Params, cards: dict[str, ModelCard]) -> list[str]:
    """Every section of configs/decode.yaml loads, and each model's leaves room for the summaries it learns."""
    path = root / "configs" / "decode.yaml"
    found: list[str] = []
    raw = _attempt(found, lambda: load_params(path))
    if raw is None:
        return found
    decodes = {name: _attempt(found, lambda n=name: load_decode(path, n)) for name in raw}
    for name, card in cards.items():
        section = name if name in raw else "default"
        decode = decodes.get(section)
        if decode is None:  # already reported
            continue
        if "max_new_tokens" not in (raw.get(section) or {}):
            section = "default"  # where the value comes from
        # predict's own check, on the card each model's train stage will write
        _attempt(found, lambda: check_summary_room(decode, card, f"{path.relative_to(root)}:{section} ({name})"))
    return found


def _cards(found: list[str], params: Params, recipes: dict[str, Any]) -> dict[str, ModelCard]:
    """Each model's card as its train stage will write it, as far as decoding and the data check read it (its
    summary budgets, its topic); an entry whose own values do not fit its recipe is a problem."""
    seq2seq, qlora = recipes["seq2seq.yaml"], recipes["qlora.yaml"]
    jobs: dict[str, Callable[[], ModelCard]] = {}
    if seq2seq is not None:
        for name in params.models.seq2seq:
            jobs[name] = lambda n=name: _seq2seq_card(seq2seq_job(params, n, seq2seq).recipe)
    if qlora is not None:
        for name in params.models.qlora:
            jobs[name] = lambda n=name: _causal_card(causal_job(params, n, qlora).prompt, qlora)
        for name in params.zero_shot:
            jobs[name] = lambda n=name: _causal_card(zero_shot_prompt(params, n, qlora), qlora)
    cards = {name: _attempt(found, job) for name, job in jobs.items()}
    return {name: card for name, card in cards.items() if card is not None}


def _seq2seq_card(recipe: Seq2SeqConfig) -> Seq2SeqCard:
    return Seq2SeqCard(kind="seq2seq", encoder_max_len=recipe.encoder_max_len, decoder_max_len=recipe.decoder_max_len)


def _causal_card(prompt: PromptConfig, qlora: QloraConfig) -> CausalCard:
    return CausalCard(kind="causal", base=None, quantize_4bit=qlora.quantize_4bit,
                      trust_remote_code=qlora.trust_remote_code, prompt=prompt)


def _reference_problems(params: Params, outputs: frozenset[str]) -> list[str]:
    entries = {**{f"models.seq2seq.{n}": (e, True) for n, e in params.models.seq2seq.items()},
               **{f"models.qlora.{n}": (e, False) for n, e in params.models.qlora.items()},
               **{f"zero_shot.{n}": (e, False) for n, e in params.zero_shot.items()}}
    found = []
    for key, (entry, seq2seq) in entries.items():
        problem = model_reference_problem(entry.checkpoint, embedded_ok=seq2seq, pipeline_outputs=outputs)
        if problem:
            found.append(f"params.yaml {key}.checkpoint: {problem}")
    return found


def _data_problems(root: Path, params: Params, outputs: frozenset[str], cards: dict[str, ModelCard]) -> list[str]:
    raw_dir = Path(params.preprocess.raw_dir)
    if not (root / raw_dir).exists() and raw_dir.as_posix().rstrip("/") in outputs:
        return []  # the corpus stage writes it
    found: list[str] = []
    splits = _attempt(found, lambda: read_raw_dir(root / raw_dir))  # valid CSVs, so their headers can be read
    topical = [name for name, card in cards.items() if isinstance(card, CausalCard) and card.prompt.topic]
    missing = splits_without_topic(root / raw_dir) if splits and topical else []
    if missing:
        found.append(f"configs/qlora.yaml topic: true ({', '.join(topical)}), but {raw_dir / missing[0]}.csv has no "
                     "topic column (the competition's test has none); set it to false")
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="kosum check", description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path, nargs="?", default=Path("."), help="the project folder (default: here)")
    args = parser.parse_args(argv)
    found = problems(args.root)
    for line in found:
        print(f"error: {line}", file=sys.stderr)
    if found:
        sys.exit(min(len(found), 100))
    print(f"kosum check: {args.root / 'params.yaml'}, configs/, the raw data and every model reference: ok")


if __name__ == "__main__":
    main()
