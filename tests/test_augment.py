"""Test-time input variants: what each rewrites, that summaries map back, and that predict adds their candidates."""

import pandas as pd
import pytest

from kosum.core.config.decode import DecodeConfig
from kosum.core.config.recipes import PromptConfig
from kosum.core.errors import ConfigError
from kosum.models.candidates import candidate_frame
from kosum.models.variants import MASK, input_variant, mask_words, reorder_turns, replace_synonyms, swap_tags
from tests.conftest import causal_card

DIALOGUE = "#Person1#: 지금 정말 빨리 가야 해요.\n#Person2#: 네, 같이 가요.\n#Person1#: 고마워요.\n#Person3#: 저도요."


def test_swapping_speakers_trades_the_tags_and_their_particles():
    summary = "#Person1#은 #Person2#에게 사과하고, #Person2#는 #Person1#과 간다. #Person2#가 웃고 #Person3#는 본다."
    assert swap_tags(summary) == ("#Person2#는 #Person1#에게 사과하고, #Person1#은 #Person2#와 간다. "
                                  "#Person1#이 웃고 #Person3#는 본다.")
    assert swap_tags(swap_tags(summary)) == summary
    assert swap_tags("#Person1#을 #Person2#랑") == "#Person2#를 #Person1#이랑"


def test_perturbations_are_seeded_per_dialogue_and_keep_the_speakers_turns():
    shuffled = reorder_turns(DIALOGUE)
    assert shuffled == reorder_turns(DIALOGUE) and sorted(shuffled.split("\n")) == sorted(DIALOGUE.split("\n"))
    assert replace_synonyms(DIALOGUE).startswith("#Person1#: 이제 진짜 얼른 가야 해요.")
    masked = mask_words(DIALOGUE, share=0.5)
    assert masked == mask_words(DIALOGUE, share=0.5) and MASK in masked
    assert [t.split(": ")[0] for t in masked.split("\n")] == [t.split(": ")[0] for t in DIALOGUE.split("\n")]


def test_an_unknown_variant_is_a_named_error():
    with pytest.raises(ConfigError, match="unknown test-time variant 'paraphrase'"):
        input_variant("paraphrase")


class EchoSummarizer:
    """Summarizes a dialogue as its first turn, its topic and the instruction asked: enough to see where each
    candidate came from."""

    causal = True

    def __init__(self, topic: bool = True):
        self.card = causal_card(PromptConfig(topic=topic))

    def candidates(self, dialogues, topics, cfg, progress=False, instruction_idx=0, at_cap=None, label=""):
        if at_cap is not None:
            at_cap[:] = [False] * len(dialogues)
        return [[f"{d.split(chr(10))[0]} {t} {instruction_idx} ({i + 1})" for i in range(cfg.n_best + cfg.samples)]
                for d, t in zip(dialogues, topics)]


FRAME = pd.DataFrame({"fname": ["a"], "dialogue": [DIALOGUE], "topic": ["약속"]})


def test_predict_adds_each_variants_beams_mapped_back():
    cfg = DecodeConfig(num_beams=2, n_best=2, samples=1, tta=("swap_speakers",), prompt_variants=("no_topic",
                                                                                                  "instruction3"))
    table = candidate_frame(EchoSummarizer(), FRAME, cfg).set_index("source")["summary"]
    assert list(table.index) == ["beam1", "beam2", "sample1", "swap_speakers:beam1", "swap_speakers:beam2",
                                 "no_topic:beam1", "no_topic:beam2", "instruction3:beam1", "instruction3:beam2"]
    # the rewrite's first turn is spoken by #Person2#; mapped back it is #Person1#'s again
    assert table["swap_speakers:beam1"] == "#Person1#: 지금 정말 빨리 가야 해요. 약속 0 (1)"
    assert table["no_topic:beam2"] == "#Person1#: 지금 정말 빨리 가야 해요. None 0 (2)"
    assert table["instruction3:beam1"] == "#Person1#: 지금 정말 빨리 가야 해요. 약속 3 (1)"


def test_prompt_variants_need_a_prompt():
    seq2seq = EchoSummarizer()
    seq2seq.causal = False
    with pytest.raises(ConfigError, match="an encoder-decoder has no prompt"):
        candidate_frame(seq2seq, FRAME, DecodeConfig(prompt_variants=("no_topic",)))
    with pytest.raises(ConfigError, match="unknown prompt variant 'shout'"):
        candidate_frame(EchoSummarizer(), FRAME, DecodeConfig(prompt_variants=("shout",)))
    # without a topic in the prompt, `no_topic` would ask exactly what beam1 asks
    with pytest.raises(ConfigError, match="prompt_variants no_topic: this model's prompt has no topic"):
        candidate_frame(EchoSummarizer(topic=False), FRAME, DecodeConfig(prompt_variants=("no_topic",)))
