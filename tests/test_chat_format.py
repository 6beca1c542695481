"""The embedded tokenizers render each family's real chat format and keep it through save/load."""

import pytest
from transformers import AutoTokenizer, PreTrainedTokenizerFast

from kosum.chat_format import FAMILIES, end_of_turn_id, family_of, install_chat_format
from tests.conftest import korean_tokenizer

SYSTEM = "당신은 대화를 요약하는 어시스턴트입니다."
USER = "#Person1#: 안녕하세요.\n#Person2#: 반가워요."
REPLY = "두 사람이 인사했다."

GOLDEN_PROMPT = {
    "llama": "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
    "당신은 대화를 요약하는 어시스턴트입니다.<|eot_id|>"
    "<|start_header_id|>user<|end_header_id|>\n\n#Person1#: 안녕하세요.\n#Person2#: 반가워요.<|eot_id|>"
    "<|start_header_id|>assistant<|end_header_id|>\n\n",
    "qwen": "<|im_start|>system\n당신은 대화를 요약하는 어시스턴트입니다.<|im_end|>\n"
    "<|im_start|>user\n#Person1#: 안녕하세요.\n#Person2#: 반가워요.<|im_end|>\n"
    "<|im_start|>assistant\n",
}
GOLDEN_CONVERSATION = {
    "llama": "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
    "당신은 대화를 요약하는 어시스턴트입니다.<|eot_id|>"
    "<|start_header_id|>user<|end_header_id|>\n\n#Person1#: 안녕하세요.\n#Person2#: 반가워요.<|eot_id|>"
    "<|start_header_id|>assistant<|end_header_id|>\n\n두 사람이 인사했다.<|eot_id|>",
    "qwen": "<|im_start|>system\n당신은 대화를 요약하는 어시스턴트입니다.<|im_end|>\n"
    "<|im_start|>user\n#Person1#: 안녕하세요.\n#Person2#: 반가워요.<|im_end|>\n"
    "<|im_start|>assistant\n두 사람이 인사했다.<|im_end|>\n",
}


@pytest.fixture(params=sorted(FAMILIES))
def chat_tokenizer(request: pytest.FixtureRequest) -> PreTrainedTokenizerFast:
    return install_chat_format(korean_tokenizer(), request.param)


def _conversation(with_reply: bool) -> list[dict[str, str]]:
    msgs = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": USER}]
    return msgs + [{"role": "assistant", "content": REPLY}] if with_reply else msgs


def test_generation_prompt_matches_the_real_format(chat_tokenizer):
    text = chat_tokenizer.apply_chat_template(_conversation(False), tokenize=False, add_generation_prompt=True)
    assert text == GOLDEN_PROMPT[family_of(chat_tokenizer)]


def test_full_conversation_matches_the_real_format(chat_tokenizer):
    text = chat_tokenizer.apply_chat_template(_conversation(True), tokenize=False)
    assert text == GOLDEN_CONVERSATION[family_of(chat_tokenizer)]


def test_each_special_token_is_one_id(chat_tokenizer):
    family = FAMILIES[family_of(chat_tokenizer)]
    for token in family.special_tokens:
        ids = chat_tokenizer(token, add_special_tokens=False).input_ids
        assert ids == [chat_tokenizer.convert_tokens_to_ids(token)], token
    assert len(chat_tokenizer("#Person1#", add_special_tokens=False).input_ids) == 1


def test_eos_is_end_of_turn_and_pad_differs(chat_tokenizer):
    family = FAMILIES[family_of(chat_tokenizer)]
    assert chat_tokenizer.eos_token == family.end_of_turn
    assert chat_tokenizer.eos_token_id == end_of_turn_id(chat_tokenizer)
    assert chat_tokenizer.pad_token_id != chat_tokenizer.eos_token_id
    assert chat_tokenizer.padding_side == "left"


def test_save_and_load_keeps_the_format(chat_tokenizer, tmp_path):
    chat_tokenizer.save_pretrained(tmp_path)
    loaded = AutoTokenizer.from_pretrained(tmp_path)
    assert loaded.chat_template == chat_tokenizer.chat_template
    assert (loaded.eos_token, loaded.pad_token, loaded.padding_side) == (
        chat_tokenizer.eos_token,
        chat_tokenizer.pad_token,
        "left",
    )
    for token in FAMILIES[family_of(loaded)].special_tokens:
        assert loaded.convert_tokens_to_ids(token) == chat_tokenizer.convert_tokens_to_ids(token)
    msgs = _conversation(True)
    assert loaded.apply_chat_template(msgs, return_dict=False) == chat_tokenizer.apply_chat_template(
        msgs, return_dict=False
    )


def test_family_is_read_from_template_or_vocabulary():
    tokenizer = install_chat_format(korean_tokenizer(), "qwen")
    assert family_of(tokenizer) == "qwen"
    tokenizer.chat_template = None
    assert family_of(tokenizer) == "qwen"
    with pytest.raises(ValueError, match="install_chat_format"):
        family_of(korean_tokenizer())


def test_an_existing_template_is_never_replaced():
    tokenizer = install_chat_format(korean_tokenizer(), "llama")
    assert install_chat_format(tokenizer, "llama") is tokenizer
    with pytest.raises(ValueError, match="different chat template"):
        install_chat_format(tokenizer, "qwen")
    with pytest.raises(ValueError, match="unknown chat family"):
        install_chat_format(korean_tokenizer(), "gemma")
