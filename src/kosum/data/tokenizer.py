"""The tokenizer of the embedded models: byte-level BPE trained on the train split only.

Why byte-level: it round-trips any Korean text exactly (no `<unk>`, no normalisation). Why tags as *non-special*
added tokens: `#Person1#` and `#PhoneNumber#` must be one token each (a model should not spell them out), yet survive
`decode(..., skip_special_tokens=True)`, which deletes anything registered as special.
"""

from __future__ import annotations

from collections.abc import Iterable

from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerBase, PreTrainedTokenizerFast

from kosum.core.tags import TAG

SPECIAL_TOKENS = {"bos_token": "<s>", "pad_token": "<pad>", "eos_token": "</s>", "unk_token": "<unk>", "mask_token": "<mask>"}
SPEAKER_TAGS = tuple(f"#Person{i}#" for i in range(1, 8))
MASK_TAGS = (
    "#PhoneNumber#", "#Address#", "#DateOfBirth#", "#PassportNumber#",
    "#SSN#", "#CardNumber#", "#CarNumber#", "#Email#",
)


def find_tags(texts: Iterable[str]) -> dict[str, int]:
    """Count every `#Word#` tag (speakers and masked personal data) in `texts`."""
    counts: dict[str, int] = {}
    for text in texts:
        for tag in TAG.findall(text):
            counts[tag] = counts.get(tag, 0) + 1
    return dict(sorted(counts.items()))


def train_tokenizer(
    texts: list[str], *, vocab_size: int, min_frequency: int, special_tokens: dict[str, str] | None = None
) -> PreTrainedTokenizerFast:
    """Train a byte-level BPE on `texts`; known tags plus every tag found in `texts` become single tokens.
    `special_tokens` (BART's `<s>`, `</s>`, `<pad>`, ... by default) name the tokenizer's special tokens."""
    special_tokens = special_tokens or SPECIAL_TOKENS
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        special_tokens=list(dict.fromkeys(special_tokens.values())),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(texts, trainer)
    add_tags(tokenizer, texts)
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, clean_up_tokenization_spaces=False, **special_tokens)


def add_tags(tokenizer: Tokenizer | PreTrainedTokenizerBase, texts: Iterable[str] = ()) -> int:
    """Register speaker and mask tags as single, non-special tokens; returns how many were new."""
    tags = sorted({*SPEAKER_TAGS, *MASK_TAGS, *find_tags(texts)})
    added = tokenizer.add_tokens([AddedToken(tag, special=False, normalized=False) for tag in tags])
    glue_after_tags(tokenizer)
    return added


def glue_after_tags(tokenizer: Tokenizer | PreTrainedTokenizerBase) -> None:
    """Make a SentencePiece-style tokenizer (KoBART's, T5's) keep a particle glued to the tag before it.

    Why: its Metaspace step marks the start of every piece of text between added tokens as a word start, so
    `#Person1#은` is encoded as `#Person1#`, `▁은` and decoded as `#Person1# 은`, unlike the data. Marking only the
    start of the whole text (`prepend_scheme="first"`, as Llama's fast tokenizers do) keeps `#Person1#은` and
    `#Person1# 씨` apart, both ways. Byte-level tokenizers (the embedded one) have no such step."""
    backend = tokenizer if isinstance(tokenizer, Tokenizer) else getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        return
    for part, kind in (("pre_tokenizer", pre_tokenizers.Metaspace), ("decoder", decoders.Metaspace)):
        component = getattr(backend, part)
        if isinstance(component, kind) and component.prepend_scheme == "always":
            component.prepend_scheme = "first"
            setattr(backend, part, component)
