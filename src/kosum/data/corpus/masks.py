"""Masked personal data (`#PhoneNumber#`, `#Address#`, ...) at the competition's frequencies.

Why an exchange of its own: in the real data a mask appears where someone gives a number or an address, and the
summary almost never repeats it (what matters is that a number was given, not the number). The real rates per
dialogue (participants' analyses of the files): #PhoneNumber# about 1.2 %, #Address# 0.65 %, the others rarer. The
hand-written scenarios have masked turns of their own, so the rates here are what the frames add on top for the
corpus to land on those totals (tests/test_corpus.py measures them).
"""

from __future__ import annotations

import random

Line = tuple[int, str]

# tag -> (share of frame dialogues, a question and an answer in 해요체, the same between friends)
MASK_EXCHANGES: dict[str, tuple[float, tuple[str, str], tuple[str, str]]] = {
    "#PhoneNumber#": (0.002, ("혹시 연락받으실 번호 좀 알려 주시겠어요?", "네, #PhoneNumber#예요."),
                      ("너 번호 바뀌었지? 다시 알려 줘.", "응, 새 번호는 #PhoneNumber#야.")),
    "#Address#": (0.001, ("주소가 어떻게 되세요?", "#Address#예요."), ("너희 집 주소가 뭐였지?", "#Address#야.")),
    "#DateOfBirth#": (0.0005, ("확인을 위해 생년월일 좀 말씀해 주세요.", "#DateOfBirth#입니다."),
                      ("너 생일이 언제였더라?", "#DateOfBirth#잖아.")),
    "#Email#": (0.0005, ("자료는 어디로 보내 드릴까요?", "#Email#로 보내 주세요."),
                ("파일 어디로 보내 줄까?", "#Email#로 보내 줘.")),
    "#CardNumber#": (0.0003, ("결제하실 카드 번호 불러 주시겠어요?", "#CardNumber#입니다."),
                     ("카드 번호 좀 불러 줄래?", "#CardNumber#야.")),
    "#CarNumber#": (0.0003, ("차량 번호가 어떻게 되세요?", "#CarNumber#예요."), ("네 차 번호가 뭐였지?", "#CarNumber#야.")),
    "#PassportNumber#": (0.0003, ("여권 번호도 필요합니다.", "#PassportNumber#입니다."),
                         ("여권 번호 알려 줘, 내가 예약할게.", "#PassportNumber#야.")),
    "#SSN#": (0.0003, ("본인 확인을 위해 주민등록번호를 말씀해 주세요.", "#SSN#입니다."),
              ("서류에 주민번호 적어야 한대.", "#SSN#으로 적어 줘.")),
}


def add_masks(lines: list[Line], casual: bool, speakers: int, staff: int | None, rng: random.Random) -> list[Line]:
    """`lines` with, for each tag drawn at its rate, a question and its masked answer inserted after a random turn
    (never before the first): asked by the `staff` speaker where there is one (a clerk asks for the customer's number),
    otherwise by anyone but who just spoke, and answered by another speaker."""
    for rate, polite, friends in MASK_EXCHANGES.values():
        if rng.random() >= rate:
            continue
        question, answer = friends if casual else polite
        at = rng.randrange(1, len(lines) + 1)
        asker = staff or rng.choice([s for s in range(1, speakers + 1) if s != lines[at - 1][0]])
        answerer = rng.choice([s for s in range(1, speakers + 1) if s != asker])
        lines = [*lines[:at], (asker, question), (answerer, answer), *lines[at:]]
    return lines
