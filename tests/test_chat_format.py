"""Chat formats are read from each template; template-less models get a documented format; pads are never stops."""

import typing

import pytest
from transformers import AutoTokenizer

from kosum.core.config.recipes import PlainFormat
from kosum.data.tokenizer import train_tokenizer
from kosum.models.chat_format import (
    FAMILIES,
    PLAIN_FORMATS,
    chat_format,
    install_chat_format,
    ready_for_chat,
    render,
    stop_token_ids,
)
from tests.chat_formats import FORMATS, POLYGLOT_TOKENS, REPLY, SYSTEM, USER, format_tokenizer, hub_tokenizer
from tests.conftest import korean_lines, korean_tokenizer

CONVERSATION = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": USER}]


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_stop_and_system_role_are_read_from_the_template(name):
    tokenizer, fmt = format_tokenizer(name), FORMATS[name]
    read = chat_format(tokenizer)
    assert read.end_of_turn == fmt.end_of_turn and read.after_stop == fmt.after_stop
    assert read.system_role == (name != "gemma")  # Gemma's template raises on a system message
    assert stop_token_ids(tokenizer)[0] == tokenizer.convert_tokens_to_ids(fmt.end_of_turn)
    assert tokenizer.eos_token_id in stop_token_ids(tokenizer)  # an instruct model may end with either


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_pad_is_no_stop_and_padding_is_left(name):
    tokenizer = format_tokenizer(name)
    assert tokenizer.pad_token_id is not None and tokenizer.pad_token_id not in stop_token_ids(tokenizer)
    assert tokenizer.pad_token not in render(tokenizer, [*CONVERSATION[1:], {"role": "assistant", "content": REPLY}],
                                             add_generation_prompt=True)
    assert tokenizer.padding_side == "left"


def test_pads_chosen_for_hub_tokenizers_that_pad_with_a_stop():
    assert format_tokenizer("solar").pad_token == "<unk>"  # SOLAR pads with EOS, which is its stop
    assert format_tokenizer("kullm").pad_token == "<|unused0|>"  # polyglot-ko: EOS = pad, no pad-named token
    assert format_tokenizer("gemma").pad_token == "<pad>"  # a pad that is no stop is kept


def test_a_tokenizer_with_only_stop_tokens_cannot_pad():
    # no spare special token
    tokenizer = train_tokenizer(korean_lines(), vocab_size=500, min_frequency=1, special_tokens=POLYGLOT_TOKENS)
    with pytest.raises(ValueError, match="add a pad token"):
        ready_for_chat(tokenizer, "kullm")


def test_without_a_template_the_plain_format_is_installed_and_saved(tmp_path):
    tokenizer = ready_for_chat(hub_tokenizer("kullm"), "koalpaca")
    assert tokenizer.chat_template == PLAIN_FORMATS["koalpaca"]
    tokenizer.save_pretrained(tmp_path)
    loaded = AutoTokenizer.from_pretrained(tmp_path)
    # predict reads what training wrote
    assert render(loaded, CONVERSATION, add_generation_prompt=True) == FORMATS["koalpaca"].prompt
    assert ready_for_chat(loaded, "kullm").chat_template == PLAIN_FORMATS["koalpaca"]  # a template is never replaced


def test_plain_format_names_agree_with_the_config_and_are_checked():
    assert set(PLAIN_FORMATS) == set(typing.get_args(PlainFormat))
    with pytest.raises(ValueError, match="unknown plain_format 'vicuna'"):
        ready_for_chat(hub_tokenizer("kullm"), "vicuna")
    with pytest.raises(ValueError, match="no chat template; call ready_for_chat"):
        chat_format(hub_tokenizer("kullm"))


def test_a_template_that_drops_the_reply_is_refused():
    tokenizer = hub_tokenizer("solar")
    tokenizer.chat_template = "{% for m in messages %}{% if m['role'] == 'user' %}{{ m['content'] }}{% endif %}{% endfor %}"
    with pytest.raises(ValueError, match="cannot tell the prompt from the reply"):
        chat_format(tokenizer)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_embedded_special_tokens_are_one_id_each(family):
    tokenizer = install_chat_format(korean_tokenizer(), family)
    for token in FAMILIES[family].special_tokens:
        assert tokenizer(token, add_special_tokens=False).input_ids == [tokenizer.convert_tokens_to_ids(token)], token
    assert len(tokenizer("#Person1#", add_special_tokens=False).input_ids) == 1
    assert tokenizer.eos_token == FAMILIES[family].end_of_turn


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_save_and_load_keeps_the_embedded_format(family, tmp_path):
    tokenizer = install_chat_format(korean_tokenizer(), family)
    tokenizer.save_pretrained(tmp_path)
    loaded = AutoTokenizer.from_pretrained(tmp_path)
    assert loaded.chat_template == tokenizer.chat_template
    assert (loaded.eos_token, loaded.pad_token, loaded.padding_side) == (tokenizer.eos_token, tokenizer.pad_token, "left")
    for token in FAMILIES[family].special_tokens:
        assert loaded.convert_tokens_to_ids(token) == tokenizer.convert_tokens_to_ids(token)
    msgs = [*CONVERSATION, {"role": "assistant", "content": REPLY}]
    assert loaded.apply_chat_template(msgs, return_dict=False) == tokenizer.apply_chat_template(msgs, return_dict=False)


def test_an_existing_template_is_never_replaced():
    tokenizer = install_chat_format(korean_tokenizer(), "llama")
    assert install_chat_format(tokenizer, "llama") is tokenizer
    with pytest.raises(ValueError, match="different chat template"):
        install_chat_format(tokenizer, "qwen")
    with pytest.raises(ValueError, match="unknown chat family"):
        install_chat_format(korean_tokenizer(), "gemma")
