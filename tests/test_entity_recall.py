"""Entity recall: the content nouns of a text, a hand-computed Korean example, the human row's turns, the micro
average, and the evaluate stage's outputs (leaderboard, samples, plots, report) with the `new_words` novelty kind."""

import html
import json

import pandas as pd
import pytest

from kosum.evaluation.agreement import entity_agreement
from kosum.evaluation.entities import content_nouns, entity_match
from kosum.evaluation.leaderboard import lead_summary
from kosum.evaluation.novelty import read_novelty
from kosum.evaluation.samples import entity_recall, sample_table, with_entities
from kosum.scoring.rouge import RougeScores
from tests import evaluation_project as project
from tests.evaluation_project import _rows, _run

DIALOGUE = "#Person1#: 어제 산 가방의 지퍼가 고장 났어요. 환불해 주세요.\n#Person2#: 영수증 있으세요? 네, 환불해 드릴게요."
REFERENCE = "#Person1#은 가방 지퍼가 고장 나서 환불을 받는다."
PREDICTION = "#Person1#은 계약서 사본의 지퍼가 고장 나서 환불을 받는다."  # a memorised object for the bag
NEW_WORDS = {**project.NOVELTY, "dev_3": "new_words", "test_2": "seen", "test_3": "new_words"}


def test_content_nouns_are_nouns_and_numbers_without_tags_or_particles():
    assert content_nouns(REFERENCE) == {"가방", "지퍼", "고장", "환불"}
    # `#Person1#`'s 1 is no number, a mask no noun, and the particle after a tag stays a particle (not 은, silver)
    assert content_nouns("#Person1#은 #PhoneNumber#로 3시에 전화한다.") == {"3", "전화"}
    assert content_nouns("다음 주 화요일 오전 10시에 드라이클리닝을 예약했다.") == {"다음", "주", "화요일", "오전", "10",
                                                                         "드라이클리닝", "예약"}  # compounds whole


def test_a_memorised_object_in_place_of_the_dialogues_costs_its_noun():
    """Targets: 가방, 지퍼, 고장, 환불 (all four in the dialogue); the prediction has three: 3 / 4."""
    match = entity_match(DIALOGUE, PREDICTION, [REFERENCE])
    assert (match.hits, match.targets, match.missed, match.recall) == (3, 4, {"가방"}, 75.0)
    assert entity_match(DIALOGUE, REFERENCE, [REFERENCE]).recall == 100.0


def test_nouns_the_dialogue_lacks_are_no_targets_and_references_add_up():
    """백화점 is only in the second reference: no target. Targets: 4 + 2 (가방, 환불); hits: 3 + 1 (환불)."""
    second = "#Person2#는 백화점에서 산 가방을 환불한다."
    match = entity_match(DIALOGUE, PREDICTION, [REFERENCE, second])
    assert (match.hits, match.targets, match.missed) == (4, 6, {"가방"})
    assert entity_match(DIALOGUE, "#Person1#이 인사한다.", ["#Person2#가 백화점에 간다."]).recall is None


def test_human_row_scores_each_reference_against_the_others():
    """References R (가방 지퍼 고장 환불), P (지퍼 고장 환불), S (영수증 환불): R against [P, S] hits 3 + 1 of 3 + 2,
    P against [R, S] 3 + 1 of 4 + 2, S against [R, P] 1 + 1 of 4 + 3: 10 / 18."""
    third = "#Person2#가 영수증을 보여 주고 환불을 받는다."
    match = entity_agreement(DIALOGUE, [REFERENCE, PREDICTION, third])
    assert (match.hits, match.targets) == (10, 18)


def test_corpus_recall_is_the_micro_average():
    """1 / 1 and 1 / 4: 2 / 5 = 40 %, not the mean of the ratios (62.5 %)."""
    matches = [entity_match(DIALOGUE, "가방", ["가방을 샀다."]), entity_match(DIALOGUE, "가방", [REFERENCE])]
    assert [(m.hits, m.targets) for m in matches] == [(1, 1), (1, 4)]
    table = with_entities(sample_table(["a", "b"], [RougeScores(0.0, 0.0, 0.0)] * 2), matches)
    assert list(table.columns) == ["fname", "rouge1", "rouge2", "rougeL", "entity_recall", "entity_hits",
                                   "entity_targets"]
    assert entity_recall(table) == pytest.approx(40.0)


DEV_REFS = [[r] for r in project.DEV_REFS]
TEST = (project.DIALOGUES, project.TEST_PREDICTIONS, project.TEST_REFS)  # dialogues, m's predictions, references


def _corpus(matches):
    return 100 * sum(m.hits for m in matches) / sum(m.targets for m in matches)


def _expected(predictions, refs):
    return _corpus([entity_match(d, p, r) for d, p, r in zip(project.DIALOGUES, predictions, refs)])


def test_leaderboard_samples_and_plots_carry_entity_recall(tmp_path):
    metrics = _run(tmp_path)
    board = (metrics / "leaderboard.md").read_text()
    assert "Entity recall (ER, %)" in board and "`lead` sets the scale" in board
    assert "| model | dev ER | test ER |" in board
    table = _rows(board[board.index("| model | dev ER"):].split("\nPredictions cut at")[0])
    lead = [lead_summary(d, project.LEAD_CHARS) for d in project.DIALOGUES]
    m_test = _expected(*TEST[1:])
    assert [float(c) for c in table["m"]] == pytest.approx([_expected(project.DEV_PREDICTIONS, DEV_REFS), m_test],
                                                           abs=0.05)
    assert [float(c) for c in table["lead"]] == pytest.approx([_expected(lead, DEV_REFS), _expected(lead, TEST[2])],
                                                              abs=0.05)
    human = [entity_agreement(d, refs) for d, refs in zip(project.DIALOGUES, project.TEST_REFS)]
    assert table["human"][0] == "-" and float(table["human"][1]) == pytest.approx(_corpus(human), abs=0.05)
    samples = pd.read_csv(metrics / "samples/m_test.csv")
    assert list(samples["entity_hits"]) == [entity_match(*row).hits for row in zip(*TEST)]
    plots = pd.read_csv(metrics / "plots/scores.csv").set_index("model")
    assert plots.loc["m", "test_entity_recall"] == pytest.approx(m_test, abs=1e-4)
    assert json.loads((metrics / "scores.json").read_text()) == {
        "m": {"dev_final": pytest.approx(plots.loc["m", "dev_final"], abs=1e-4),
              "test_final": pytest.approx(plots.loc["m", "test_final"], abs=1e-4)}}  # no entity recall there


def test_new_words_is_a_third_kind_shown_only_where_present(tmp_path):
    board = (_run(tmp_path / "b", novelty=NEW_WORDS) / "leaderboard.md").read_text()
    assert read_novelty(tmp_path / "b" / "processed") == NEW_WORDS
    kinds = {split: f"{split} seen (n={seen}) | {split} unseen (n={unseen}) | {split} new_words (n=1)"
             for split, seen, unseen in (("dev", 1, 2), ("test", 3, 0))}
    assert f"| model | {kinds['dev']} | {kinds['test']} |" in board  # the kind a split lacks: n=0, as before
    assert f"| model | dev ER | {kinds['dev']} | test ER | {kinds['test']} |" in board
    assert "new_words: the dialogues whose names and objects train never uses" in board
    page = (tmp_path / "b" / "metrics" / "report.html").read_text(encoding="utf-8")
    assert "<option>new_words</option>" in page and page.count('class="tag new_words"') == 2
    without = (_run(tmp_path / "c", novelty=project.NOVELTY) / "leaderboard.md").read_text()
    assert "new_words" not in without


def test_report_shows_each_predictions_entity_recall_and_missed_nouns(tmp_path):
    _run(tmp_path)
    page = html.unescape((tmp_path / "metrics" / "report.html").read_text(encoding="utf-8"))
    assert "<th>dev ER</th>" in page and "<th>final</th><th>ER</th>" in page
    missed = [(entity_match(*row).missed, " ".join(row[2])) for row in zip(*TEST)]
    assert all(nouns for nouns, _ in missed)  # every test prediction misses one: each must be listed
    for nouns, named in missed:
        assert f"missed: {' · '.join(sorted(nouns, key=named.find))}</span>" in page
