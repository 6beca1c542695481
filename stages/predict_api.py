"""DVC stage `predict` of api/dvc.yaml: zero-shot dev and test summaries from the OpenAI-compatible endpoint of
params.yaml `api` (Upstage Solar by default), prompted as the LLM stages are; the key only from the environment."""

from __future__ import annotations

import argparse
from pathlib import Path

from kosum.core.config.loader import load_file
from kosum.core.config.params import Params
from kosum.core.config.recipes import QloraConfig, prompt_config
from kosum.core.stage import run_stage
from kosum.tools.api_client import Endpoint, ResponseCache
from kosum.tools.api_stage import predict_api
from kosum.tools.config import ApiConfig


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("recipe", type=Path, help="configs/api.yaml: key variable, sampling, retries, cache")
    parser.add_argument("prompt_recipe", type=Path, help="configs/qlora.yaml: the LLM stages' system prompt")
    parser.add_argument("data_dir", type=Path, help="processed splits (dev.csv, test.csv)")
    parser.add_argument("out_dir", type=Path, help="dev.csv, submission.csv and candidates.csv")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args(argv)
    params, recipe = load_file(Params, args.params), load_file(ApiConfig, args.recipe)
    endpoint = Endpoint(params.api.base_url, params.api.model, recipe)
    prompt = prompt_config(params.prompt, load_file(QloraConfig, args.prompt_recipe))
    cache = ResponseCache(Path(recipe.cache_dir).expanduser())
    counts = predict_api(endpoint, prompt, args.data_dir, args.out_dir, cache)
    print(f"{endpoint.model} at {endpoint.base_url}: {counts['cached']} answers from the cache, {counts['asked']} asked")


if __name__ == "__main__":
    run_stage(main)
