"""The API zero-shot stage against a real OpenAI-compatible server on 127.0.0.1 (`transformers serve`, tests/serving.py):
its predictions and scores equal the in-process zero-shot prediction of the same model with the same decoding."""

import json
from pathlib import Path

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from kosum.core.io import write_csv
from kosum.data.reading import read_processed
from kosum.models.loading import precision_for
from stages import evaluate, predict, predict_api
from tests.conftest import ROOT, korean_lines, save_tiny_base, write_merged
from tests.serving import served

MAX_TOKENS = 24
ROWS = 6  # dialogues per split: greedy decoding on the server is one request at a time


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny Qwen3 base fitted for 40 full-batch steps to answer in Korean: a random one emits byte fragments
    that decode alike (U+FFFD) whatever their ids, which would make equal texts prove little."""
    path = save_tiny_base("qwen", tmp_path_factory.mktemp("served_qwen"))
    tokenizer, model = AutoTokenizer.from_pretrained(path), AutoModelForCausalLM.from_pretrained(path)
    lines = sorted(set(korean_lines()))
    texts = [tokenizer.apply_chat_template([{"role": "user", "content": a}, {"role": "assistant", "content": b}],
                                           tokenize=False) for a, b in zip(lines, lines[1:] + lines[:1])]
    batch = tokenizer(texts, return_tensors="pt", padding=True)
    labels = batch["input_ids"].masked_fill(batch["attention_mask"] == 0, -100)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
    for _ in range(40):
        model(**batch, labels=labels).loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    model.save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def short_data(workspace, tmp_path_factory) -> Path:
    """A few dev and test rows cut to their first two turns (the test's recipe also lifts max_prompt_len): the API
    path sends whole dialogues, the in-process path would cut a long one."""
    out = tmp_path_factory.mktemp("short")
    for name in ("dev.csv", "test.csv", "test_answers.csv"):
        frame = read_processed(workspace.processed / name).head(ROWS)
        if "dialogue" in frame.columns:
            frame["dialogue"] = ["\n".join(d.split("\n")[:2]) for d in frame["dialogue"]]
        write_csv(frame, out / name)
    (out / "stats.json").write_bytes((workspace.processed / "stats.json").read_bytes())
    return out


def test_api_stage_scores_equal_the_in_process_zero_shot(workspace, model_dir, short_data, tmp_path, monkeypatch):
    # The server computes on the CPU in fp32 (tests/serving.py); so must the in-process run, also where a GPU would
    # take it to bf16 (found on a GPU machine: the greedy texts then differ).
    monkeypatch.setattr("kosum.models.generation.detect_precision", lambda: precision_for("cpu", bf16_supported=False))
    greedy = {"num_beams": 1, "max_new_tokens": MAX_TOKENS, "block_non_korean": False, "n_best": 1, "samples": 0}
    decode = write_merged(ROOT / "configs/decode.yaml", {"default": greedy, "qwen_zero_shot": {}}, tmp_path / "d.yaml")
    # no prompt cut in-process (the tiny byte-level vocabulary spends several tokens on a Hangul syllable)
    qlora = write_merged(Path(workspace.config("qlora.yaml")), {"max_prompt_len": 2048}, tmp_path / "qlora.yaml")
    predict.main([str(decode), str(model_dir), str(short_data), str(tmp_path / "local/qwen_zero_shot"),
                  "--name", "qwen_zero_shot", "--zero-shot", str(qlora),
                  "--params", str(workspace.params)])

    recipe = write_merged(ROOT / "configs/api.yaml", {"max_tokens": MAX_TOKENS, "temperature": 0.0,
                                                      "cache_dir": str(tmp_path / "cache")}, tmp_path / "api.yaml")
    with served(model_dir) as url:
        params = workspace.params_with("served", api={"base_url": url, "model": str(model_dir)})
        predict_api.main([str(recipe), str(qlora), str(short_data),
                          str(tmp_path / "api/qwen_zero_shot"), "--params", str(params)])

    for name in ("dev.csv", "submission.csv"):
        local = read_processed(tmp_path / "local/qwen_zero_shot" / name)
        assert read_processed(tmp_path / "api/qwen_zero_shot" / name).equals(local), name
        # the comparison means something only on real text: most summaries non-empty, and not all the same
        assert local["summary"].str.len().gt(0).mean() >= 0.5 and local["summary"].nunique() > 1, "a degenerate model"
    scores = {}
    for where in ("local", "api"):
        evaluate.main([str(short_data), str(tmp_path / where), str(tmp_path / f"metrics_{where}"),
                       "--models", "qwen_zero_shot"])
        scores[where] = json.loads((tmp_path / f"metrics_{where}/scores.json").read_text())
    assert scores["api"] == scores["local"]
