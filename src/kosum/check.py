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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kosum.core.config.card import CausalCard, ModelCard, Seq2SeqCard
from kosum.core.config.decode import check_summary_room, load_decode
from kosum.core.config.embedded import EmbeddedConfig
from kosum.core.config.ensemble import load_ensemble
from kosum.core.config.loader import load_file, load_params
from kosum.core.config.params import Params
from kosum.core.config.recipes import QloraConfig, Seq2SeqConfig, prompt_config
from kosum.core.errors import ConfigError, DataError
from kosum.core.model_refs import model_reference_problem
from kosum.data.reading import read_raw_dir, splits_without_topic
from kosum.tools.config import ApiConfig, TuneConfig

SEQ2SEQ_STAGE = "stages/train_kobart.py"  # the models this script trains are encoder-decoders; the rest causal LMs
# configs/ files with one dataclass each (decode.yaml and ensemble.yaml have their own loaders; accelerate/ is
# accelerate's format)
RECIPES: dict[str, type] = {"embedded.yaml": EmbeddedConfig, "seq2seq.yaml": Seq2SeqConfig,
                            "qlora.yaml": QloraConfig, "api.yaml": ApiConfig, "tune.yaml": TuneConfig}


@dataclass(frozen=True)
class Pipeline:
    """What dvc.yaml says: the folders its stages write and the models its seq2seq stage trains."""

    outputs: frozenset[str]
    seq2seq: frozenset[str]


def pipeline(root: Path) -> Pipeline:
    """dvc.yaml's stages resolved by DVC itself (foreach, ${params}); a broken dvc.yaml is a ConfigError."""
    from dvc.exceptions import DvcException
    from dvc.repo import Repo

    try:
        with Repo(str(root)) as repo:
            stages = list(repo.index.stages)
    except DvcException as err:
        raise ConfigError(f"{root / 'dvc.yaml'}: {err}") from err
    outputs = frozenset(Path(out.def_path).as_posix().rstrip("/") for stage in stages for out in stage.outs)
    seq2seq = set()
    for stage in stages:
        words = (stage.cmd or "").split()
        if SEQ2SEQ_STAGE in words:
            seq2seq.add(words[words.index("--name") + 1] if "--name" in words else "kobart")
    return Pipeline(outputs, frozenset(seq2seq))


def problems(root: Path) -> list[str]:
    """One line per problem found under `root` (a kosum project folder)."""
    found: list[str] = []
    params = _attempt(found, lambda: load_file(Params, root / "params.yaml"))
    recipes = {name: _attempt(found, lambda c=cls, n=name: load_file(c, root / "configs" / n))
               for name, cls in RECIPES.items()}
    ensemble = _attempt(found, lambda: load_ensemble(root / "configs/ensemble.yaml"))
    if params is None:
        return found
    flow = _attempt(found, lambda: pipeline(root))
    flow = flow or Pipeline(frozenset(), frozenset({"kobart"}))
    found += _launch_problems(root, params)
    found += _decode_problems(root, params, recipes, flow)
    found += _reference_problems(params, flow)
    if ensemble is not None:
        known = set(params.models) | set(params.zero_shot)
        found += [f"configs/ensemble.yaml weights.{name}: no model '{name}' under params.yaml models"
                  for name in ensemble.weights if name not in known]
    found += _data_problems(root, params, flow, recipes["qlora.yaml"])
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


def _decode_problems(root: Path, params: Params, recipes: dict[str, Any], flow: Pipeline) -> list[str]:
    """Every section of configs/decode.yaml loads, and each model's leaves room for the summaries it learns."""
    path = root / "configs" / "decode.yaml"
    found: list[str] = []
    raw = _attempt(found, lambda: load_params(path))
    if raw is None:
        return found
    decodes = {name: _attempt(found, lambda n=name: load_decode(path, n)) for name in raw}
    cards = _cards(params, recipes)
    for name in [*params.models, *params.zero_shot]:
        section = name if name in raw else "default"
        decode, card = decodes.get(section), cards.get("seq2seq" if name in flow.seq2seq else "causal")
        if decode is None or card is None:  # already reported
            continue
        if "max_new_tokens" not in (raw.get(section) or {}):
            section = "default"  # where the value comes from
        # predict's own check, on the card each model's train stage will write
        _attempt(found, lambda: check_summary_room(decode, card, f"{path.relative_to(root)}:{section} ({name})"))
    return found


def _cards(params: Params, recipes: dict[str, Any]) -> dict[str, ModelCard]:
    """The model cards the train stages will write, as far as decoding reads them (their summary budgets)."""
    cards: dict[str, ModelCard] = {}
    if (seq2seq := recipes["seq2seq.yaml"]) is not None:
        cards["seq2seq"] = Seq2SeqCard(kind="seq2seq", encoder_max_len=seq2seq.encoder_max_len,
                                       decoder_max_len=seq2seq.decoder_max_len)
    if (qlora := recipes["qlora.yaml"]) is not None:
        cards["causal"] = CausalCard(kind="causal", base=None, quantize_4bit=qlora.quantize_4bit,
                                     trust_remote_code=qlora.trust_remote_code,
                                     prompt=prompt_config(params.prompt, qlora))
    return cards


def _reference_problems(params: Params, flow: Pipeline) -> list[str]:
    found = []
    for section, entries in (("models", params.models), ("zero_shot", params.zero_shot)):
        for name, ref in entries.items():
            problem = model_reference_problem(ref, embedded_ok=name in flow.seq2seq, pipeline_outputs=flow.outputs)
            if problem:
                found.append(f"params.yaml {section}.{name}: {problem}")
    return found


def _data_problems(root: Path, params: Params, flow: Pipeline, qlora: QloraConfig | None) -> list[str]:
    raw_dir = Path(params.preprocess.raw_dir)
    if not (root / raw_dir).exists() and raw_dir.as_posix().rstrip("/") in flow.outputs:
        return []  # the corpus stage writes it
    found: list[str] = []
    splits = _attempt(found, lambda: read_raw_dir(root / raw_dir))  # valid CSVs, so their headers can be read
    missing = splits_without_topic(root / raw_dir) if splits and qlora is not None and qlora.topic else []
    if missing:
        found.append(f"configs/qlora.yaml topic: true, but {raw_dir / missing[0]}.csv has no topic column (the "
                     "competition's test has none); set it to false")
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
