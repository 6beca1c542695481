"""The encoder-decoder slice: train_seq2seq -> predict -> evaluate on the tiny profile, through the stage `main`s."""

import json

import pandas as pd
import pytest
import torch
import yaml

from kosum.core.config.decode import DecodeConfig
from kosum.core.errors import DataError
from kosum.data.reading import read_processed
from kosum.evaluation.leaderboard import aligned_predictions
from kosum.models.generation import (
    clean_summary,
    length_sorted_batches,
    load_summarizer,
)
from kosum.models.loading import precision_for
from kosum.models.seq2seq_inputs import encoder_ids, seq2seq_example
from kosum.models.training import trainer as training
from stages import evaluate, predict, train_seq2seq
from tests.conftest import ROOT


def test_train_stage_writes_model_card_and_dvclive(trained_kobart):
    out, live = trained_kobart
    assert json.loads((out / "kosum.json").read_text())["kind"] == "seq2seq"
    assert (out / "model.safetensors").exists() and (out / "tokenizer.json").exists()
    metrics = json.loads((live / "metrics.json").read_text())
    assert 0 < metrics["best_eval_final"] <= 100 and metrics["best_step"] in (60, 120)
    steps = pd.read_csv(live / "plots/metrics/loss.tsv", sep="\t")["step"]
    assert list(steps) == list(range(10, 121, 10))  # x-axis is the trainer's global step
    assert not (live.parent.parent / "dvc.yaml").exists()  # DVCLive did not write a dvc.yaml


def test_training_lowers_the_loss(trained_kobart):
    _, live = trained_kobart
    loss = pd.read_csv(live / "plots/metrics/loss.tsv", sep="\t")["loss"]
    assert loss.iloc[-1] < 0.8 * loss.iloc[0]


def test_prediction_keeps_tags_and_is_deterministic(workspace, trained_kobart, tmp_path):
    model_dir, _ = trained_kobart
    runs = []
    for name in ("a", "b"):
        predict.main([workspace.config("decode.yaml"), str(model_dir), str(workspace.processed), str(tmp_path / name),
                      "--name", "kobart"])
        runs.append((tmp_path / name / "submission.csv").read_bytes())
    assert runs[0] == runs[1]
    submission = pd.read_csv(tmp_path / "a/submission.csv", dtype=str, keep_default_na=False)
    test = read_processed(workspace.processed / "test.csv")
    assert list(submission.columns) == ["fname", "summary"]
    assert list(submission["fname"]) == list(test["fname"])
    summaries = " ".join(submission["summary"])
    assert "#Person" in summaries and "<s>" not in summaries and "</s>" not in summaries and "<pad>" not in summaries


def test_evaluate_scores_model_and_lead(workspace, trained_kobart, tmp_path):
    model_dir, live = trained_kobart
    predictions = tmp_path / "predictions"
    predict.main([workspace.config("decode.yaml"), str(model_dir), str(workspace.processed),
                  str(predictions / "kobart"), "--name", "kobart"])
    metrics = tmp_path / "metrics"
    values = {**yaml.safe_load(workspace.params.read_text()),
              "models": {"seq2seq": {"kobart": {"checkpoint": "embedded"}}, "qlora": {}}, "zero_shot": {}}
    params = tmp_path / "params.yaml"
    params.write_text(yaml.safe_dump(values, allow_unicode=True))
    evaluate.main([str(workspace.processed), str(predictions), str(metrics), "--params", str(params)])
    declared = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]["evaluate"]["metrics"]
    assert [next(iter(entry)) for entry in declared] == ["metrics/scores.json"]
    scores = json.loads((metrics / "scores.json").read_text())
    assert set(scores) == {"kobart"}  # lead, data-only, is in the leaderboard alone
    for model in scores.values():
        assert set(model) == {"dev_final", "test_final"} and all(0 <= v <= 100 for v in model.values())
    board = (metrics / "leaderboard.md").read_text()
    assert "| lead |" in board and "| kobart |" in board
    samples = pd.read_csv(metrics / "samples/kobart_dev.csv")
    # novelty: the corpus's novelty.csv
    columns = ["fname", "rouge1", "rouge2", "rougeL", "entity_recall", "entity_hits", "entity_targets", "prediction_chars",
               "prediction", "novelty"]
    assert list(samples.columns) == columns and len(samples) == 16
    assert (live / "curves.png").read_bytes()[:4] == b"\x89PNG"  # written by the training run
    table = pd.read_csv(metrics / "plots" / "scores.csv")
    assert set(table["model"]) == {"lead", "kobart"} and "dev_rouge1" in table.columns
    params.write_text(yaml.safe_dump({**values, "zero_shot": {"nope": {"checkpoint": "models/nope"}}}, allow_unicode=True))
    with pytest.raises(DataError, match="predictions/nope/dev.csv: missing"):
        evaluate.main([str(workspace.processed), str(predictions), str(metrics), "--params", str(params)])


def test_prediction_ids_must_match_the_references(tmp_path):
    path = tmp_path / "dev.csv"
    path.write_text("fname,summary\ndev_0,가\ndev_0,나\ndev_9,다\n")
    with pytest.raises(DataError, match=r"1 duplicate fname\(s\) \['dev_0'\]; 2 missing fname\(s\) \['dev_1', 'dev_2'\]; 1 unexpected fname\(s\) \['dev_9'\]"):
        aligned_predictions(path, ["dev_0", "dev_1", "dev_2"])
    path.write_text("fname,summary\ndev_1,나\ndev_0,가\n")
    assert aligned_predictions(path, ["dev_0", "dev_1"]) == ["가", "나"]


def test_truncated_long_dialogue_still_predicts(workspace, trained_kobart):
    model_dir, _ = trained_kobart
    summarizer = load_summarizer(model_dir)
    long_dialogue = "\n".join(f"#Person{1 + i % 2}#: 오늘 회의는 세 시에 시작해요. 자료를 준비해 주세요." for i in range(400))
    ids = summarizer.encode(long_dialogue, None)
    assert len(ids) == summarizer.card.encoder_max_len and ids[-1] == summarizer.tokenizer.eos_token_id
    cfg = DecodeConfig(num_beams=1, max_new_tokens=10)
    assert summarizer.summarize([long_dialogue], [None], cfg)[0]


@pytest.mark.cpu_kernels
def test_batched_generation_equals_one_at_a_time(workspace, trained_kobart):
    summarizer = load_summarizer(trained_kobart[0])
    dev = read_processed(workspace.processed / "dev.csv").head(6)
    batched = summarizer.summarize(list(dev["dialogue"]), list(dev["topic"]), DecodeConfig(num_beams=1, batch_size=6, max_new_tokens=16))
    single = summarizer.summarize(list(dev["dialogue"]), list(dev["topic"]), DecodeConfig(num_beams=1, batch_size=1, max_new_tokens=16))
    assert batched == single


def test_resume_continues_from_the_last_checkpoint(workspace, tmp_path, monkeypatch):
    """A run killed after its first checkpoint resumes from it instead of starting over."""
    from transformers import TrainerCallback

    class Kill(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            if state.global_step == 70:
                raise KeyboardInterrupt

    real = training.callbacks
    argv = [workspace.config("seq2seq.yaml"), str(workspace.processed), str(workspace.tokenizer),
            str(tmp_path / "model"), str(tmp_path / "live"), "--name", "kobart", "--checkpoints", str(tmp_path / "ckpt"),
            "--params", str(workspace.params)]
    monkeypatch.setattr("kosum.models.training.seq2seq.callbacks", lambda *a: [*real(*a), Kill()])
    with pytest.raises(KeyboardInterrupt):
        train_seq2seq.main(argv)
    (run_dir,) = (tmp_path / "ckpt").iterdir()
    assert [p.name for p in run_dir.iterdir() if p.name.startswith("checkpoint")] == ["checkpoint-60"]

    seen = {}

    def spy(cfg, live, resume):
        seen["resume"] = resume
        return real(cfg, live, resume)

    monkeypatch.setattr("kosum.models.training.seq2seq.callbacks", spy)
    train_seq2seq.main(argv)
    assert seen["resume"] is True
    assert not run_dir.exists()  # checkpoints are dropped once the model is saved
    steps = list(pd.read_csv(tmp_path / "live/plots/metrics/loss.tsv", sep="\t")["step"])
    assert steps == list(range(10, 121, 10))  # the curve continues across the kill, without duplicates


def test_labels_end_with_eos_and_inputs_are_cut_at_the_end():
    from tests.conftest import korean_tokenizer

    tokenizer = korean_tokenizer()
    example = seq2seq_example(tokenizer, "민수씨, 내일 회의에 늦을 것 같아요. " * 50, "민수씨가 늦는다.",
                              encoder_max_len=32, decoder_max_len=8)
    assert len(example["input_ids"]) == 32 and example["input_ids"][0] == tokenizer.bos_token_id
    assert example["labels"][-1] == tokenizer.eos_token_id and len(example["labels"]) <= 8
    assert encoder_ids(tokenizer, "네", 32)[-1] == tokenizer.eos_token_id


def test_precision_never_pairs_bf16_with_a_grad_scaler():
    assert precision_for("cpu", bf16_supported=True) == precision_for("cpu", bf16_supported=False)
    cpu = precision_for("cpu", bf16_supported=True)
    assert cpu.dtype == torch.float32 and not cpu.bf16 and not cpu.fp16
    bf16 = precision_for("cuda", bf16_supported=True)
    assert bf16.dtype == torch.bfloat16 and bf16.bf16 and not bf16.fp16
    old = precision_for("cuda", bf16_supported=False)
    assert old.dtype == torch.float16 and old.fp16 and not old.bf16


def test_clean_summary_and_length_sorting():
    assert clean_summary("<s> #Person1#은  집에 간다.</s><pad><pad>") == "#Person1#은 집에 간다."
    assert clean_summary("요약입니다.<|im_end|>\n<|eot_id|>") == "요약입니다."
    assert length_sorted_batches([3, 9, 1, 7, 5], 2) == [[1, 3], [4, 0], [2]]
