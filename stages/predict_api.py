"""DVC stage `predict` of api/dvc.yaml: zero-shot dev and test summaries from the OpenAI-compatible endpoint of
params.yaml `api` (Upstage Solar by default), prompted as the LLM stages are; the key only from the environment."""

from __future__ import annotations

import argparse
from pathlib import Path

from kosum.api_client import Endpoint, ResponseCache
from kosum.api_zero_shot import predict_api
from kosum.cli import run_stage
from kosum.config import ApiRecipe, CausalRecipe, Params, load_file, prompt_config


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("recipe", type=Path, help="configs/api.yaml: key variable, sampling, retries, cache")
    parser.add_argument("prompt_recipe", type=Path, help="configs/qlora.yaml: the LLM stages' system prompt")
    parser.add_argument("data_dir", type=Path, help="processed splits (dev.csv, test.csv)")
    parser.add_argument("out_dir", type=Path, help="dev.csv, submission.csv and candidates.csv")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args(argv)
    params, recipe = load_file(Params, args.params), load_file(ApiRecipe, args.recipe)
    endpoint = Endpoint(params.api.base_url, params.api.model, recipe)
    prompt = prompt_config(params.prompt, load_file(CausalRecipe, args.prompt_recipe))
    cache = ResponseCache(Path(recipe.cache_dir).expanduser())
    counts = predict_api(endpoint, prompt, args.data_dir, args.out_dir, cache)
    print(f"{endpoint.model} at {endpoint.base_url}: {counts['cached']} answers from the cache, {counts['asked']} asked")


if __name__ == "__main__":
    run_stage(main)
