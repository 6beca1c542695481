"""Every model family with a real tokenizer file here (tests/assets) prompts, labels, stops and budgets exactly as
that tokenizer and its published chat template do.

Expected values come from the Hugging Face idiom each model card shows, not from kosum: render with
`apply_chat_template(..., tokenize=False)`, then tokenize the text in one pass (`add_special_tokens=True` where the
template writes no BOS of its own, as SOLAR's card does). Thinking is off (`enable_thinking=False`) and Llama-3.x's
date is given through the template's documented `date_string` variable.
"""

import datetime
import functools

import pytest
from transformers import AutoTokenizer

from kosum.core.config.recipes import DEFAULT_SYSTEM_PROMPT, TEMPLATE_DATE, PromptConfig
from kosum.data.tokenizer import add_tags
from kosum.models.budgets import Lengths, report
from kosum.models.chat_format import chat_format, ready_for_chat, render, stop_token_ids
from kosum.models.generation import clean_summary
from kosum.models.prompts import IGNORE_INDEX, messages, prompt_ids, training_example, training_examples
from tests.real_tokenizers import REAL_FAMILIES, generation_eos_ids, real_tokenizer, save_real_tokenizer

CHAT = sorted(n for n, f in REAL_FAMILIES.items() if f.vocab != "kobart")
THINKING = ("qwen3_hybrid", "qwen3_thinking_2507")
DIALOGUE = "#Person1#: 내일 회의에 늦을 것 같아요.\n#Person2#: 알겠어요. #PhoneNumber#로 전화 주세요."
SUMMARY = "#Person1#은 회의에 늦는다고 말하고, #Person2#는 전화해 달라고 합니다."
CFG = PromptConfig(style="structured", max_prompt_len=4096, max_summary_len=512)
DATE_STRING = datetime.date.fromisoformat(TEMPLATE_DATE).strftime("%d %b %Y")  # "26 Jul 2024"


@functools.cache
def _ready(name: str):
    """One prepared tokenizer per family for the whole module (the tests only read it): loading dominates."""
    tokenizer = real_tokenizer(name)
    return ready_for_chat(tokenizer, model_stops=generation_eos_ids(name, tokenizer))


def _hf_ids(tokenizer, msgs, add_generation_prompt: bool) -> tuple[str, list[int]]:
    """The model card's way: the template's text, tokenized in one pass, BOS added by the tokenizer where the
    template wrote none."""
    text = tokenizer.apply_chat_template(msgs, tokenize=False, add_generation_prompt=add_generation_prompt,
                                         enable_thinking=False, date_string=DATE_STRING)
    writes_bos = tokenizer.bos_token is not None and text.startswith(tokenizer.bos_token)
    return text, tokenizer(text, add_special_tokens=not writes_bos).input_ids


def _msgs(tokenizer):
    msgs = messages(DIALOGUE, "회의", CFG)
    if not chat_format(tokenizer).system_role:  # Gemma: the system prompt opens the user message
        msgs = [{"role": "user", "content": f"{DEFAULT_SYSTEM_PROMPT}\n\n{msgs[1]['content']}"}]
    return msgs


@pytest.mark.parametrize("name", CHAT)
def test_prompt_is_the_templates_own_text_and_tokens(name):
    tokenizer = _ready(name)
    text, expected = _hf_ids(tokenizer, _msgs(tokenizer), add_generation_prompt=True)
    if name == "qwen3_thinking_2507":  # its generation prompt opens a think block: kosum closes it, empty
        assert text.endswith("<|im_start|>assistant\n<think>\n")
        text, expected = text + "\n</think>\n\n", tokenizer(text + "\n</think>\n\n").input_ids
    if name in THINKING:
        assert text.endswith("<think>\n\n</think>\n\n")
    assert prompt_ids(tokenizer, DIALOGUE, "회의", CFG) == expected
    if tokenizer.bos_token is not None:  # exactly one BOS (SOLAR's template writes none; Llama's writes it)
        assert expected.count(tokenizer.bos_token_id) == 1 and expected[0] == tokenizer.bos_token_id


@pytest.mark.parametrize("name", CHAT)
def test_training_ids_are_one_pass_and_only_the_reply_and_its_stop_are_labelled(name):
    tokenizer = _ready(name)
    example = training_example(tokenizer, DIALOGUE, "회의", SUMMARY, CFG)
    text, expected = _hf_ids(tokenizer, [*_msgs(tokenizer), {"role": "assistant", "content": SUMMARY}], False)
    fmt = chat_format(tokenizer)
    if not fmt.stop_written:  # SOLAR's template ends a reply with nothing: EOS is learnt as its stop
        expected = [*expected, tokenizer.eos_token_id]
    assert example["input_ids"] == expected
    labelled = [t for t in example["labels"] if t != IGNORE_INDEX]
    stop = tokenizer.convert_tokens_to_ids(fmt.end_of_turn)
    assert labelled[-1] == stop and stop not in labelled[:-1]
    assert tokenizer.decode(labelled[:-1]) == SUMMARY  # no think markup, no stray `▁`, nothing of the prompt
    first = example["labels"].index(labelled[0])
    assert example["input_ids"][:first] == prompt_ids(tokenizer, DIALOGUE, "회의", CFG)  # what generation reads


@pytest.mark.parametrize("name", CHAT)
def test_stops_are_the_templates_and_every_generation_config_eos_and_pad_is_none(name):
    tokenizer = _ready(name)
    model_stops = generation_eos_ids(name, tokenizer)
    stops = stop_token_ids(tokenizer, model_stops)
    assert set(model_stops) <= set(stops)
    assert stops[0] == tokenizer.convert_tokens_to_ids(chat_format(tokenizer).end_of_turn)
    assert tokenizer.pad_token_id not in stops and tokenizer.padding_side == "left"
    conversation = [*_msgs(tokenizer), {"role": "assistant", "content": SUMMARY}]
    assert tokenizer.pad_token not in render(tokenizer, conversation, add_generation_prompt=False)


def test_bllossom_pads_with_a_token_its_generation_config_stops_at():
    """Bllossom-8B's tokenizer pads with `<|end_of_text|>`, the eos id of its generation config: kosum re-picks."""
    tokenizer = real_tokenizer("llama3_bllossom8b")
    assert tokenizer.pad_token == "<|end_of_text|>"
    assert _ready("llama3_bllossom8b").pad_token not in ("<|end_of_text|>", "<|eot_id|>")


def test_a_template_date_is_pinned_and_recorded():
    """Llama-3.2 writes `Today Date:` from the clock; kosum's prompts read `template_date` instead, whatever day
    it is (`strftime_now` is what the template calls)."""
    tokenizer = _ready("llama32_instruct")
    decoded = tokenizer.decode(prompt_ids(tokenizer, DIALOGUE, None, CFG))
    assert f"Today Date: {DATE_STRING}\n" in decoded
    later = PromptConfig(**{**CFG.__dict__, "template_date": "2031-01-02"})
    assert "Today Date: 02 Jan 2031\n" in tokenizer.decode(prompt_ids(tokenizer, DIALOGUE, None, later))
    today = datetime.date.today().strftime("%d %b %Y")
    assert today not in decoded or today == DATE_STRING
    with pytest.raises(ValueError, match="template_date must be a date"):
        PromptConfig(template_date="today")


def test_think_markup_never_reaches_a_summary():
    assert clean_summary("<think>\n\n</think>\n\n두 사람이 만납니다.") == "두 사람이 만납니다."
    assert clean_summary("<think>\n회의 얘기다.\n</think>\n\n두 사람이 만납니다.") == "두 사람이 만납니다."


@pytest.mark.parametrize("name", ["llama32_instruct", "qwen3_instruct_2507", "solar_instruct"])
def test_saved_and_reloaded_tokenizer_prompts_the_same(name, tmp_path):
    """`predict` reads the tokenizer the train stage saved: same template, pad, BOS and prompt ids."""
    tokenizer = _ready(name)
    tokenizer.save_pretrained(tmp_path)
    loaded = ready_for_chat(AutoTokenizer.from_pretrained(tmp_path), model_stops=generation_eos_ids(name, tokenizer))
    assert loaded.pad_token == tokenizer.pad_token
    assert prompt_ids(loaded, DIALOGUE, None, CFG) == prompt_ids(tokenizer, DIALOGUE, None, CFG)


def test_kobart_output_keeps_tags_glued_to_their_particles(tmp_path):
    """KoBART's SentencePiece step marked the text after a tag as a new word: `#Person1#은` came back `#Person1# 은`."""
    tokenizer = real_tokenizer("kobart")
    add_tags(tokenizer)
    texts = [SUMMARY, DIALOGUE, "#Person2# 씨는 #Address#에 삽니다.", "#Person1#: 네.\n#Person2#: 아니요."]
    for text in texts:
        assert tokenizer.decode(tokenizer(text, add_special_tokens=False).input_ids) == text
    tokenizer.save_pretrained(tmp_path)
    loaded = AutoTokenizer.from_pretrained(tmp_path)
    assert [loaded.decode(loaded(t, add_special_tokens=False).input_ids) for t in texts] == texts


def _summary_lengths(name: str, rows: list[dict]) -> list[int]:
    lengths = Lengths()
    training_examples(_ready(name), rows, CFG, lengths)
    return lengths.summaries


def test_budgets_are_measured_with_the_models_own_tokenizer(processed_rows):
    """The same summaries take several times more tokens in a 32k SentencePiece vocabulary (byte fallback for most
    Hangul) than in Qwen's; the budget check names the key to raise."""
    qwen = _summary_lengths("qwen3_instruct_2507", processed_rows)
    solar = _summary_lengths("solar_instruct", processed_rows)
    assert sum(solar) > 1.5 * sum(qwen)
    limit = sorted(solar)[len(solar) // 2]  # cuts about half of them
    lengths = Lengths([100] * len(solar), solar)
    with pytest.raises(ValueError, match=rf"configs/qlora.yaml max_summary_len={limit} would cut \d+ of "
                                         rf"{len(solar)} train summaries .* raise configs/qlora.yaml max_summary_len "
                                         rf"to at least {max(solar)}"):
        report(lengths, prompt_key="configs/qlora.yaml max_prompt_len", prompt_limit=768,
               summary_key="configs/qlora.yaml max_summary_len", summary_limit=limit, max_share=0.0,
               share_key="configs/qlora.yaml max_cut_share")
    line = report(lengths, prompt_key="max_prompt_len", prompt_limit=768, summary_key="max_summary_len",
                  summary_limit=max(solar), max_share=0.01, share_key="max_cut_share")
    assert f"max_summary_len={max(solar)} cuts 0 of {len(solar)} summaries" in line


@pytest.fixture(scope="module")
def processed_rows(workspace):
    import pandas as pd

    frame = pd.read_csv(workspace.processed / "train.csv", dtype=str, keep_default_na=False)
    return frame.head(40).to_dict("records")


def test_vendored_tokenizer_folder_loads_as_the_hub_one(tmp_path):
    path = save_real_tokenizer("qwen3_hybrid", tmp_path)
    assert AutoTokenizer.from_pretrained(path).convert_tokens_to_ids("</think>") == 151668
