"""Chat formats: what any tokenizer's own template says about an assistant turn, documented plain formats for models
without a template, and the Llama-3 / ChatML formats of the embedded models.

Why read the template instead of a table of families: kosum fine-tunes whatever causal LM `params.yaml` names
(Llama-3, Qwen3, SOLAR, Gemma, EXAONE, polyglot-ko, ...). Rendering one probe conversation with and without the
assistant's reply shows where the reply goes, which token ends it and what the template writes after it, for any
template; a template with no end-of-turn token (SOLAR's) ends the reply with EOS. A tokenizer without a template
(base models, polyglot-ko, KULLM) gets one of the plain formats those models document, installed as its template so
training, prediction and a saved adapter all use the same text.

Why the prompt is the conversation's own text up to the reply: thinking templates (Qwen3) write an empty think
block before the reply when thinking is off, Thinking-2507's generation prompt even opens one; taking the prompt from
the rendered conversation puts that block in the prompt, never in a label or a summary. Every render switches
thinking off (`enable_thinking=False`, ignored by templates without the switch) and pins the template's clock
(Llama-3.1+ write today's date), so a prompt is a pure function of its inputs and the recorded `template_date`.

The embedded tokenizers carry Llama-3's and Qwen3's real control tokens and a template that renders system, user and
assistant messages and the generation prompt byte-identically to the real one (tools, date headers and thinking
blocks are left out), so the code paths they exercise are the hub checkpoints' paths.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import transformers.utils.chat_template_utils as template_utils
from jinja2.exceptions import TemplateError
from transformers import GenerationConfig, PreTrainedTokenizerBase

from kosum.core.config.recipes import TEMPLATE_DATE

# Llama-3's template: the first message gets the BOS token, every message is trimmed.
LLAMA_TEMPLATE = (
    "{%- for message in messages -%}"
    "{%- if loop.first -%}{{ bos_token }}{%- endif -%}"
    "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' }}"
    "{{ message['content'] | trim + '<|eot_id|>' }}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif -%}"
)

# Qwen3-Instruct-2507's ChatML: no default system message and, unlike Qwen3's thinking models, no `<think>` block.
QWEN_TEMPLATE = (
    "{%- for message in messages -%}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<|im_start|>assistant\\n' }}{%- endif -%}"
)


@dataclass(frozen=True)
class ChatFamily:
    """One chat format: the control tokens a tokenizer needs and the template that uses them."""

    name: str
    header_token: str  # opens every message
    end_of_turn: str  # ends an assistant reply, so it is the generation EOS and the last labelled token
    pad_token: str  # distinct from end_of_turn, so padding can never be mistaken for (or mask) a real stop
    chat_template: str
    bos_token: str | None = None
    extra_tokens: tuple[str, ...] = ()

    @property
    def special_tokens(self) -> tuple[str, ...]:
        """Every control token of the family, each to be a single id."""
        named = (self.bos_token, self.header_token, self.end_of_turn, self.pad_token)
        return tuple(t for t in named if t is not None) + self.extra_tokens


FAMILIES: dict[str, ChatFamily] = {
    "llama": ChatFamily(
        name="llama",
        header_token="<|start_header_id|>",
        end_of_turn="<|eot_id|>",
        pad_token="<|finetune_right_pad_id|>",
        chat_template=LLAMA_TEMPLATE,
        bos_token="<|begin_of_text|>",
        extra_tokens=("<|end_header_id|>",),
    ),
    "qwen": ChatFamily(
        name="qwen",
        header_token="<|im_start|>",
        end_of_turn="<|im_end|>",
        pad_token="<|endoftext|>",
        chat_template=QWEN_TEMPLATE,
    ),
}


def install_chat_format(tokenizer: PreTrainedTokenizerBase, family: str) -> PreTrainedTokenizerBase:
    """Give an embedded model's tokenizer the control tokens and template of `family` (in place; returned too).

    EOS becomes the end-of-turn token because that is where a chat reply stops. Resize the model's embeddings to
    `len(tokenizer)` afterwards.
    """
    if family not in FAMILIES:
        raise ValueError(f"unknown chat family {family!r}; choose one of {sorted(FAMILIES)}.")
    fam = FAMILIES[family]
    if tokenizer.chat_template and tokenizer.chat_template != fam.chat_template:
        raise ValueError(f"tokenizer already has a different chat template; kosum does not replace it with {family!r}.")
    named = {"eos_token": fam.end_of_turn, "pad_token": fam.pad_token}
    if fam.bos_token is not None:
        named["bos_token"] = fam.bos_token
    tokenizer.add_special_tokens(
        {**named, "extra_special_tokens": [fam.header_token, *fam.extra_tokens]},
        replace_extra_special_tokens=False,
    )
    tokenizer.chat_template = fam.chat_template
    return ready_for_chat(tokenizer)


# Plain formats for tokenizers without a chat template, as the models document them. A system prompt, when set, takes
# the place of the format's preamble (that is the preamble's role); the reply ends with EOS, where generation stops.
KULLM_PREAMBLE = "아래는 작업을 설명하는 명령어입니다. 요청을 적절히 완료하는 응답을 작성하세요."
ALPACA_PREAMBLE = (
    "Below is an instruction that describes a task. Write a response that appropriately completes the request."
)


def _plain_template(preamble: str, user: str, assistant: str, reply_lead: str = "") -> str:
    """A one-turn instruction format: `preamble` (or the system prompt), the user text after `user`, the generation
    prompt `assistant`, then `reply_lead`, the reply and EOS."""
    opening = (
        "{%- if messages[0]['role'] == 'system' -%}{{ messages[0]['content'] + '\\n\\n' }}"
        + ("{%- else -%}{{ '" + preamble + "\\n\\n' }}" if preamble else "")
        + "{%- endif -%}"
    )
    return (
        opening
        + "{%- for message in messages -%}"
        "{%- if message['role'] == 'user' -%}{{ '" + user + "' + message['content'] + '\\n\\n' }}"
        "{%- elif message['role'] == 'assistant' -%}"
        "{{ '" + assistant + reply_lead + "' + message['content'] + eos_token }}"
        "{%- endif -%}"
        "{%- endfor -%}"
        "{%- if add_generation_prompt -%}{{ '" + assistant + "' }}{%- endif -%}"
    )


PLAIN_FORMATS: dict[str, str] = {
    # KULLM-v2, polyglot-ko-12.8b instruction-tuned (github.com/nlpai-lab/KULLM templates/kullm.json, prompt_no_input).
    "kullm": _plain_template(KULLM_PREAMBLE, "### 명령어:\\n", "### 응답:\\n"),
    # KoAlpaca (github.com/Beomi/KoAlpaca README): `### 질문: ...\\n\\n### 답변:`, trained as `### 답변: {output}<eos>`.
    "koalpaca": _plain_template("", "### 질문: ", "### 답변:", reply_lead=" "),
    # Stanford Alpaca (tatsu-lab/stanford_alpaca train.py, `prompt_no_input`; the output follows `### Response:`).
    "alpaca": _plain_template(ALPACA_PREAMBLE, "### Instruction:\\n", "### Response:"),
}

# Conventional pad tokens, tried in order when a tokenizer has no pad token or pads with a stop token.
PAD_CANDIDATES = ("<pad>", "<|pad|>", "<|padding|>", "[PAD]", "<|finetune_right_pad_id|>", "<|endoftext|>", "<unk>")
PROBE_REPLY = "\x00kosum-reply\x00"  # stands for the reply when the template is probed


@dataclass(frozen=True, kw_only=True)
class ChatFormat:
    """What kosum needs to know about a chat template, read from the template itself."""

    system_role: bool  # False: the template rejects system messages, so the system prompt opens the user message
    end_of_turn: str  # ends a reply: the template's own stop token, or EOS where the template writes none (SOLAR)
    reply_suffix: str  # all the template writes after the reply text (`<|im_end|>\\n` for ChatML, '' for SOLAR)
    before_stop: str = ""  # the part of `reply_suffix` before the stop token (whitespace): learnt with the reply
    after_stop: str = ""  # the part after it (ChatML's newline): input, never a target; dropped where EOS is added
    reply_lead: str = ""  # what the template writes between the generation prompt and the reply (an empty think
    # block, KoAlpaca's space)
    stop_written: bool = True  # False: the template writes no stop after a reply, so EOS is appended (SOLAR)

    @property
    def prompt_lead(self) -> str:
        """The part of `reply_lead` that belongs to the prompt: all but trailing spaces, which tokenizers attach to
        the reply's first word (newlines and think markup stay in the prompt)."""
        return self.reply_lead.rstrip(" \t")

    @property
    def reply_space(self) -> str:
        return self.reply_lead[len(self.prompt_lead) :]


def chat_format(tokenizer: PreTrainedTokenizerBase) -> ChatFormat:
    """The chat format of a tokenizer's template (an error names the way out when it has none)."""
    if not isinstance(tokenizer.chat_template, str) or not tokenizer.chat_template:
        raise ValueError(
            f"tokenizer {tokenizer.name_or_path!r} has no chat template; call ready_for_chat(tokenizer, plain_format) "
            f"with one of {sorted(PLAIN_FORMATS)} (configs/qlora.yaml plain_format)."
        )
    return _read_template(tokenizer, tokenizer.chat_template, tokenizer.eos_token)


@functools.lru_cache(maxsize=16)
def _read_template(tokenizer: PreTrainedTokenizerBase, template: str, eos_token: str | None) -> ChatFormat:
    """Render a probe conversation with and without the reply (read once per tokenizer, template and EOS: the last
    two are only the cache key, as a tokenizer object hashes by identity)."""
    system, user = {"role": "system", "content": "S"}, {"role": "user", "content": "U"}
    reply = {"role": "assistant", "content": PROBE_REPLY}
    try:
        render(tokenizer, [system, user, reply], add_generation_prompt=False)
        msgs = [system, user]
    except TemplateError:  # Gemma's templates raise on a system message
        msgs = [user]
    prompt = render(tokenizer, msgs, add_generation_prompt=True)
    full = render(tokenizer, [*msgs, reply], add_generation_prompt=False)
    if not full.startswith(prompt) or PROBE_REPLY not in full[len(prompt):]:
        raise ValueError(
            f"the chat template of {tokenizer.name_or_path!r} does not write the assistant's reply after its "
            "generation prompt, so kosum cannot tell the prompt from the reply."
        )
    lead, _, suffix = full[len(prompt) :].partition(PROBE_REPLY)
    stop = suffix.lstrip()
    added = (t.content for t in tokenizer.added_tokens_decoder.values() if t.special)
    own = [t for t in {*tokenizer.all_special_tokens, *added} if stop.startswith(t)]
    if own:
        eot = max(own, key=len)
        return ChatFormat(system_role=len(msgs) == 2, end_of_turn=eot, reply_suffix=suffix,
                          before_stop=suffix[: len(suffix) - len(stop)], after_stop=stop[len(eot) :], reply_lead=lead)
    if tokenizer.eos_token is None:
        raise ValueError(f"tokenizer {tokenizer.name_or_path!r}: its template ends a reply with no special token "
                         "and it has no EOS token to end one with; set eos_token.")
    return ChatFormat(system_role=len(msgs) == 2, end_of_turn=tokenizer.eos_token, reply_suffix=suffix, reply_lead=lead,
                      stop_written=False)


def is_plain(tokenizer: PreTrainedTokenizerBase) -> bool:
    """Whether the tokenizer's template is one of kosum's plain formats (it has a preamble of its own)."""
    return tokenizer.chat_template in PLAIN_FORMATS.values()


def render(tokenizer: PreTrainedTokenizerBase, msgs: list[dict[str, str]], *, add_generation_prompt: bool,
           date: str = TEMPLATE_DATE) -> str:
    """The template's text for `msgs`, thinking off and the template's clock reading `date`."""
    with _pinned_clock(datetime.date.fromisoformat(date)):
        return tokenizer.apply_chat_template(msgs, tokenize=False, add_generation_prompt=add_generation_prompt,
                                             enable_thinking=False)


@contextlib.contextmanager
def _pinned_clock(day: datetime.date) -> Iterator[None]:
    """Make the templates' `strftime_now` read `day`. Why patch: transformers turns any callable passed to a
    template into a string, so its `strftime_now` global (which calls this module's `datetime.now`) is the only
    door; `test_a_template_date_is_pinned` fails if a transformers release closes it."""
    real = template_utils.datetime

    class Pinned(real):  # type: ignore[misc,valid-type]
        @classmethod
        def now(cls, tz=None):  # noqa: ARG003 - the templates ask for a local date
            return cls(day.year, day.month, day.day)

    template_utils.datetime = Pinned
    try:
        yield
    finally:
        template_utils.datetime = real


def generation_stops(config: GenerationConfig | None) -> list[int]:
    """The eos ids of a model's generation config (an int, a list or None): a model may end with any of them
    (Llama-3.x instruct: `<|end_of_text|>`, `<|eom_id|>`, `<|eot_id|>`)."""
    eos = None if config is None else config.eos_token_id
    return [] if eos is None else [eos] if isinstance(eos, int) else list(eos)


def stop_token_ids(tokenizer: PreTrainedTokenizerBase, model_stops: Iterable[int] = ()) -> list[int]:
    """Ids that end generation: end-of-turn, EOS, and every eos id of the model's generation config."""
    ids = [tokenizer.convert_tokens_to_ids(chat_format(tokenizer).end_of_turn), tokenizer.eos_token_id, *model_stops]
    return list(dict.fromkeys(i for i in ids if i is not None))


def ready_for_chat(tokenizer: PreTrainedTokenizerBase, plain_format: str = "kullm",
                   model_stops: Iterable[int] = ()) -> PreTrainedTokenizerBase:
    """Make any causal LM's tokenizer safe for batched training and generation (in place; returned too): a chat
    template (`plain_format` if it has none), a pad token that is none of the stops (`model_stops`: the model's
    generation-config eos ids; Llama-3 ships no pad, Bllossom pads with a stop of its generation config, SOLAR and
    polyglot-ko pad with EOS) and left padding."""
    if not tokenizer.chat_template:
        if plain_format not in PLAIN_FORMATS:
            raise ValueError(f"unknown plain_format {plain_format!r}; choose one of {sorted(PLAIN_FORMATS)}.")
        tokenizer.chat_template = PLAIN_FORMATS[plain_format]
    stops = set(tokenizer.convert_ids_to_tokens(stop_token_ids(tokenizer, model_stops)))
    if tokenizer.pad_token is None or tokenizer.pad_token in stops:
        tokenizer.pad_token = _spare_pad(tokenizer, stops)
    tokenizer.padding_side = "left"
    tokenizer.init_kwargs["padding_side"] = "left"  # save_pretrained persists only attributes named in init_kwargs
    return tokenizer


def _spare_pad(tokenizer: PreTrainedTokenizerBase, stops: set[str]) -> str:
    """A pad token that is no stop: a conventional pad name in the vocabulary, else the first special token the
    template never writes (polyglot-ko's `<|unused0|>`); pads are masked out, so any such id serves."""
    vocab = tokenizer.get_vocab()
    named = [t for t in PAD_CANDIDATES if t in vocab]
    written = render(tokenizer, [{"role": "user", "content": "U"}, {"role": "assistant", "content": "A"}],
                     add_generation_prompt=True)
    spare = [t.content for _, t in sorted(tokenizer.added_tokens_decoder.items()) if t.special]
    pad = next((t for t in [*named, *spare] if t not in stops and t not in written and t != tokenizer.bos_token), None)
    if pad is None:
        raise ValueError(f"tokenizer {tokenizer.name_or_path!r} pads with a stop token ({tokenizer.pad_token!r}) and "
                         "has no other special token to pad with; add a pad token to it first.")
    return pad
