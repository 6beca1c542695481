"""The evaluate stage's human ceiling and seen / unseen table, on a hand-made set of four dev and four test dialogues
scored through the stage's `main`."""

import json

import pandas as pd
import pytest

from kosum.core.errors import DataError
from kosum.evaluation.agreement import agreement
from kosum.evaluation.leaderboard import lead_summary
from kosum.scoring.rouge import score_corpus
from tests.evaluation_project import (
    DEV_PREDICTIONS,
    DEV_REFS,
    DIALOGUES,
    LEAD_CHARS,
    NOVELTY,
    TEST_PREDICTIONS,
    TEST_REFS,
    A,
    B,
    _rows,
    _run,
)


def _main_table(board):
    return board.split("\n\n")[0]


def _final(predictions, refs):
    return score_corpus(predictions, refs)[0].final


def _human_final(refs):
    per_row = agreement(refs)
    return sum(s.final for s in per_row) / len(per_row)


def test_agreement_of_two_equal_references_and_one_other():
    """Per metric (F1(A, A) + F1(A, B) + F1(B, A)) / 3: A against [A, B] is the mean of F1(A, A) (1 but for `rouge`'s
    epsilon) and F1(A, B), twice, and B against [A, A] is F1(B, A)."""
    (row,) = agreement([[A, A, B]])
    a_a, a_b, b_a = (score_corpus([x], [[y]])[0] for x, y in ((A, A), (A, B), (B, A)))
    for metric in ("rouge1", "rouge2", "rougeL"):
        expected = (getattr(a_a, metric) + getattr(a_b, metric) + getattr(b_a, metric)) / 3
        assert getattr(row, metric) == pytest.approx(expected, abs=1e-12)
    assert 0 < row.rouge2 < 1
    assert agreement([[A], [A, B]]) is None and agreement([[A, B], [B]]) is None


def test_human_row_in_the_leaderboard_only(tmp_path):
    metrics = _run(tmp_path)
    board = (metrics / "leaderboard.md").read_text()
    human = _rows(_main_table(board))["human"]
    assert human[:4] == ["-"] * 4
    assert float(human[7]) == pytest.approx(_human_final(TEST_REFS), abs=0.005)
    assert "`human`: the annotators' agreement: each reference scored like a prediction against the other" in board
    assert "against the other two" in board
    assert set(json.loads((metrics / "scores.json").read_text())) == {"m"}
    assert sorted(p.name for p in (metrics / "samples").iterdir()) == ["lead_dev.csv", "lead_test.csv", "m_dev.csv",
                                                                        "m_test.csv"]
    assert set(pd.read_csv(metrics / "plots/scores.csv")["model"]) == {"lead", "m"}
    assert "Seen / unseen" not in board and "novelty" not in pd.read_csv(metrics / "samples/m_dev.csv")


def test_no_human_row_with_one_reference(tmp_path):
    board = (_run(tmp_path, test_refs=[[refs[0]] for refs in TEST_REFS]) / "leaderboard.md").read_text()
    assert "human" not in board and set(_rows(board)) == {"model", "lead", "m"}


def test_seen_unseen_table_scores_each_subset_alone(tmp_path):
    board = (_run(tmp_path / "a", novelty=NOVELTY) / "leaderboard.md").read_text()
    without = (_run(tmp_path / "b") / "leaderboard.md").read_text()
    main_table = without.split("\nEntity recall")[0]  # then entity recall, after the breakdown here
    assert board.startswith(main_table)  # the main table is unchanged; the breakdown follows it
    header = "| model | dev seen (n=1) | dev unseen (n=3) | test seen (n=3) | test unseen (n=1) |"
    assert header in board and "new_words" not in board  # no dialogue of that kind: no column
    breakdown = _rows(board[board.index(header):].split("\nEntity recall")[0])
    assert list(breakdown) == ["model", "human", "m", "lead"]
    lead = {split: [lead_summary(d, LEAD_CHARS) for d in DIALOGUES] for split in ("dev", "test")}
    rows = {"m": {"dev": DEV_PREDICTIONS, "test": TEST_PREDICTIONS}, "lead": lead}
    refs = {"dev": [[r] for r in DEV_REFS], "test": TEST_REFS}
    for model, predictions in rows.items():
        expected = []
        for split in ("dev", "test"):
            for kind in ("seen", "unseen"):
                keep = [i for i in range(4) if NOVELTY[f"{split}_{i}"] == kind]
                expected.append(_final([predictions[split][i] for i in keep], [refs[split][i] for i in keep]))
        assert [float(c) for c in breakdown[model]] == pytest.approx(expected, abs=0.005), model
    seen, unseen = [TEST_REFS[i] for i in (0, 1, 3)], [TEST_REFS[2]]
    assert breakdown["human"][:2] == ["-", "-"]
    assert [float(c) for c in breakdown["human"][2:]] == pytest.approx([_human_final(seen), _human_final(unseen)],
                                                                       abs=0.005)


def test_per_sample_files_carry_novelty(tmp_path):
    samples = _run(tmp_path, novelty=NOVELTY) / "samples"
    for name in ("m_dev", "m_test", "lead_dev", "lead_test"):
        table = pd.read_csv(samples / f"{name}.csv")
        assert list(table.columns) == ["fname", "rouge1", "rouge2", "rougeL", "entity_recall", "entity_hits",
                                       "entity_targets", "prediction_chars", "prediction", "novelty"]
        assert list(table["novelty"]) == [NOVELTY[f] for f in table["fname"]]
    assert list(pd.read_csv(samples / "m_test.csv")["prediction"]) == TEST_PREDICTIONS


@pytest.mark.parametrize("change, message", [
    ({"test_2": "new"}, r"novelty.csv, row 7 \(fname 'test_2'\), column 'novelty': 'new' is not one of seen, unseen, new_words"),
    ({"train_0": "seen"}, r"novelty.csv, row 9 \(fname 'train_0'\), column 'fname': 'train_0' is not a dev or test"),
    ({"test_3": None}, r"novelty.csv, column 'fname': no row for 1 dev/test fname\(s\) \['test_3'\]"),
    ({"dev_1": ""}, r"novelty.csv, row 2 \(fname 'dev_1'\), column 'novelty': empty"),
])
def test_bad_novelty_file_is_a_one_line_error(tmp_path, change, message):
    novelty = {f: v for f, v in {**NOVELTY, **change}.items() if v is not None}
    with pytest.raises(DataError, match=message) as error:
        _run(tmp_path, novelty=novelty)
    assert "\n" not in str(error.value) and not (tmp_path / "metrics").exists()
