"""A hand-made evaluation project: four dev and four test dialogues (three references each on test), one model's
predictions, and the evaluate stage run on them through its `main`."""

import json

import pandas as pd

from stages import evaluate

A = "#Person1#은 내일 회의에 늦는다고 말한다."
B = "#Person2#는 회의 자료를 미리 보내 달라고 부탁한다."
DIALOGUES = [
    "#Person1#: 내일 회의에 늦을 것 같아요.\n#Person2#: 자료를 미리 보내 주세요.",
    "#Person1#: 점심으로 김치찌개를 먹을까요?\n#Person2#: 좋아요, 제가 살게요.",
    "#Person1#: 주말에 등산을 가기로 했어요.\n#Person2#: 날씨가 좋으면 저도 갈게요.",
    "#Person1#: 도서관에서 책을 빌렸습니다.\n#Person2#: 반납일을 꼭 지키세요.",
]
DEV_REFS = ["#Person1#은 회의에 늦는다.", "두 사람은 점심으로 김치찌개를 먹기로 한다.",
            "#Person2#는 날씨가 좋으면 등산에 함께 간다.", "#Person2#는 #Person1#에게 반납일을 지키라고 한다."]
TEST_REFS = [
    [A, A, B],
    ["두 사람은 김치찌개를 먹는다.", "#Person2#가 점심을 산다.", "#Person1#은 김치찌개를 먹자고 한다."],
    ["#Person1#은 주말에 등산을 간다.", "두 사람은 주말 등산을 이야기한다.", "#Person2#도 등산에 갈 수 있다."],
    ["#Person1#은 책을 빌렸다.", "#Person2#는 반납일을 지키라고 한다.", "#Person1#은 도서관에서 책을 빌렸다."],
]
DEV_PREDICTIONS = ["#Person1#은 회의에 늦는다고 한다.", "두 사람은 김치찌개를 먹는다.", "주말에 등산을 간다.", "책을 빌렸다."]
TEST_PREDICTIONS = ["#Person1#은 회의에 늦는다.", "#Person2#가 김치찌개를 산다.", "두 사람은 등산을 간다.",
                    "#Person2#는 반납일을 말한다."]
NOVELTY = {"dev_0": "seen", "dev_1": "unseen", "dev_2": "unseen", "dev_3": "unseen",
           "test_0": "seen", "test_1": "seen", "test_2": "unseen", "test_3": "seen"}
LEAD_CHARS = 20


def _csv(path, columns):
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(columns).to_csv(path, index=False)


def _project(root, test_refs=TEST_REFS, novelty=None):
    """A processed folder, one model's predictions, and the argv of the evaluate stage on them."""
    data, predictions = root / "processed", root / "predictions"
    dev, test = [f"dev_{i}" for i in range(4)], [f"test_{i}" for i in range(4)]
    _csv(data / "dev.csv", {"fname": dev, "dialogue": DIALOGUES, "summary": DEV_REFS})
    _csv(data / "test.csv", {"fname": test, "dialogue": DIALOGUES})
    _csv(data / "test_answers.csv",
         {"fname": test, **{f"summary_{k + 1}": [refs[k] for refs in test_refs] for k in range(len(test_refs[0]))}})
    (data / "stats.json").write_text(json.dumps({"train": {"summary_chars": {"p50": LEAD_CHARS}}}))
    if novelty is not None:
        _csv(data / "novelty.csv", {"fname": list(novelty), "novelty": list(novelty.values())})
    _csv(predictions / "m/dev.csv", {"fname": dev, "summary": DEV_PREDICTIONS})
    _csv(predictions / "m/submission.csv", {"fname": test, "summary": TEST_PREDICTIONS})
    return [str(data), str(predictions), str(root / "metrics"), "--models", "m"]


def _run(root, **kwargs):
    evaluate.main(_project(root, **kwargs))
    return root / "metrics"


def _rows(board):
    """Markdown table rows by their first cell (a row in several tables: the last one wins)."""
    return {cells[0]: cells[1:] for line in board.splitlines() if line.startswith("| ") and "---" not in line
            for cells in [[c.strip() for c in line.strip("|").split("|")]]}
