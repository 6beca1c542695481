"""T5 (pko-t5) and mBART (50 and cc25) through the same seq2seq path as BART: frames read from each tokenizer, the
task prefix and language codes kept, decoding started as training starts it, and the stage scripts end to end."""

import json

import pandas as pd
import pytest
import torch
from transformers import (
    AutoModelForSeq2SeqLM,
    MBart50Tokenizer,
    MBartConfig,
    MBartForConditionalGeneration,
    MBartTokenizer,
    T5Config,
    T5ForConditionalGeneration,
    T5Tokenizer,
)

from kosum.core.config.recipes import Seq2SeqConfig
from kosum.models.generation import load_summarizer
from kosum.models.loading import load_seq2seq
from kosum.models.seq2seq_inputs import decoding_start, encoder_ids, label_ids, special_frame
from stages import predict, train_seq2seq
from tests.conftest import korean_tokenizer

KINDS = ("t5", "mbart50", "mbart_cc25")
RECIPE = {"t5": {"source_prefix": "요약: "}, "mbart50": {"lang": "ko_KR"}, "mbart_cc25": {"lang": "ko_KR"}}


def _tokenizer(kind: str, texts: list[str]):
    """A character-level Unigram tokenizer of the real class (T5's or mBART's), as sentencepiece checkpoints load."""
    chars = sorted({c for text in texts for c in text if not c.isspace()})
    pieces = [("▁", -2.0), *((c, -3.0) for c in chars), *(("▁" + c, -3.5) for c in chars)]
    if kind == "t5":
        return T5Tokenizer(vocab=[("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), *pieces], extra_ids=0)
    cls = MBart50Tokenizer if kind == "mbart50" else MBartTokenizer
    return cls(vocab=[("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), *pieces])


def _model(kind: str, tokenizer):
    torch.manual_seed(0)
    if kind == "t5":
        return T5ForConditionalGeneration(T5Config(
            vocab_size=len(tokenizer), d_model=32, d_ff=64, d_kv=16, num_layers=1, num_decoder_layers=1, num_heads=2,
            pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
            decoder_start_token_id=tokenizer.pad_token_id))
    return MBartForConditionalGeneration(MBartConfig(
        vocab_size=len(tokenizer), d_model=32, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
        decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64, max_position_embeddings=300,
        pad_token_id=tokenizer.pad_token_id, bos_token_id=0, eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.eos_token_id, forced_eos_token_id=tokenizer.eos_token_id))


@pytest.fixture(scope="module", params=KINDS)
def checkpoint(request, workspace, tmp_path_factory):
    """(kind, folder) of a tiny hub-style checkpoint whose vocabulary covers the tiny corpus."""
    train = pd.read_csv(workspace.processed / "train.csv", dtype=str, keep_default_na=False)
    tokenizer = _tokenizer(request.param, [*train["dialogue"], *train["summary"]])
    path = tmp_path_factory.mktemp(request.param)
    _model(request.param, tokenizer).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return request.param, path


def _loaded(kind: str, path):
    return load_seq2seq(str(path), Seq2SeqConfig(**RECIPE[kind]), path)


def test_frames_follow_each_tokenizer(checkpoint):
    kind, path = checkpoint
    _, tokenizer = _loaded(kind, path)
    eos, ko = tokenizer.eos_token_id, tokenizer.convert_tokens_to_ids("ko_KR")
    expected = {"t5": (([], [eos]), ([], [eos])), "mbart50": (([ko], [eos]), ([ko], [eos])),
                "mbart_cc25": (([], [eos, ko]), ([], [eos, ko]))}[kind]
    assert (special_frame(tokenizer, target=False), special_frame(tokenizer, target=True)) == expected


def test_truncation_keeps_the_prefix_and_the_frame(checkpoint):
    kind, path = checkpoint
    _, tokenizer = _loaded(kind, path)
    prefix = RECIPE[kind].get("source_prefix", "")
    ids = encoder_ids(tokenizer, "민수씨, 내일 회의에 늦을 것 같아요. " * 40, 24, prefix)
    before, after = special_frame(tokenizer, target=False)
    assert len(ids) == 24 and ids[: len(before)] == before and ids[len(ids) - len(after):] == after
    text = tokenizer.decode(ids, skip_special_tokens=True)
    assert text.startswith(prefix + "민수씨") if prefix else text.startswith("민수씨")
    labels = label_ids(tokenizer, "민수씨가 늦는다." * 10, 8)
    assert len(labels) == 8 and labels[-1] in (tokenizer.eos_token_id, tokenizer.convert_tokens_to_ids("ko_KR"))


def test_decoding_starts_as_training_does(checkpoint):
    kind, path = checkpoint
    model, tokenizer = _loaded(kind, path)
    eos, ko, pad = tokenizer.eos_token_id, tokenizer.convert_tokens_to_ids("ko_KR"), tokenizer.pad_token_id
    expected = {"t5": {"decoder_start_token_id": pad},  # T5 starts from pad, nothing forced
                "mbart50": {"decoder_start_token_id": eos, "forced_bos_token_id": ko},  # </s>, then ko_KR forced
                "mbart_cc25": {"decoder_start_token_id": ko}}[kind]  # cc25 starts from the language code
    assert decoding_start(model, tokenizer) == expected
    assert all(getattr(model.generation_config, key) == value for key, value in expected.items())


def test_embedded_bart_decoding_is_unchanged(workspace):
    model, tokenizer = load_seq2seq("embedded", Seq2SeqConfig(), workspace.tokenizer)
    assert decoding_start(model, tokenizer) == {"decoder_start_token_id": tokenizer.bos_token_id}
    assert encoder_ids(tokenizer, "네", 16)[0] == tokenizer.bos_token_id  # `<s> ... </s>` as KoBART was trained
    assert special_frame(korean_tokenizer(), target=True) == ([], [korean_tokenizer().eos_token_id])


def test_train_and_predict_stages(workspace, checkpoint, tmp_path):
    kind, path = checkpoint
    # the family's recipe values (task prefix, language code) are the entry's own: the shared recipe file stays
    params = workspace.params_with(f"params_{kind}", train={"max_steps": 20, "eval_steps": 10},
                                   models={"seq2seq": {"kobart": {"checkpoint": str(path), **RECIPE[kind]}}})
    out = tmp_path / "model"
    train_seq2seq.main([workspace.config("seq2seq.yaml"), str(workspace.processed), str(workspace.tokenizer), str(out), str(tmp_path / "live"),
                        "--name", "kobart", "--checkpoints", str(tmp_path / "ckpt"), "--params", str(params)])
    card = json.loads((out / "kosum.json").read_text())
    assert (card["source_prefix"], card["lang"]) == (RECIPE[kind].get("source_prefix", ""), RECIPE[kind].get("lang", ""))
    model = AutoModelForSeq2SeqLM.from_pretrained(out)
    assert decoding_start(model, _loaded(kind, out)[1]).items() <= model.generation_config.to_dict().items()
    predict.main([workspace.config("decode.yaml"), str(out), str(workspace.processed), str(tmp_path / "pred"),
                  "--name", "kobart", "--params", str(params)])
    submission = pd.read_csv(tmp_path / "pred/submission.csv", dtype=str, keep_default_na=False)
    test = pd.read_csv(workspace.processed / "test.csv", dtype=str, keep_default_na=False)
    assert list(submission["fname"]) == list(test["fname"])
    assert not submission["summary"].str.contains("ko_KR|</s>|<pad>", regex=True).any()
    dialogue = "#Person1#: 민수씨, 내일 회의에 늦을 것 같아요."
    trained_tokenizer = _loaded(kind, out)[1]
    assert load_summarizer(out).encode(dialogue, None) == encoder_ids(
        trained_tokenizer, dialogue, card["encoder_max_len"], card["source_prefix"])  # predict frames as training did
    assert len(trained_tokenizer("#Person1#", add_special_tokens=False).input_ids) == 1
