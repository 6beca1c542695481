"""metrics/report.html as evaluate writes it: every dialogue, reference and prediction with its scores, the shared
morphemes marked, text escaped, nothing loaded from elsewhere; and the marking itself."""

import html
import json
import re

import pandas as pd
import pytest

from kosum.evaluation.highlight import segments, shared_spans
from kosum.evaluation.report import in_reference_order, render, rows
from kosum.scoring.rouge import morphemes
from stages import evaluate
from tests.evaluation_project import (
    DEV_PREDICTIONS,
    DEV_REFS,
    DIALOGUES,
    NOVELTY,
    TEST_PREDICTIONS,
    TEST_REFS,
    _project,
)


def _report(root, **kwargs):
    argv = _project(root, **kwargs)
    evaluate.main(argv)
    return (root / "metrics" / "report.html").read_text(encoding="utf-8")


def _text(page):
    """The page's visible text, marks removed (a marked prediction reads as the prediction)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def test_shared_morphemes_are_marked_and_the_pieces_join_back():
    prediction = "#Person2#는 수분 크림 네 개를 주문하고, 카드로 결제합니다."
    reference = "#Person2#가 #Person1#에게 수분 크림을 네 개 달라고 했고, 카드로 값을 치렀습니다."
    pieces = segments(prediction, [reference])
    assert "".join(text for text, _ in pieces) == prediction
    marked = [text for text, shared in pieces if shared]
    assert marked == ["#Person2#", "수분 크림 네 개", "고, 카드로"]
    reference_words = set(morphemes(reference).split())
    for begin, end in shared_spans(prediction, [reference]):  # every marked morpheme is one the reference has
        assert set(morphemes(prediction[begin:end]).split()) <= reference_words


def test_a_full_stop_is_never_marked_and_nothing_shared_is_one_plain_piece():
    assert segments("회의. 회의.", ["회의."]) == [("회의", True), (". ", False), ("회의", True), (".", False)]
    assert segments("점심을 먹는다", ["버스가 늦는다."]) == [("점심을 먹", False), ("는다", True)]
    assert segments("완전히 새로운 말", ["버스"]) == [("완전히 새로운 말", False)]
    assert segments("", ["버스"]) == []


def test_report_lists_every_dialogue_reference_and_prediction(tmp_path):
    page = _report(tmp_path, novelty=NOVELTY)
    text = _text(page)
    assert page.count("<article ") == 8
    for item in [*DEV_PREDICTIONS, *TEST_PREDICTIONS, *DEV_REFS, *(r for refs in TEST_REFS for r in refs)]:
        assert item in text
    for turn in (turn for dialogue in DIALOGUES for turn in dialogue.split("\n")):
        assert f"<p>{html.escape(turn, quote=False)}</p>" in page
    assert page.count('class="tag unseen"') == sum(v == "unseen" for v in NOVELTY.values())


def test_each_row_carries_the_per_sample_finals_of_the_samples_files(tmp_path):
    page = _report(tmp_path)
    samples = tmp_path / "metrics" / "samples"
    order = ["m", "lead"]  # the leaderboard's: best dev final first
    assert re.findall(r'<option value="\d+">([^<]+)</option>', page)[:2] == order
    finals = [json.loads(html.unescape(f)) for f in re.findall(r'data-finals="([^"]+)"', page)]
    for split, offset in (("dev", 0), ("test", 4)):
        tables = [pd.read_csv(samples / f"{model}_{split}.csv") for model in order]
        for i in range(4):
            expected = [t.loc[i, ["rouge1", "rouge2", "rougeL"]].mean() * 100 for t in tables]
            assert finals[offset + i] == pytest.approx(expected, abs=1e-9)


def test_text_is_escaped_and_nothing_is_fetched(tmp_path):
    argv = _project(tmp_path)
    predictions = tmp_path / "predictions" / "m" / "dev.csv"
    frame = pd.read_csv(predictions)
    frame.loc[0, "summary"] = '<script>alert("x")</script> <img src=x> 회의'
    frame.to_csv(predictions, index=False)
    evaluate.main(argv)
    page = (tmp_path / "metrics" / "report.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &lt;img src=x&gt;" in page
    assert page.count("<script>") == 1  # the page's own
    assert not re.search(r"""\b(src|href)\s*=|@import|url\(|<link|<iframe""", page.replace("&lt;img src=x", ""))


def test_the_ensemble_row_says_which_member_and_source_it_took():
    dialogues = pd.DataFrame({"fname": ["dev_0"], "dialogue": ["#Person1#: 안녕하세요.\n#Person2#: 네."],
                              "topic": ["인사"]})
    table = pd.DataFrame({"fname": ["dev_0"], "rouge1": [0.5], "rouge2": [0.25], "rougeL": [0.5],
                          "entity_recall": [None], "entity_hits": [0], "entity_targets": [0],
                          "prediction": ["#Person1#이 인사한다."]})
    tables = {"ensemble": {"dev": table}, "kobart": {"dev": table}}
    selection = pd.DataFrame({"split": ["dev"], "fname": ["dev_0"], "member": ["kobart"], "source": ["mask:beam1"]})
    (row,) = rows(tables, {"dev": (dialogues, [["두 사람이 인사한다."]])}, ["ensemble", "kobart"], selection)
    assert [(p.model, p.origin) for p in row.predictions] == [("ensemble", "kobart · mask:beam1"), ("kobart", "")]
    assert row.predictions[0].scores == pytest.approx((50.0, 25.0, 50.0, 125 / 3))
    assert (row.topic, row.novelty, row.turns) == ("인사", "", ["#Person1#: 안녕하세요.", "#Person2#: 네."])
    page = render(tables, {"dev": (dialogues, [["두 사람이 인사한다."]])}, ["ensemble", "kobart"], selection)
    assert "kobart · mask:beam1" in page and "scenario" not in page  # no novelty: no seen/unseen filter


def test_missed_nouns_follow_the_references_and_ties_go_by_the_noun() -> None:
    """report.html lists missed nouns in the references' order; two named at the same place (수영 and 수영장) in a
    fixed order, not the set's, which changes with string hashing from one process to the next."""
    references = ["포정동 수영장에서 수영 자유 코스를 묻는다."]
    for nouns in ({"코스", "수영장", "수영", "포정동"}, {"수영", "포정동", "코스", "수영장"}):
        assert in_reference_order(frozenset(nouns), references) == ["포정동", "수영", "수영장", "코스"]
