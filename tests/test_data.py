"""Raw CSV validation and cleaning: each noise kind is fixed, each bad input is a named error."""

import random

import pytest

from kosum.core.errors import DataError
from kosum.data.corpus import generate_split
from kosum.data.corpus.noise import ALL_KINDS, add_independent_noise, add_noise
from kosum.data.reading import (
    clean_text,
    noise_counts,
    read_raw_dir,
    read_split,
    references,
)

CLEAN = "#Person1#: 안녕하세요.\n#Person2#: 네, 반가워요."


@pytest.mark.parametrize(
    "noisy",
    [
        "#Person1#: 안녕하세요.\\n#Person2#: 네, 반가워요.",  # literal backslash-n
        "#Person1#: 안녕하세요.<br>#Person2#: 네, 반가워요.",
        "#Person1#: 안녕하세요.<br/>#Person2#: 네, 반가워요.",
        "#Person1#:  안녕하세요.\n#Person2#: 네,  반가워요.",  # doubled spaces
        "#Person1# : 안녕하세요.\n#Person2#:네, 반가워요.",  # speaker-tag spacing
        "# Person1 #: 안녕하세요.\n#person2#: 네, 반가워요.",  # speaker-tag spelling
        "#Person1#: 안녕하세요. \r\n\n#Person2#: 네, 반가워요.\n",  # CRLF, blank lines, trailing space
        "#Person1#: 안녕하세요. #Person2#: 네, 반가워요.",  # every turn on one line
        "#Person1#:안녕하세요.#Person2# : 네, 반가워요.",  # one line, odd tag spacing, no space between turns
    ],
)
def test_clean_text_fixes_each_noise_kind(noisy):
    assert clean_text(noisy) == CLEAN


def test_clean_text_keeps_mask_tags_and_words():
    text = "#Person1#: 제 번호는 #PhoneNumber#이고 주소는 #Address#예요."
    assert clean_text(text) == text


def test_a_tag_inside_a_turn_is_not_split():
    text = "#Person1#: #Person2#에게 물어봐. #Person2#는 알 거야.\n#Person2#: 응, #Person1#는 몰라?"
    assert clean_text(text) == text
    assert clean_text(text.replace("\n", " ")) == text
    assert noise_counts(text.replace("\n", " "))["one_line_turns"] == 1


# Which count of `noise_counts` each injected kind raises.
COUNTED_AS = {"literal_newline": "literal_newline", "br_newline": "br_tag", "double_space": "repeated_spaces",
              "tag_spacing": "speaker_tag_spacing", "one_line": "one_line_turns",
              "trailing_space": "space_before_newline", "jamo_typo": "stray_jamo"}
DIALOGUES = [e.dialogue for e in generate_split("dev", 60, 42)]


def test_every_kind_is_counted():
    assert set(COUNTED_AS) == set(ALL_KINDS)


@pytest.mark.parametrize("kind", sorted(COUNTED_AS))
def test_clean_text_undoes_each_injected_kind_and_counts_it(kind):
    rng = random.Random(0)
    for dialogue in DIALOGUES:
        assert not any(noise_counts(dialogue).values())
        noisy = ALL_KINDS[kind](dialogue, rng)
        # a typo cannot be corrected without knowing the word: kept, only counted
        assert clean_text(noisy) == (noisy if kind == "jamo_typo" else dialogue)
        assert noise_counts(noisy)[COUNTED_AS[kind]] > 0


def test_clean_text_undoes_the_kinds_combined():
    rng = random.Random(0)
    rates = {"one_line": 0.3, "trailing_space": 1.0, "jamo_typo": 0.0}
    for dialogue in DIALOGUES:
        assert clean_text(add_independent_noise(add_noise(dialogue, rng), rates, rng)) == dialogue


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


GOOD = {
    "train.csv": 'fname,dialogue,summary,topic\ntrain_0,"#Person1#: 안녕.\n#Person2#: 응.",#Person1#이 인사한다.,인사\n',
    "dev.csv": "fname,dialogue,summary,topic\ndev_0,#Person1#: 네.,#Person1#이 답한다.,인사\n",
    "test.csv": "fname,dialogue,topic\ntest_0,#Person1#: 네.,인사\n",
}


def raw_dir(tmp_path, **overrides):
    for name, text in {**GOOD, **overrides}.items():
        if text is not None:
            write(tmp_path / name, text)
    return tmp_path


def test_good_raw_dir_reads_all_splits(tmp_path):
    splits = read_raw_dir(raw_dir(tmp_path))
    assert set(splits) == {"train", "dev", "test"}
    assert splits["train"].frame["dialogue"][0] == "#Person1#: 안녕.\n#Person2#: 응."


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"train.csv": "fname,dialogue,topic\ntrain_0,#Person1#: 네.,x\n"}, r"train.csv: missing column\(s\) \['summary'\]"),
        ({"dev.csv": "fname,dialogue,summary\ndev_0,  ,요약\n"}, r"dev.csv, row 1 \(fname 'dev_0'\), column 'dialogue': empty"),
        ({"test.csv": "fname,dialogue\ntest_0,a\ntest_1,b\ntest_0,c\n"}, r"test.csv, row 3, column 'fname': duplicate fname 'test_0'"),
        ({"train.csv": "fname,dialogue,summary\ntrain_0,a,요약\ntrain_1,b,\n"}, r"train.csv, row 2 \(fname 'train_1'\), column 'summary': empty"),
        ({"extra.csv": "a,b\n1,2\n"}, r"unknown file\(s\) \['extra.csv'\]"),
        ({"dev.csv": None}, r"dev.csv: required file is missing"),
    ],
)
def test_bad_input_is_a_named_error(tmp_path, overrides, message):
    with pytest.raises(DataError, match=message):
        read_raw_dir(raw_dir(tmp_path, **overrides))


def test_non_utf8_names_file_and_line(tmp_path):
    path = write(tmp_path / "train.csv", "fname,dialogue,summary\ntrain_0,안녕,요약\n", encoding="cp949")
    with pytest.raises(DataError, match=r"train.csv: not UTF-8 \(byte \d+, line 2\)"):
        read_split(path, "train")


def test_missing_folder_points_at_the_param(tmp_path):
    with pytest.raises(DataError, match="set preprocess.raw_dir"):
        read_raw_dir(tmp_path / "nope")


def test_references_collect_every_answer(tmp_path):
    path = write(tmp_path / "test_answers.csv", "fname,summary_1,summary_2,summary_3\ntest_0,가,나,다\ntest_1,라,,\n")
    assert references(read_split(path, "test_answers").frame) == [["가", "나", "다"], ["라"]]


def test_cleanup_is_counted(tmp_path):
    dialogue = "#Person1# : 네ㅋ.<br>#Person2#: 응. \n#Person1#: 그래.\\n#Person2#: 좋아. #Person1#: 알았어."
    path = write(tmp_path / "dev.csv", f'fname,dialogue,summary\ndev_0,"{dialogue}",요약\n')
    split = read_split(path, "dev")
    assert split.fixes == {"literal_newline": 1, "br_tag": 1, "speaker_tag_spacing": 1, "repeated_spaces": 0,
                           "space_before_newline": 1, "one_line_turns": 1, "stray_jamo": 1}
    assert split.frame["dialogue"][0] == ("#Person1#: 네ㅋ.\n#Person2#: 응.\n#Person1#: 그래.\n#Person2#: 좋아.\n"
                                          "#Person1#: 알았어.")


@pytest.mark.parametrize("name", ["train.csv", "dev.csv", "test.csv"])
def test_header_without_rows_is_a_named_error(tmp_path, name):
    header = GOOD[name].split("\n")[0] + "\n"
    with pytest.raises(DataError, match=rf"{name}: has a header but no rows"):
        read_raw_dir(raw_dir(tmp_path, **{name: header}))
