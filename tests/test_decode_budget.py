"""Decoding never cuts what training taught (issue 38): `max_new_tokens` below a model's trained summary budget is a
one-line error before the model loads, and each prediction records whether it ran to the cap, for the leaderboard."""

from __future__ import annotations

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from kosum.core.config.card import Seq2SeqCard, write_model_card
from kosum.core.config.decode import DecodeConfig, check_summary_room, load_decode
from kosum.core.config.loader import load_file
from kosum.core.config.params import Params
from kosum.core.config.recipes import BartSizeConfig, PromptConfig, QloraConfig, Seq2SeqConfig
from kosum.core.errors import ConfigError
from kosum.evaluation.caps import decoding_shares, decoding_table
from kosum.models.generation import Summarizer
from kosum.models.loading import embedded_bart
from tests.conftest import ROOT, causal_card, korean_tokenizer

CAUSAL = causal_card(PromptConfig(style="simple", max_prompt_len=256, max_summary_len=96))


def test_a_cap_below_the_trained_budget_is_one_line_naming_both_keys():
    with pytest.raises(ConfigError) as error:
        check_summary_room(DecodeConfig(max_new_tokens=64), CAUSAL, "configs/decode.yaml:qwen_qlora")
    text = str(error.value)
    assert "\n" not in text and text.startswith("configs/decode.yaml:qwen_qlora: max_new_tokens 64 is below "
                                                "configs/qlora.yaml max_summary_len 96")
    with pytest.raises(ConfigError, match=r"kobart: max_new_tokens 99 is below configs/seq2seq.yaml decoder_max_len"):
        check_summary_room(DecodeConfig(max_new_tokens=99),
                           Seq2SeqCard(kind="seq2seq", encoder_max_len=512, decoder_max_len=100), "decode.yaml:kobart")
    check_summary_room(DecodeConfig(max_new_tokens=96), CAUSAL, "x")  # equal is enough


def test_the_shipped_decode_file_leaves_room_for_every_model():
    params = load_file(Params, ROOT / "params.yaml")
    budgets = {"seq2seq": load_file(Seq2SeqConfig, ROOT / "configs/seq2seq.yaml").decoder_max_len,
               "causal": load_file(QloraConfig, ROOT / "configs/qlora.yaml").max_summary_len}
    for name in params.scored:
        kind = "seq2seq" if name == "kobart" else "causal"
        cap = load_decode(ROOT / "configs/decode.yaml", name).max_new_tokens
        assert cap >= budgets[kind], (name, cap, budgets[kind])


def test_predict_stops_before_loading_the_model(workspace, tmp_path):
    """The check reads the card only: a folder with a card and no weights fails on the budget, not on loading."""
    from stages import predict

    write_model_card(tmp_path, CAUSAL)
    decode = tmp_path / "decode.yaml"
    decode.write_text("default: {max_new_tokens: 64}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"decode.yaml:qwen_qlora: max_new_tokens 64 is below .* 96"):
        predict.main([str(decode), str(tmp_path), str(workspace.processed), str(tmp_path / "out"), "--name",
                      "qwen_qlora"])
    assert not (tmp_path / "out").exists()


def _fixed_generation(model, new_tokens: list[int], start: int | None = None):
    """`model.generate` returning `new_tokens` after the prompt (a causal LM) or after the decoder's `start` token."""
    def generate(input_ids, attention_mask, **kwargs):
        if start is None:
            return torch.cat([input_ids, torch.tensor([new_tokens])], dim=1)
        return torch.tensor([[start, *new_tokens]])
    model.generate = generate


def test_a_prediction_is_at_the_cap_when_it_used_every_new_token(tiny_base):
    tokenizer = AutoTokenizer.from_pretrained(tiny_base)
    model = AutoModelForCausalLM.from_pretrained(tiny_base)
    summarizer = Summarizer(model, tokenizer, CAUSAL)
    stops = summarizer.stop_ids(summarizer.generate_kwargs(DecodeConfig(num_beams=1)))
    eos, pad = min(stops), tokenizer.pad_token_id
    word = next(i for i in range(50, len(tokenizer)) if i not in stops and i != pad)
    # stopped early (then padded); no stop at all; a stop in the last of 4 places (what a forced EOS looks like)
    found = []
    for new_tokens in ([word, eos, pad, pad], [word] * 4, [word, word, word, eos]):
        _fixed_generation(model, new_tokens)
        flags: list[bool] = []
        summarizer.candidates(["#Person1#: 네."], [None], DecodeConfig(num_beams=1, max_new_tokens=4), at_cap=flags)
        found += flags
    assert found == [False, True, True]


def test_the_leaderboard_shows_the_shares_at_the_cap_and_empty(tmp_path):
    for model, flags in (("kobart", [False, False, False, True]), ("qwen_qlora", [True, True, False, False])):
        (tmp_path / model).mkdir()
        rows = [f"{split},{split}_{i},{flag}" for i, flag in enumerate(flags) for split in ("dev", "test")]
        (tmp_path / model / "stops.csv").write_text("split,fname,at_cap\n" + "\n".join(rows) + "\n")
    (tmp_path / "ensemble").mkdir()  # no stops.csv: its empty share only
    (tmp_path / "ensemble/submission.csv").write_text("fname,summary\ntest_0,요약\ntest_1,\ntest_2, \ntest_3,요약\n")
    shares = decoding_shares({name: tmp_path / name for name in ("kobart", "qwen_qlora", "ensemble")})
    assert shares == {"kobart": {"dev at cap": 0.25, "test at cap": 0.25},
                      "qwen_qlora": {"dev at cap": 0.5, "test at cap": 0.5}, "ensemble": {"test empty": 0.5}}
    table = decoding_table(shares)
    assert "| model | dev at cap | test at cap | test empty |" in table
    assert "| qwen_qlora | 50.0 % | 50.0 % | - |" in table and "| ensemble | - | - | 50.0 % |" in table
    assert decoding_table({"kobart": {}}) == ""


def test_an_encoder_decoders_start_token_is_no_stop():
    """BART starts decoding with its EOS (KoBART's decoder_start_token_id): only the tokens after it count."""
    tokenizer = korean_tokenizer()
    model = embedded_bart(tokenizer, BartSizeConfig(d_model=16, encoder_layers=1, decoder_layers=1,
                                                    attention_heads=2, ffn_dim=32), 64)
    summarizer = Summarizer(model, tokenizer, Seq2SeqCard(kind="seq2seq", encoder_max_len=64, decoder_max_len=4))
    eos, word = tokenizer.eos_token_id, 100
    found = []
    for new_tokens in ([word, eos, 0, 0], [word] * 4):
        _fixed_generation(model, new_tokens, start=eos)
        flags: list[bool] = []
        summarizer.candidates(["#Person1#: 네."], [None], DecodeConfig(num_beams=1, max_new_tokens=4), at_cap=flags)
        found += flags
    assert found == [False, True]
