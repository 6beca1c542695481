"""Korean ROUGE: equal to `rouge` 1.0.1 and to an independent implementation, plus its edge cases.

The independent implementation below follows the definitions `rouge` 1.0.1 uses (and the competition with it):
distinct n-grams, sentences split on ".", summary-level ROUGE-L as the union of LCS words over all (reference
sentence, prediction sentence) pairs, F1 = 2PR/(P+R+1e-8). Which LCS is rebuilt matters for the union, so the
backtrack uses the usual rule: move up only when the cell above is strictly larger, else move left.
"""

from __future__ import annotations

import random
import sys

import pytest
from rouge import Rouge

from kosum.scoring.rouge import RougeScores, metrics_dict, morphemes, score_corpus, score_pair

PAIRS = [
    ("#Person1#은 #Person2#에게 새 아파트를 구하는 것을 도와달라고 부탁한다.",
     "#Person1#은 #Person2#에게 아파트 구하는 것을 도와달라고 한다."),
    ("#Person2#는 시내 근처의 방 두 개짜리 아파트를 추천한다. #Person1#은 월세가 비싸다고 생각한다.",
     "#Person2#는 #Person1#에게 시내의 방 두 개짜리 아파트를 추천하지만 #Person1#은 너무 비싸다고 말한다."),
    ("두 사람은 주말에 바닷가로 여행을 가기로 한다.", "#Person1#과 #Person2#는 주말에 바다로 여행을 떠날 계획을 세운다."),
    ("#Person1#은 지난주에 산 노트북이 고장 나서 환불을 요청한다. 점원은 영수증을 보여 달라고 한다.",
     "#Person1#은 고장 난 노트북을 환불받고 싶어 한다. #Person2#는 영수증을 요구한다."),
    ("#Person2#는 면접 준비를 어떻게 했는지 묻는다.", "#Person1#은 #Person2#에게 면접을 어떻게 준비했는지 물어본다."),
    ("#Person1#과 #Person2#는 식당에서 저녁 메뉴를 고른다. #Person1#은 스테이크를 주문한다.",
     "#Person1#과 #Person2#는 저녁 식사를 주문한다. #Person1#은 스테이크를, #Person2#는 파스타를 고른다."),
    ("#Person1#은 비행기 표를 예약하려고 여행사에 전화한다.", "#Person1#은 여행사에 전화해서 뉴욕행 항공권을 예약한다."),
    ("#Person2#는 건강을 위해 매일 아침 운동하기로 결심한다.", "#Person2#는 매일 아침 조깅을 하기로 한다."),
    ("#Person1#은 #PhoneNumber#로 연락해 달라고 말한다.", "#Person1#은 #Person2#에게 #PhoneNumber#로 전화해 달라고 부탁한다."),
    ("#Person1#은 도서관에서 빌린 책을 반납하는 것을 잊었다. 연체료를 내야 한다.",
     "#Person1#은 책 반납을 잊어서 연체료를 낸다."),
    ("#Person2#는 생일 파티에 친구들을 초대하고 케이크를 주문한다.", "#Person2#는 생일 파티를 준비하며 친구들을 초대한다."),
    ("#Person1#은 회사의 새 정책에 대해 불만을 이야기한다. #Person2#는 참으라고 조언한다.",
     "#Person1#은 새로운 회사 정책이 불공평하다고 불평하고 #Person2#는 인내하라고 충고한다."),
    ("#Person1#은 기차역으로 가는 길을 묻고 #Person2#는 버스를 타라고 알려 준다.",
     "#Person2#는 #Person1#에게 기차역까지 버스로 가는 방법을 알려 준다."),
    ("#Person1#은 #Address#에 있는 병원에 예약을 잡는다.", "#Person1#은 #Address#의 병원 진료를 예약한다."),
    ("#Person2#는 다음 주 월요일까지 보고서를 끝내야 한다. #Person1#은 도와주겠다고 한다.",
     "#Person2#는 월요일까지 보고서를 제출해야 해서 걱정한다. #Person1#이 돕겠다고 제안한다."),
    ("두 사람은 영화를 보러 가기로 하고 일곱 시에 만나기로 한다.", "#Person1#과 #Person2#는 일곱 시에 만나서 영화를 보기로 한다."),
    ("#Person1#은 새 휴대폰의 배터리가 빨리 닳는다고 불평한다.", "#Person1#은 휴대폰 배터리 문제로 서비스 센터를 방문한다."),
    ("#Person2#는 이사를 준비하면서 짐을 싼다. #Person1#은 상자를 가져다준다. 두 사람은 저녁을 먹는다.",
     "#Person1#은 #Person2#의 이사를 돕는다. 두 사람은 짐을 싸고 저녁을 함께 먹는다."),
    ("#Person1#은 선생님에게 숙제 마감일을 연장해 달라고 요청한다.", "#Person1#은 숙제 제출 기한을 늦춰 달라고 부탁한다."),
    ("#Person2#는 호텔 방이 너무 시끄러워서 방을 바꿔 달라고 한다. 직원은 다른 방을 준다.",
     "#Person2#는 소음 때문에 객실 변경을 요청하고 직원이 새 방을 배정한다."),
    ("#Person1#은 #Person2#에게 커피를 사 준다.", "#Person2#는 #Person1#에게 커피를 사 준다."),
    ("#Person1#이 회의 시간을 세 시로 바꾸자고 한다. #Person2#는 동의한다.",
     "#Person1#과 #Person2#는 회의를 세 시로 옮긴다."),
    ("#Person2#는 운전면허 시험에 떨어져서 실망한다. #Person1#은 다시 도전하라고 격려한다.",
     "#Person2#가 운전면허 시험에 불합격하자 #Person1#은 위로하며 다시 보라고 말한다."),
    ("#Person1#은 온라인으로 주문한 신발이 작아서 교환하고 싶어 한다.", "#Person1#은 사이즈가 맞지 않는 신발을 교환하려고 한다."),
]


def _f1(overlap: int, predicted: int, reference: int) -> float:
    precision = overlap / predicted if predicted else 0.0
    recall = overlap / reference if reference else 0.0
    return 2.0 * ((precision * recall) / (precision + recall + 1e-8))


def _sentences(tokens: str) -> list[list[str]]:
    return [part.split() for part in tokens.split(".") if part.strip()]


def _rouge_n(prediction: str, reference: str, n: int) -> float:
    def grams(tokens: str) -> set[tuple[str, ...]]:
        words = [w for s in _sentences(tokens) for w in s]
        return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}

    p, r = grams(prediction), grams(reference)
    return _f1(len(p & r), len(p), len(r))


def _lcs(x: list[str], y: list[str]) -> list[str]:
    table = [[0] * (len(y) + 1)]
    for word in x:
        above, row = table[-1], [0]
        for j, other in enumerate(y):
            row.append(above[j] + 1 if word == other else max(above[j + 1], row[j]))
        table.append(row)
    out, i, j = [], len(x), len(y)
    while i and j:
        if x[i - 1] == y[j - 1]:
            out.append(x[i - 1])
            i, j = i - 1, j - 1
        elif table[i - 1][j] > table[i][j - 1]:
            i -= 1
        else:
            j -= 1
    return out


def _rouge_l(prediction: str, reference: str) -> float:
    pred, ref = _sentences(prediction), _sentences(reference)
    union = {w for r in ref for c in pred for w in _lcs(r, c)}
    return _f1(len(union), len({w for s in pred for w in s}), len({w for s in ref for w in s}))


def independent(prediction: str, reference: str) -> RougeScores:
    """ROUGE of two morpheme strings from the definitions, without `rouge` or kosum's scoring."""
    return RougeScores(
        _rouge_n(prediction, reference, 1), _rouge_n(prediction, reference, 2), _rouge_l(prediction, reference)
    )


def package(prediction: str, reference: str) -> RougeScores:
    """The competition's own call on two morpheme strings."""
    s = Rouge().get_scores(prediction, reference)[0]
    return RougeScores(s["rouge-1"]["f"], s["rouge-2"]["f"], s["rouge-l"]["f"])


def assert_close(got: RougeScores, want: RougeScores, tol: float = 1e-9) -> None:
    assert got.rouge1 == pytest.approx(want.rouge1, abs=tol)
    assert got.rouge2 == pytest.approx(want.rouge2, abs=tol)
    assert got.rougeL == pytest.approx(want.rougeL, abs=tol)


@pytest.mark.parametrize(("prediction", "reference"), PAIRS)
def test_matches_independent_and_rouge_package(prediction: str, reference: str) -> None:
    got = score_pair(prediction, [reference])
    assert_close(got, independent(morphemes(prediction), morphemes(reference)))
    assert_close(got, package(morphemes(prediction), morphemes(reference)))
    assert 0 < got.rouge1 < 1


def test_matches_rouge_package_on_tie_heavy_random_texts() -> None:
    # A six-word vocabulary makes many equally long LCSs, so a different tie-break would change the union.
    rng = random.Random(7)
    words = ["사과", "배", "#Person1#", "#Person2#", "학교", "가방"]
    for _ in range(150):
        texts = [
            ". ".join(" ".join(rng.choices(words, k=rng.randint(1, 9))) for _ in range(rng.randint(1, 3)))
            for _ in range(2)
        ]
        got = score_pair(texts[0], [texts[1]])
        assert_close(got, package(morphemes(texts[0]), morphemes(texts[1])))
        assert_close(got, independent(morphemes(texts[0]), morphemes(texts[1])))


def test_hand_computed_pairs() -> None:
    # 1) "#Person1# 은 사과 를 산다 ." vs "#Person1# 은 배 를 산다 ."
    #    R1: 4 of 5 words shared, P = R = 4/5 -> F = 0.8.  R2: bigrams (#Person1#,은) (를,산다) shared of 4 each
    #    -> 0.5.  RL: LCS "#Person1# 은 를 산다" = 4, P = R = 4/5 -> 0.8.
    assert morphemes("#Person1#은 사과를 산다.") == "#Person1# 은 사과 를 산다 ."
    assert_close(score_pair("#Person1#은 사과를 산다.", ["#Person1#은 배를 산다."]), RougeScores(0.8, 0.5, 0.8), 1e-7)

    # 2) pred "#Person2# 는 내일 회의 에 간다 . #Person1# 은 동의 한다 ." (10 distinct words, 9 bigrams)
    #    ref  "#Person1# 은 회의 에 간다 . #Person2# 는 동의 한다 ."      (9 distinct words, 8 bigrams)
    #    R1: all 9 reference words appear, P = 9/10, R = 1 -> F = 1.8/1.9 = 18/19.
    #    R2 (bigrams run across the "."): shared (#Person2#,는) (회의,에) (에,간다) (#Person1#,은) (동의,한다) = 5,
    #    P = 5/9, R = 5/8 -> F = 10/17.
    #    RL, summary level: ref sentence 1 gets "회의 에 간다" from pred sentence 1 and "#Person1# 은" from pred
    #    sentence 2; ref sentence 2 gets "#Person2# 는" and "동의 한다": union 9 words, P = 9/10, R = 9/9 -> 18/19.
    prediction, reference = "#Person2#는 내일 회의에 간다. #Person1#은 동의한다.", "#Person1#은 회의에 간다. #Person2#는 동의한다."
    assert morphemes(reference) == "#Person1# 은 회의 에 간다 . #Person2# 는 동의 한다 ."
    assert_close(score_pair(prediction, [reference]), RougeScores(18 / 19, 10 / 17, 18 / 19), 1e-7)

    # 3) Distinct n-grams, not counts: "고양이 개 고양이" vs "개 고양이 개" share both words ({고양이, 개}),
    #    both bigrams ({(고양이,개), (개,고양이)}) and an LCS of 2 over 2 distinct words -> 1, 1, 1
    #    (a clipped-count ROUGE-1 would give 2/3).
    assert_close(score_pair("고양이 개 고양이.", ["개 고양이 개"]), RougeScores(1.0, 1.0, 1.0), 1e-7)


def test_final_and_sum() -> None:
    scores = RougeScores(0.5660, 0.3675, 0.4719)
    assert round(scores.final, 2) == 46.85
    assert scores.rouge_sum == pytest.approx(140.54)
    assert metrics_dict(scores) == {
        "rouge1": 0.5660, "rouge2": 0.3675, "rougeL": 0.4719, "final": scores.final, "rouge_sum": scores.rouge_sum
    }


def test_several_references_are_averaged_per_metric() -> None:
    prediction = PAIRS[1][0]
    references = [PAIRS[1][1], PAIRS[0][1], PAIRS[0][0]]
    singles = [score_pair(prediction, [ref]) for ref in references]
    got = score_pair(prediction, references)
    assert got.rouge1 == pytest.approx(sum(s.rouge1 for s in singles) / 3, abs=1e-12)
    assert got.rouge2 == pytest.approx(sum(s.rouge2 for s in singles) / 3, abs=1e-12)
    assert got.rougeL == pytest.approx(sum(s.rougeL for s in singles) / 3, abs=1e-12)
    assert got.rouge1 < singles[0].rouge1


def test_corpus_is_mean_of_samples() -> None:
    predictions = [p for p, _ in PAIRS[:5]]
    corpus, per_sample = score_corpus(predictions, [[r] for _, r in PAIRS[:5]])
    assert per_sample == [score_pair(p, [r]) for p, r in PAIRS[:5]]
    assert corpus.rougeL == pytest.approx(sum(s.rougeL for s in per_sample) / 5, abs=1e-12)


@pytest.mark.parametrize("blank", ["", "   ", ".", " . . ", "\n"])
def test_blank_prediction_scores_zero_and_counts(blank: str) -> None:
    good, reference = PAIRS[0]
    corpus, per_sample = score_corpus([blank, good], [[reference], [reference]])
    assert per_sample[0] == RougeScores(0.0, 0.0, 0.0)
    assert len(per_sample) == 2
    assert corpus.rouge1 == pytest.approx(per_sample[1].rouge1 / 2)


@pytest.mark.parametrize("blank", ["", "  ", "."])
def test_blank_reference_names_the_sample(blank: str) -> None:
    with pytest.raises(ValueError, match="Reference 1 of sample 1 is empty"):
        score_corpus([PAIRS[0][0], PAIRS[1][0]], [[PAIRS[0][1]], [PAIRS[1][1], blank]])


def test_bad_shapes_are_errors() -> None:
    with pytest.raises(ValueError, match="2 predictions but 1 reference"):
        score_corpus(["가", "나"], [["가"]])
    with pytest.raises(TypeError, match="pass a list of references"):
        score_pair("가", "가")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no reference"):
        score_pair("가", [])


def _long_text(rng: random.Random, morpheme_count: int) -> str:
    """One sentence (no ".") of at least `morpheme_count` morphemes, so the LCS runs over the whole text."""
    words = [w for p, r in PAIRS for w in (p + " " + r).replace(".", "").split()]
    text = ""
    while len(morphemes(text).split()) < morpheme_count:
        text += " " + " ".join(rng.choices(words, k=200))
    return text


def test_long_single_sentence_is_exact() -> None:
    # `rouge` rebuilds the LCS with one recursive call per token: 600 + 600 tokens already overflow the stack.
    rng = random.Random(3)
    prediction, reference = _long_text(rng, 600), _long_text(rng, 600)
    with pytest.raises(RecursionError):
        package(morphemes(prediction), morphemes(reference))
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(10_000)
    try:
        want = package(morphemes(prediction), morphemes(reference))
    finally:
        sys.setrecursionlimit(limit)
    assert_close(score_pair(prediction, [reference]), want)


def test_two_thousand_morphemes_match_independent() -> None:
    rng = random.Random(4)
    prediction, reference = _long_text(rng, 2000), _long_text(rng, 2000)
    assert len(morphemes(prediction).split()) >= 2000
    got = score_pair(prediction, [reference])
    assert_close(got, independent(morphemes(prediction), morphemes(reference)))
    assert 0 < got.rougeL < 1


def test_tags_stay_one_token() -> None:
    assert morphemes("#Person1#은 #Person2#에게 전화한다.").split() == ["#Person1#", "은", "#Person2#", "에게", "전화", "한다", "."]
    # Mecab glues a tag's "#" to a neighbouring symbol ("#.", "#,#"); the symbol still becomes its own token.
    assert morphemes("#Person1#,#Person2#.").split() == ["#Person1#", ",", "#Person2#", "."]
    assert morphemes("#Person1##Address#").split() == ["#Person1#", "#Address#"]
    assert morphemes("#가# 메일").split()[:3] == ["#", "가", "#"]


def test_wrong_speaker_costs_one_token() -> None:
    reference = "#Person1#이 #Person2#에게 책을 빌려준다."
    wrong = "#Person1#이 #Person3#에게 책을 빌려준다."
    words = len(set(morphemes(reference).replace(".", "").split()))
    got = score_pair(wrong, [reference])
    assert score_pair(reference, [reference]).rouge1 > got.rouge1
    assert got.rouge1 == pytest.approx(_f1(words - 1, words, words))
    assert got.rougeL == pytest.approx(_f1(words - 1, words, words))
