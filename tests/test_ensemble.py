"""MBR selection: the medoid by kosum's ROUGE, member weights, no length bias; the ensemble and evaluate stages."""

import json

import pandas as pd
import pytest

from kosum.core.errors import ConfigError
from kosum.ensemble.mbr import Candidate, expected_utilities, joins, mbr_select, select, weighted_candidates
from kosum.evaluation.oracle import oracle
from kosum.scoring.rouge import pairwise_final, score_pair
from stages import ensemble, evaluate

CLOSE = ["민수는 내일 회의에 늦는다.", "민수는 내일 회의에 늦을 것이다.", "민수는 회의에 늦는다고 말했다."]
FAR = "지영은 도서관에서 책을 빌렸다."
SOURCES = ["beam1", "beam2", "sample1", "swap_speakers:beam1", "swap_speakers:beam2"]


def _pool(texts, member="a", weight=1.0):
    return [Candidate(member, f"beam{i + 1}", t, weight) for i, t in enumerate(texts)]


def test_the_utility_is_the_competition_score_of_each_pair():
    matrix = pairwise_final([*CLOSE, FAR, ""])
    for i, a in enumerate(CLOSE):
        for j, b in enumerate(CLOSE):
            assert matrix[i][j] == pytest.approx(1.0 if i == j else score_pair(a, [b]).final / 100)
    assert matrix[4] == [0.0] * 5 and [row[4] for row in matrix] == [0.0] * 5  # a blank candidate agrees with nothing


def test_mbr_picks_the_medoid():
    pool = _pool([FAR, *CLOSE])
    utility = pairwise_final([c.text for c in pool])
    medoid = max(range(len(pool)), key=lambda i: sum(utility[i][j] for j in range(len(pool)) if j != i))
    assert medoid != 0 and mbr_select(pool) == pool[medoid]


def test_identical_candidates_win_and_a_single_candidate_is_kept():
    pool = _pool([CLOSE[2], FAR, FAR])
    assert mbr_select(pool).text == FAR
    assert mbr_select(_pool([FAR])).text == FAR


def test_member_weights_decide_between_two_camps():
    camp_a = _pool(["민수는 내일 회의에 늦는다.", "민수는 내일 회의에 늦을 것이다."], "a")
    camp_b = _pool(["지영은 도서관에서 책을 빌렸다.", "지영은 도서관에서 책을 빌렸습니다."], "b")
    assert mbr_select(camp_a + camp_b).member == "b"  # equal weights: the camp that agrees more with itself
    heavy_a = [Candidate(c.member, c.source, c.text, 3.0) for c in camp_a] + camp_b
    assert mbr_select(heavy_a).member == "a"


def test_a_candidate_stuffed_with_every_word_does_not_win():
    stuffed = " ".join([*CLOSE, FAR, "그리고 모두 함께 점심을 먹었다."])
    pool = _pool([stuffed, *CLOSE])
    assert mbr_select(pool).text != stuffed
    assert expected_utilities(pool)[0] < min(expected_utilities(pool)[1:])


def test_a_members_weight_is_shared_among_its_candidates():
    tables = {"a": pd.DataFrame({"fname": ["x"] * 4, "source": ["b1", "b2", "b3", "b4"], "summary": list("wxyz")}),
              "b": pd.DataFrame({"fname": ["x"], "source": ["b1"], "summary": ["v"]})}
    pool = weighted_candidates(tables, {"a": 1.0, "b": 1.0})
    assert pool.groupby("member")["weight"].sum().to_dict() == {"a": 1.0, "b": 1.0}


def test_sources_join_by_kind_or_by_name():
    assert [joins(s, ["beam"]) for s in SOURCES] == [True, True, False, False, False]
    assert [joins(s, ["beam1", "swap_speakers"]) for s in SOURCES] == [True, False, False, True, True]
    assert [joins(s, ["sample", "swap_speakers:beam1"]) for s in SOURCES] == [False, False, True, True, False]


def test_hypotheses_are_chosen_and_references_vote():
    table = pd.DataFrame({"fname": ["a"] * 5, "source": SOURCES, "summary": [FAR, CLOSE[0], *CLOSE[1:], FAR]})
    pool = weighted_candidates({"kobart": table}, {"kobart": 1.0}, ["beam1", "swap_speakers:beam1"], ["beam", "sample"])
    assert list(pool["source"]) == SOURCES[:4]  # swap_speakers:beam2 is neither
    assert list(pool["hypothesis"]) == [True, False, False, True] and list(pool["weight"]) == [1 / 3] * 3 + [0.0]
    assert select(pool, ["a"])["source"].item() == "swap_speakers:beam1"  # the voters are CLOSE; FAR loses
    assert select(weighted_candidates({"kobart": table}, {"kobart": 1.0}, ["beam1"], ["beam"]), ["a"])[
        "source"].item() == "beam1"  # the only hypothesis wins whatever the votes


def test_the_oracle_takes_each_dialogues_best_candidate_by_its_reference():
    pool = pd.DataFrame({"fname": ["x", "x", "y", "y"], "summary": [FAR, CLOSE[0], CLOSE[1], FAR],
                         "member": ["a", "b", "a", "b"], "source": ["beam1"] * 4})
    picked = oracle(pool, {"x": [CLOSE[0]], "y": [FAR]})
    assert dict(zip(picked["fname"], picked["summary"])) == {"x": CLOSE[0], "y": FAR}


def _candidates(processed, texts_by_fname) -> pd.DataFrame:
    rows = []
    for split, file in (("dev", "dev.csv"), ("test", "test.csv")):
        for fname in pd.read_csv(processed / file, dtype=str)["fname"]:
            rows += [(split, fname, f"beam{i + 1}", t) for i, t in enumerate(texts_by_fname(fname))]
    return pd.DataFrame(rows, columns=["split", "fname", "source", "summary"])


def test_ensemble_and_evaluate_stages(workspace, tmp_path, capsys):
    predictions = tmp_path / "predictions"
    answers = pd.read_csv(workspace.processed / "dev.csv", dtype=str).set_index("fname")["summary"]
    for member, texts in {"kobart": lambda f: [FAR, answers.get(f, FAR)],  # its second beam is the dev reference
                          "qwen_qlora": lambda f: [FAR], "llama_qlora": lambda f: [CLOSE[0]]}.items():
        (predictions / member).mkdir(parents=True)
        frame = _candidates(workspace.processed, texts)
        frame.to_csv(predictions / member / "candidates.csv", index=False)
        for split, name in (("dev", "dev.csv"), ("test", "submission.csv")):
            first = frame[(frame["split"] == split) & (frame["source"] == "beam1")]
            first[["fname", "summary"]].to_csv(predictions / member / name, index=False)
    for zero_shot in ("llama_zero_shot", "qwen_zero_shot"):
        (predictions / zero_shot).symlink_to(predictions / "llama_qlora")
    config = tmp_path / "ensemble.yaml"
    # qwen_qlora: a member through other_weight; solar_qlora: a weight for a model params lacks, left out
    config.write_text("weights: {kobart: 1.0, llama_qlora: 0.0, solar_qlora: 2.0}\nother_weight: 1.0\n"
                      "hypotheses: [beam, sample]\nreferences: [beam, sample]\n")
    out = tmp_path / "ensemble"
    ensemble.main([str(config), str(workspace.processed), str(predictions), str(out), "--params", str(workspace.params)])
    said = capsys.readouterr().out
    assert "among the candidates of kobart (1), qwen_qlora (1) (" in said, said
    assert f"{config} weights ['solar_qlora']: not under {workspace.params} models; left out" in said, said
    test = pd.read_csv(workspace.processed / "test.csv", dtype=str)
    assert list(pd.read_csv(out / "submission.csv", dtype=str)["fname"]) == list(test["fname"])
    assert set(pd.read_csv(out / "candidates.csv")["member"]) == {"kobart", "qwen_qlora"}  # weight 0: no member
    assert (pd.read_csv(out / "dev.csv", dtype=str)["summary"] == FAR).all()  # kobart's first beam and qwen agree

    evaluate.main([str(workspace.processed), str(predictions), str(tmp_path / "metrics"),
                   "--ensemble", str(out), "--params", str(workspace.params)])
    report = json.loads((tmp_path / "metrics/ensemble.json").read_text())
    scores = json.loads((tmp_path / "metrics/scores.json").read_text())
    assert "lead" not in scores and scores["ensemble"]["dev_final"] == report["ensemble"]["dev_final"]
    assert report["oracle_dev_final"] == pytest.approx(100.0)  # kobart's second beam is the reference
    assert report["oracle_dev_final"] > report["ensemble"]["dev_final"]


def test_an_ensemble_without_a_member_is_an_error(workspace, tmp_path):
    """Weights for models params lacks count for nothing: with other_weight 0 and kobart's 0, nobody is a member."""
    config = tmp_path / "ensemble.yaml"
    config.write_text("weights: {gpt4: 1.0, kobart: 0.0}\nother_weight: 0.0\nhypotheses: [beam]\nreferences: [beam]\n")
    with pytest.raises(ConfigError, match=r"^the ensemble has no member: every model of params.yaml `models` \(kobart, "
                                          r"llama_qlora, qwen_qlora\) has weight 0 in configs/ensemble.yaml"):
        ensemble.main([str(config), str(workspace.processed), str(tmp_path), str(tmp_path / "out"),
                       "--params", str(workspace.params)])
    assert not (tmp_path / "out").exists()
