"""Prompt styles render as specified, truncation only cuts the dialogue, and only the summary is labelled."""

import pytest
from transformers import PreTrainedTokenizerFast

from kosum.core.config.recipes import DEFAULT_SYSTEM_PROMPT, PromptConfig
from kosum.core.errors import ConfigError
from kosum.models.chat_format import KULLM_PREAMBLE
from kosum.models.prompts import (
    IGNORE_INDEX,
    INSTRUCTIONS,
    check_topics,
    messages,
    prompt_ids,
    training_example,
    training_examples,
)
from tests.chat_formats import FORMATS, REPLY, SYSTEM, USER, Format, format_tokenizer

DIALOGUE = "#Person1#: 내일 회의에 늦을 것 같아요.\n#Person2#: 전화번호를 알려 주세요."
SUMMARY = "민수는 회의에 늦는다고 말했다."

GOLDEN_USER = {
    "simple": "#Person1#: 내일 회의에 늦을 것 같아요.\n#Person2#: 전화번호를 알려 주세요.\n\n"
    "요약해주세요.",
    "structured": "[Conversation]\n#Person1#: 내일 회의에 늦을 것 같아요.\n"
    "#Person2#: 전화번호를 알려 주세요.\n\n"
    "[Question]\n위 업무 주제에 대한 대화를 요약해주세요.",
    "instruction": "### Instruction:\n다음 대화를 읽고 핵심 내용을 요약해주세요.\n\n"
    "### Input:\n#Person1#: 내일 회의에 늦을 것 같아요.\n#Person2#: 전화번호를 알려 주세요.\n\n"
    "### Response:",
}


@pytest.fixture(params=sorted(FORMATS))
def name(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def fmt(name: str) -> Format:
    return FORMATS[name]


@pytest.fixture
def tokenizer(name: str) -> PreTrainedTokenizerFast:
    return format_tokenizer(name)


def _cfg(style: str = "structured", **kwargs) -> PromptConfig:
    """A prompt that names the topic (the golden prompts show where it goes)."""
    return PromptConfig(style=style, system_prompt=SYSTEM, **{"topic": True, **kwargs})


def _long_dialogue(tokenizer: PreTrainedTokenizerFast, min_tokens: int = 3000) -> str:
    lines = [
        "민수씨, 내일 회의에 늦을 것 같아요. 정말 고마워요!",
        "지영씨, 주말에 등산을 가기로 했어요. 버스가 늦게 와서 힘들었어요.",
        "선생님, 도서관에서 책을 빌렸습니다. #PhoneNumber#로 전화 주세요.",
    ]
    turns = [f"#Person{i % 2 + 1}#: {lines[i % 3]}" for i in range(400)]
    dialogue = "\n".join(turns)
    assert len(tokenizer(dialogue, add_special_tokens=False).input_ids) > min_tokens
    return dialogue


def _text(tokenizer: PreTrainedTokenizerFast, fmt: Format, ids: list[int]) -> str:
    """The prompt as its format documents it; where the tokenizer adds BOS, that BOS comes first and only once."""
    if fmt.tokenizer_bos:
        assert ids[0] == tokenizer.bos_token_id and ids.count(tokenizer.bos_token_id) == 1
        ids = ids[1:]
    return tokenizer.decode(ids)


@pytest.mark.parametrize("style", ["simple", "structured", "instruction"])
def test_golden_prompt_for_each_style(tokenizer, fmt, style):
    text = _text(tokenizer, fmt, prompt_ids(tokenizer, DIALOGUE, "업무", _cfg(style)))
    assert text == fmt.prompt.replace(USER, GOLDEN_USER[style])


def test_structured_prompt_without_topic_asks_about_the_dialogue():
    for topic in (None, "", "  "):
        user = messages(DIALOGUE, topic, _cfg("structured"))[-1]["content"]
        assert user.endswith("\n\n[Question]\n위 대화를 요약해주세요.")


def test_the_topic_is_asked_only_where_the_prompt_says_so(tmp_path):
    # the default (params.yaml prompt.topic: false): every split is asked alike, topic or not
    for topic in (None, "업무"):
        user = messages(DIALOGUE, topic, PromptConfig(style="structured"))[-1]["content"]
        assert user.endswith("\n\n[Question]\n위 대화를 요약해주세요.")
    assert "위 업무 주제에 대한 대화를" in messages(DIALOGUE, "업무", _cfg("structured"))[-1]["content"]
    # with the topic, a split without one (the competition's test.csv) stops the run before training
    (tmp_path / "train.csv").write_text("fname,dialogue,summary,topic\n", encoding="utf-8")
    (tmp_path / "test.csv").write_text("fname,dialogue\n", encoding="utf-8")
    check_topics(PromptConfig(), tmp_path)
    with pytest.raises(ConfigError, match=r"qlora.yaml topic is true, but .*test.csv has no topic column"):
        check_topics(_cfg(), tmp_path)


def test_empty_system_prompt_is_left_out():
    msgs = messages(DIALOGUE, None, PromptConfig(style="simple", system_prompt=""))
    assert [m["role"] for m in msgs] == ["user"]


def test_short_dialogue_is_not_cut(tokenizer, fmt):
    ids = prompt_ids(tokenizer, DIALOGUE, "업무", _cfg("structured"))
    expected = fmt.prompt.replace(USER, GOLDEN_USER["structured"])
    assert ids == tokenizer(expected, add_special_tokens=fmt.tokenizer_bos).input_ids  # as the model card tokenizes
    assert DIALOGUE in tokenizer.decode(ids)


@pytest.mark.parametrize("style", ["simple", "structured", "instruction"])
def test_long_dialogue_is_cut_and_the_frame_is_kept(tokenizer, fmt, style):
    cfg = _cfg(style, max_prompt_len=256)
    ids = prompt_ids(tokenizer, _long_dialogue(tokenizer), "업무", cfg)
    text = _text(tokenizer, fmt, ids)
    head = fmt.prompt[: fmt.prompt.index(SYSTEM) + len(SYSTEM)]
    tail = GOLDEN_USER[style].split(DIALOGUE)[1] + fmt.prompt.split(USER)[1]
    assert cfg.max_prompt_len - 8 <= len(ids) <= cfg.max_prompt_len  # cut to fit, not far below it
    assert text.startswith(head)
    assert text.endswith(tail)
    assert "#Person1#: 민수씨, 내일 회의에 늦을 것 같아요. 정말 고마워요!\n#Person2#:" in text  # the head is kept


def test_prompt_without_room_for_the_dialogue_is_an_error(tokenizer):
    cfg = PromptConfig(style="simple", system_prompt=SYSTEM * 20, max_prompt_len=64)
    with pytest.raises(ValueError, match="max_prompt_len"):
        prompt_ids(tokenizer, _long_dialogue(tokenizer), None, cfg)


@pytest.mark.parametrize("style", ["simple", "structured", "instruction"])
@pytest.mark.parametrize("long", [False, True])
def test_training_prompt_equals_prediction_prompt(tokenizer, style, long):
    cfg = _cfg(style, max_prompt_len=200)
    dialogue = _long_dialogue(tokenizer) if long else DIALOGUE
    prompt = prompt_ids(tokenizer, dialogue, "업무", cfg)
    example = training_example(tokenizer, dialogue, "업무", SUMMARY, cfg)
    assert example["input_ids"][: len(prompt)] == prompt
    assert example["labels"][: len(prompt)] == [IGNORE_INDEX] * len(prompt)


def test_only_summary_and_end_of_turn_are_labelled(tokenizer, fmt):
    example = training_example(tokenizer, DIALOGUE, "업무", SUMMARY, _cfg("structured"))
    labelled = [label for label in example["labels"] if label != IGNORE_INDEX]
    reply = fmt.reply.replace(REPLY, SUMMARY)
    reply = reply[: len(reply) - len(fmt.after_stop)]  # the documented reply, to its stop
    if not reply.endswith(fmt.end_of_turn):  # SOLAR's template writes no stop; the reply must learn EOS anyway
        reply += fmt.end_of_turn
    assert tokenizer.decode(labelled) == reply
    assert labelled[-1] == tokenizer.convert_tokens_to_ids(fmt.end_of_turn)
    start = example["labels"].index(labelled[0])
    assert example["input_ids"][start : start + len(labelled)] == labelled  # one contiguous labelled span
    assert tokenizer.decode(example["input_ids"][start + len(labelled) :]) == fmt.after_stop  # input, not target


def test_long_summary_is_cut_keeping_end_of_turn(tokenizer, fmt):
    cfg = _cfg("simple", max_summary_len=8)
    example = training_example(tokenizer, DIALOGUE, None, SUMMARY * 10, cfg)
    labelled = [label for label in example["labels"] if label != IGNORE_INDEX]
    assert len(labelled) == cfg.max_summary_len
    assert labelled[-1] == tokenizer.convert_tokens_to_ids(fmt.end_of_turn)


def test_instruction_variants_repeat_each_row_with_distinct_instructions(tokenizer):
    rows = [{"dialogue": DIALOGUE, "topic": "업무", "summary": SUMMARY}] * 3
    examples = training_examples(tokenizer, rows, _cfg("instruction", instruction_variants=3))
    assert len(examples) == 9
    for row in range(3):
        texts = [tokenizer.decode(e["input_ids"]) for e in examples[3 * row : 3 * row + 3]]
        used = {i for i, instruction in enumerate(INSTRUCTIONS) for text in texts if instruction in text}
        assert used == {(row + k) % len(INSTRUCTIONS) for k in range(3)}
    assert examples == training_examples(tokenizer, rows, _cfg("instruction", instruction_variants=3))


def test_without_variants_every_row_uses_the_prediction_instruction(tokenizer):
    rows = [{"dialogue": DIALOGUE, "summary": SUMMARY}] * 2
    examples = training_examples(tokenizer, rows, _cfg("instruction"))
    assert len(examples) == 2
    assert all(INSTRUCTIONS[0] in tokenizer.decode(e["input_ids"]) for e in examples)


def test_variants_need_the_instruction_style():
    with pytest.raises(ValueError, match="instruction_variants needs style: instruction"):
        _cfg("structured", instruction_variants=2)


def test_instructions_are_distinct_paraphrases():
    assert len(set(INSTRUCTIONS)) == len(INSTRUCTIONS) == 5


def test_a_plain_format_keeps_its_own_preamble_unless_a_system_prompt_is_set():
    """KULLM was trained with its preamble; kosum's default system prompt is for chat templates only."""
    kullm, chatml = format_tokenizer("kullm"), format_tokenizer("chatml")
    unset = kullm.decode(prompt_ids(kullm, DIALOGUE, None, PromptConfig(style="simple")))
    assert unset.startswith(f"{KULLM_PREAMBLE}\n\n### 명령어:\n#Person1#")
    chosen = kullm.decode(prompt_ids(kullm, DIALOGUE, None, PromptConfig(style="simple", system_prompt="요약하세요.")))
    assert chosen.startswith("요약하세요.\n\n### 명령어:\n#Person1#")
    assert DEFAULT_SYSTEM_PROMPT in chatml.decode(prompt_ids(chatml, DIALOGUE, None, PromptConfig(style="simple")))
    none = chatml.decode(prompt_ids(chatml, DIALOGUE, None, PromptConfig(style="simple", system_prompt="")))
    assert "system" not in none
