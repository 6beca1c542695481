"""What a customer wants from a place, and how it ends: the goals of the compositional frames.

Why goals apart from places: a goal's turns and summary clauses name the place only through slots (`{place}`,
`{service}`, `{item}`, `{price}`, `{problem}`), so every goal runs in every situation. A summary is a list of
clauses (who did what, in dictionary form), which each annotator writes in their own register and wording
(`kosum.data.corpus.styles`); a summary must be read out of the dialogue: the outcome decides the last clauses.
Turns are `(role, *paraphrases)` with role C (customer) or S (staff); `opt(...)` may be left out, `BREAK` takes
small talk.
"""

from __future__ import annotations

from dataclasses import dataclass

from kosum.data.corpus.scenario import BREAK, Turn
from kosum.data.corpus.scenarios.common import DAYS, NAMES, TIMES

REASONS = ("갑자기 출장이 잡혀서", "아이가 아파서", "회사에 급한 회의가 생겨서", "집안에 일이 생겨서", "몸살이 나서",
           "친구 결혼식과 겹쳐서", "야근을 해야 해서")
PAYMENTS = ("카드", "현금", "계좌 이체", "모바일 페이")
COUNTS = ("두 개", "세 개", "한 개", "네 개")
FEES = ("5천 원", "1만 원", "결제 금액의 10%", "결제 금액의 20%")
DISCOUNTS = ("10%", "15%", "20%", "5천 원")
RETURN_REASONS = ("사이즈가 맞지 않아서", "불량이 있어서", "색이 생각했던 것과 달라서", "선물 받은 사람이 이미 갖고 있어서",
                  "포장이 뜯겨 있어서")
FIXES = (("다음에 쓰실 수 있는 할인 쿠폰을 드리겠습니다", "할인 쿠폰을 주다"),
         ("비용은 전액 환불해 드리겠습니다", "비용을 전액 환불해 주다"),
         ("무료로 다시 해 드리겠습니다", "무료로 다시 해 주기로 하다"),
         ("이번 비용의 절반을 돌려드리겠습니다", "비용의 절반을 돌려주기로 하다"))
NEEDS = (("처음 와 봐서 뭘 해야 할지 모르겠어요", "처음 방문한"), ("부모님 선물로 드리려고요", "부모님 선물을 찾는"),
         ("예산이 좀 적어서요", "예산이 적은"), ("시간이 많지 않아서요", "시간이 부족한"))


@dataclass(frozen=True)
class Clause:
    """One fact of the summary: who (C or S) did what; `predicates` are paraphrases in dictionary form (-다), of
    which each annotator always takes the same one; a `detail` is left out by concise annotators."""

    subject: str
    predicates: tuple[str, ...]
    detail: bool = False


@dataclass(frozen=True)
class Outcome:
    turns: tuple[Turn | str, ...]
    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class Goal:
    name: str
    topics: tuple[str, ...]            # topic templates: free-text topics, many distinct strings
    slots: dict[str, tuple]            # pools beyond the situation's (place, service, item/price, problem)
    turns: tuple[Turn | str, ...]      # the opening, shared by every outcome
    clauses: tuple[Clause, ...]
    outcomes: tuple[Outcome, ...]


def _turns(*turns) -> tuple[Turn | str, ...]:
    """Turns from the compact form; the role letter becomes speaker 1 (C) or 2 (S), swapped per dialogue later."""
    return tuple(t if isinstance(t, Turn | str) else Turn(1 if t[0] == "C" else 2, tuple(t[1:])) for t in turns)


def opt(role: str, *lines: str) -> Turn:
    return Turn(1 if role == "C" else 2, lines, optional=True)


def c(subject: str, *predicates: str, detail: bool = False) -> Clause:
    return Clause(subject, predicates, detail)


BOOK = Goal("예약", ("{place} 예약", "{service} 예약", "{service} 예약 문의"), {"day": DAYS, "name": NAMES, "time,alt_time": (
    ("오전 10시", "오전 11시 반"), ("오후 2시", "오후 4시"), ("오후 3시", "저녁 6시"), ("저녁 7시", "저녁 8시 반"),
    ("오전 11시", "오후 1시"), ("오후 4시 반", "저녁 6시 반"))}, _turns(
    ("S", "안녕하세요, {place}입니다. 무엇을 도와드릴까요?", "네, {place}입니다. 말씀하세요.",
     "감사합니다, {place}입니다. 어떤 일로 연락 주셨어요?"),
    ("C", "{day} {time:에} {service} 예약을 좀 하고 싶은데요.", "{service} 예약하려고 연락드렸어요. {day} {time:에} 가능할까요?",
     "안녕하세요. 혹시 {day} {time:에} {service:이} 가능한지 알고 싶어서요."),
    ("S", "{day} {time} 말씀이시죠? 잠시만요, 예약 현황을 확인해 보겠습니다.", "네, 확인해 드릴게요. 잠시만 기다려 주세요."),
    opt("C", "네, 천천히 보세요.", "네, 기다릴게요."),
    BREAK,
), (c("C", "{S:에게} {day} {time:에} {service:을} 예약하고 싶다고 말하다", "{day} {time} {service} 예약을 문의하다",
      "{service:을} {day} {time:에} 예약하려고 하다"),), (
    Outcome(_turns(
        ("S", "네, 그 시간에 가능합니다. 성함이 어떻게 되세요?", "다행히 그 시간은 비어 있네요. 예약자 성함 부탁드립니다."),
        ("C", "{name}입니다.", "{name:이에요}."),
        ("S", "{name} 님, {day} {time:으로} {service} 예약 완료됐습니다. 10분 전까지 와 주세요.",
         "{day} {time:에} {service:으로} 예약해 드렸습니다. 늦지 않게 와 주세요."),
        opt("C", "혹시 늦으면 어떻게 되나요?", "주차는 가능한가요?"),
        opt("S", "15분 넘게 늦으시면 예약이 취소될 수 있어요.", "건물 지하에 두 시간 무료로 주차하실 수 있습니다."),
        ("C", "알겠습니다. 감사합니다.", "네, 그때 뵐게요."),
    ), (c("S", "그 시간에 예약을 잡아 주다", "{day} {time:으로} 예약을 해 주다", "예약을 완료해 주다"),
        c("S", "10분 전까지 오라고 안내하다", "늦지 않게 오라고 당부하다", detail=True))),
    Outcome(_turns(
        ("S", "죄송하지만 {time:은} 예약이 다 찼어요. {alt_time:은} 어떠세요?",
         "아, {time:은} 이미 마감됐습니다. 대신 {alt_time:에} 자리가 있는데 괜찮으세요?"),
        ("C", "{alt_time:이요}? 음, 괜찮아요. 그때로 해 주세요.", "그럼 {alt_time:으로} 할게요."),
        ("S", "네, {day} {alt_time:으로} 예약해 드렸습니다.", "{day} {alt_time:으로} 예약 완료됐습니다."),
    ), (c("S", "{time:은} 마감이라며 {alt_time:을} 제안하다", "{time:은} 자리가 없다며 {alt_time:을} 권하다",
          "{time} 대신 {alt_time:을} 제안하다"),
        c("C", "{alt_time:으로} 예약하기로 하다", "{alt_time:으로} 예약을 바꾸기로 하다", "그 제안을 받아들이다"))),
    Outcome(_turns(
        ("S", "죄송합니다. {day:은} 하루 종일 예약이 꽉 찼습니다. 다른 날은 어떠세요?",
         "아, {day:은} 예약이 모두 차 있네요. 다른 날로 잡아 드릴까요?"),
        ("C", "다른 날은 제가 시간이 안 돼서요. 일정을 확인하고 다시 연락드릴게요.", "그럼 일정 좀 보고 다시 전화드릴게요."),
        ("S", "네, 취소 자리가 나면 문자로 알려 드리겠습니다.", "네, 연락 기다리겠습니다."),
    ), (c("S", "{day:은} 예약이 꽉 찼다고 말하다", "{day:에} 빈자리가 없다고 알리다", "{day:은} 예약이 어렵다고 하다"),
        c("C", "일정을 확인한 뒤 다시 연락하기로 하다", "다시 연락하겠다고 하다", "나중에 다시 예약하기로 하다"))),
))

RESCHEDULE = Goal("예약 변경", ("{place} 예약 변경", "{service} 예약 변경", "예약 날짜 변경"), {
    "day,new_day": tuple(zip(DAYS, DAYS[3:] + DAYS[:3])), "time,alt_time": (
        ("오전 10시", "오후 2시"), ("오후 3시", "오후 5시"), ("저녁 7시", "저녁 6시"), ("오전 11시", "오후 1시 반")),
    "reason": REASONS}, _turns(
    ("C", "안녕하세요. {day} {time:에} {service} 예약한 사람인데요, 날짜를 좀 바꾸고 싶어서요.",
     "저 {day} {time:에} {service} 예약했는데, 혹시 날짜를 옮길 수 있을까요?"),
    ("S", "네, 예약 확인했습니다. 무슨 일 있으세요?", "네, 가능합니다. 혹시 사정이 있으신가요?"),
    ("C", "{reason} 그날은 못 갈 것 같아요.", "{reason} 도저히 시간이 안 나네요."),
    BREAK,
    ("S", "그럼 언제로 옮겨 드릴까요?", "원하시는 날짜가 있으세요?"),
    ("C", "{new_day} 같은 시간은 어떨까요?", "{new_day:은} 괜찮을 것 같아요. 같은 시간으로요."),
), (c("C", "{reason} {day} {service} 예약을 {new_day:으로} 바꾸고 싶어 하다",
      "{reason} {service} 예약 날짜를 바꿔 달라고 요청하다", "{day} 예약을 {new_day:으로} 미루려고 하다"),), (
    Outcome(_turns(
        ("S", "{new_day} {time} 가능합니다. 바로 변경해 드릴게요.", "네, 그 시간 비어 있네요. {new_day:으로} 바꿔 드렸습니다."),
        ("C", "정말 다행이네요. 감사합니다.", "감사합니다. 번거롭게 해 드려서 죄송해요."),
        opt("S", "변경된 내용은 문자로 보내 드릴게요.", "다음부터는 하루 전까지만 말씀해 주시면 됩니다."),
    ), (c("S", "예약을 {new_day} {time:으로} 변경해 주다", "{new_day:으로} 예약을 옮겨 주다", "날짜 변경을 처리해 주다"),)),
    Outcome(_turns(
        ("S", "{new_day} {time:은} 이미 찼고, {alt_time:은} 비어 있어요.", "같은 시간은 어렵고 {alt_time:은} 가능합니다."),
        ("C", "그럼 {alt_time:으로} 해 주세요.", "{alt_time}도 괜찮아요. 그걸로 할게요."),
        ("S", "네, {new_day} {alt_time:으로} 변경했습니다.", "{new_day} {alt_time:으로} 바꿔 드렸어요."),
    ), (c("S", "같은 시간은 어렵다며 {alt_time:을} 제안하다", "{alt_time:을} 대신 권하다", "{alt_time:만} 가능하다고 하다"),
        c("C", "{new_day} {alt_time:으로} 예약을 바꾸다", "{alt_time:으로} 변경하기로 하다", "그 시간으로 옮기기로 하다"))),
))

CANCEL = Goal("예약 취소", ("{place} 예약 취소", "{service} 취소", "예약 취소 문의"), {
    "day": DAYS, "time": TIMES, "reason": REASONS, "fee": FEES}, _turns(
    ("C", "여보세요, {day} {time:에} 잡아 둔 {service} 예약을 취소하려고요.", "안녕하세요. {day} {service} 예약 취소 좀 부탁드려요."),
    ("S", "네, 성함 확인해 보겠습니다. 혹시 무슨 일 있으세요?", "네, 예약 내역 찾았습니다. 취소 사유를 여쭤봐도 될까요?"),
    ("C", "{reason} 못 가게 됐어요.", "{reason} 아무래도 어려울 것 같아요."),
    BREAK,
), (c("C", "{reason} {day} {service} 예약을 취소하다", "{S:에게} {service} 예약 취소를 요청하다",
      "{reason} 예약을 취소하려고 하다"),), (
    Outcome(_turns(
        ("S", "하루 전이라 수수료 없이 취소됩니다. 결제하신 금액은 전부 돌려드릴게요.",
         "아직 기간이 남아서 위약금은 없습니다. 전액 환불 처리해 드릴게요."),
        ("C", "다행이네요. 언제쯤 들어오나요?", "감사합니다. 환불은 언제 되나요?"),
        ("S", "카드사에 따라 3일에서 5일 정도 걸립니다.", "영업일 기준으로 3일 안에 들어갈 거예요."),
    ), (c("S", "수수료 없이 전액 환불해 주다", "위약금 없이 취소해 주다", "전액 환불을 약속하다"),
        c("S", "환불까지 며칠 걸린다고 알려 주다", "환불 기간을 안내하다", detail=True))),
    Outcome(_turns(
        ("S", "당일 취소라서 취소 수수료 {fee:이} 발생하는데 괜찮으시겠어요?",
         "규정상 지금 취소하시면 수수료 {fee:을} 내셔야 해요."),
        ("C", "아, 어쩔 수 없죠. 수수료 내고 취소할게요.", "조금 아깝지만 그렇게 해 주세요."),
        opt("S", "다음에 예약하실 때는 미리 말씀해 주세요.", "취소 확인 문자 보내 드리겠습니다."),
    ), (c("S", "취소 수수료 {fee:이} 있다고 알리다", "수수료 {fee:을} 안내하다", "{fee:의} 수수료가 붙는다고 하다"),
        c("C", "수수료를 내고 취소하기로 하다", "수수료를 감수하고 취소하다", "그래도 취소하기로 하다"))),
))

PRICE = Goal("가격 문의", ("{service} 가격 문의", "{place} 가격 문의", "{service} 비용"), {
    "price2": ("3만 원", "4만 5천 원", "6만 원", "8만 원", "12만 원", "15만 원"), "discount": DISCOUNTS}, _turns(
    ("C", "저기요, {service:은} 가격이 어떻게 돼요?", "안녕하세요. {service} 비용이 얼마인지 궁금해서요."),
    ("S", "{service:은} 기본이 {price2:이에요}.", "{service:은} {price2:부터} 시작합니다.", "지금 {service:은} {price2:이에요}."),
    opt("C", "생각보다 좀 비싸네요.", "다른 곳보다 조금 비싼 것 같아요."),
    BREAK,
), (c("C", "{service} 가격을 묻다", "{S:에게} {service} 비용을 문의하다", "{service:이} 얼마인지 물어보다"),
    c("S", "{price2:이라고} 알려 주다", "가격이 {price2:이라고} 답하다", "{price2:이라고} 안내하다")), (
    Outcome(_turns(
        ("S", "이번 달에는 첫 방문 고객께 {discount} 할인을 해 드려요.", "지금 예약하시면 {discount} 할인이 됩니다."),
        ("C", "그래요? 그럼 오늘 바로 할게요.", "할인되면 괜찮네요. 지금 신청할게요."),
        ("S", "네, 바로 안내해 드리겠습니다.", "좋습니다. 이쪽으로 오세요."),
    ), (c("S", "{discount} 할인을 해 준다고 하다", "{discount} 할인을 제안하다", "{discount} 할인 행사를 알려 주다"),
        c("C", "바로 신청하기로 하다", "할인을 받고 오늘 하기로 하다", "그 자리에서 신청하다"))),
    Outcome(_turns(
        ("S", "천천히 생각해 보시고 연락 주세요. 여기 안내문 가져가세요.", "다른 곳도 비교해 보시고 결정하셔도 돼요."),
        ("C", "네, 좀 더 생각해 보고 다시 올게요.", "알겠어요. 집에 가서 생각해 볼게요."),
    ), (c("C", "좀 더 생각해 보기로 하다", "결정을 미루다", "다른 곳과 비교해 보기로 하다"),
        c("S", "안내문을 건네다", "안내문을 주다", detail=True))),
))

BUY = Goal("구매", ("{item} 구매", "{place}에서 물건 사기", "{item} 주문"), {
    "count": COUNTS, "pay": PAYMENTS, "day": DAYS}, _turns(
    ("S", "어서 오세요. 찾으시는 거 있으세요?", "안녕하세요. 천천히 둘러보세요."),
    ("C", "{item} 있어요? 하나 사려고요.", "혹시 {item:도} 파세요?", "{item:을} 사고 싶은데요."),
    ("S", "네, {item:은} {price:이에요}. 몇 개 드릴까요?", "{item} 말씀이시죠? 하나에 {price:입니다}."),
    ("C", "{count} 주세요.", "그럼 {count} 살게요."),
    BREAK,
), (c("C", "{item:을} {count} 사려고 하다", "{item} {count:을} 주문하다", "{S:에게} {item:을} {count} 달라고 하다"),
    c("S", "{item:이} 하나에 {price:이라고} 알려 주다", "가격이 {price:이라고} 안내하다", "{price:이라고} 말하다", detail=True)),
    (
    Outcome(_turns(
        ("S", "결제는 어떻게 하시겠어요?", "계산 도와드릴게요. 결제 수단은요?"),
        ("C", "{pay:으로} 할게요.", "{pay:으로} 계산해 주세요."),
        opt("S", "봉투 필요하세요?", "영수증 드릴까요?"),
        opt("C", "네, 하나 주세요.", "아니요, 괜찮아요."),
    ), (c("C", "{pay:으로} 계산하다", "{pay:으로} 결제하다", "{pay:으로} 값을 치르다"),)),
    Outcome(_turns(
        ("S", "죄송한데 지금 재고가 하나밖에 없어요. 나머지는 주문하시면 {day:에} 들어와요.",
         "아, 매장에는 지금 하나뿐이에요. 주문하시면 {day:에} 받으실 수 있어요."),
        ("C", "그럼 주문해 주세요. {day:에} 다시 올게요.", "괜찮아요. 주문하고 {day:에} 찾으러 올게요."),
        ("S", "네, 주문 넣어 드렸습니다. 들어오면 연락드릴게요.", "주문 완료됐습니다. 도착하면 문자 드릴게요."),
    ), (c("S", "재고가 부족해 {day:에} 들어온다고 말하다", "나머지는 {day:에} 받을 수 있다고 하다", "재고가 하나뿐이라고 알리다"),
        c("C", "주문하고 {day:에} 찾으러 오기로 하다", "{day:에} 다시 오기로 하다", "나머지를 주문하기로 하다"))),
))

RETURN = Goal("교환 환불", ("{item} 환불", "{item} 교환", "{place} 환불 문의"), {"reason": RETURN_REASONS}, _turns(
    ("C", "저기요, 며칠 전에 여기서 산 {item} 때문에 왔는데요.", "안녕하세요. 지난주에 산 {item:을} 가져왔어요."),
    ("S", "네, 무슨 문제가 있으세요?", "네, 어떤 일로 오셨어요?"),
    ("C", "{reason} 환불받고 싶어요.", "{reason} 돌려드리고 싶어요."),
    BREAK,
    ("S", "영수증 갖고 오셨어요?", "구매하신 영수증 좀 보여 주시겠어요?"),
    ("C", "네, 여기요. {price} 주고 샀어요.", "여기 있어요. {price:이었어요}."),
), (c("C", "{reason} {price:에} 산 {item:을} 환불하려고 하다", "{item} 환불을 요청하다", "{reason} {item:을} 돌려주려고 하다"),),
    (
    Outcome(_turns(
        ("S", "네, 확인됐습니다. {price} 바로 환불해 드릴게요.", "구매 기간 안이라 환불 가능합니다. 결제하신 카드로 취소해 드릴게요."),
        ("C", "감사합니다.", "빨리 처리해 주셔서 감사해요."),
    ), (c("S", "영수증을 확인하고 환불해 주다", "{price:을} 환불해 주다", "바로 환불을 처리하다"),)),
    Outcome(_turns(
        ("S", "환불은 어렵고, 같은 가격의 다른 상품으로 교환은 가능합니다.", "죄송하지만 환불 기간이 지났어요. 교환만 됩니다."),
        ("C", "그럼 교환이라도 할게요.", "어쩔 수 없네요. 다른 걸로 바꿀게요."),
        opt("S", "천천히 골라 보세요.", "새 상품은 저쪽에 있어요."),
    ), (c("S", "환불은 안 되고 교환만 된다고 하다", "환불 대신 교환을 제안하다", "교환만 가능하다고 안내하다"),
        c("C", "다른 상품으로 교환하기로 하다", "교환을 받아들이다", "다른 물건으로 바꾸기로 하다"))),
))

COMPLAIN = Goal("불만 제기", ("{place} 불만", "{place} 서비스 불만", "{service} 항의"), {"fix,fix_clause": FIXES}, _turns(
    ("C", "책임자분 계세요? 할 말이 있어서 왔어요.", "저기요, 지난번 {service} 때문에 드릴 말씀이 있어요."),
    ("S", "네, 제가 담당자입니다. 무슨 일이신가요?", "네, 말씀하세요. 어떤 문제가 있으셨어요?"),
    ("C", "{problem_said}. 정말 실망했어요.", "솔직히 말씀드리면 {problem_said}.", "{problem_said}. 이건 아니지 않나요?"),
    BREAK,
    ("S", "정말 죄송합니다. 제가 바로 확인해 보겠습니다.", "불편을 드려 죄송합니다. 확인해 볼게요."),
    opt("C", "이런 일이 처음이 아니라서 더 화가 나요.", "다음에도 이러면 안 올 거예요."),
), (c("C", "{problem:에} 대해 항의하다", "{problem:을} 두고 불만을 제기하다", "{S:에게} {problem:을} 따지다"),), (
    Outcome(_turns(
        ("S", "저희 잘못이 맞네요. {fix}.", "확인해 보니 저희 실수였습니다. {fix}."),
        ("C", "그렇게 해 주시면 괜찮아요.", "네, 그럼 그렇게 해 주세요."),
        opt("S", "다시는 이런 일 없도록 하겠습니다.", "직원들에게도 꼭 전달하겠습니다."),
    ), (c("S", "사과하고 {fix_clause}", "잘못을 인정하고 {fix_clause}", "{fix_clause}"),
        c("C", "그 제안을 받아들이다", "사과를 받아들이다", "그렇게 하기로 하다"))),
    Outcome(_turns(
        ("S", "확인해 보니 규정대로 처리된 거라 보상은 어렵습니다. 대신 {fix}.",
         "보상 규정에는 해당이 안 되지만, 죄송한 마음에 {fix}."),
        ("C", "그걸로는 부족해요. 본사에 정식으로 민원을 넣을게요.", "됐어요. 본사에 직접 이야기할게요."),
    ), (c("S", "규정상 보상은 어렵다며 {fix_clause}", "보상 대신 {fix_clause}", "{fix_clause}"),
        c("C", "만족하지 못해 본사에 민원을 넣기로 하다", "본사에 항의하겠다고 하다", "본사에 민원을 제기하기로 하다"))),
))

RECOMMEND = Goal("추천", ("{place} 추천", "{service} 추천", "{place} 상담"), {
    "need,need_clause": NEEDS, "service2": ("기본 코스", "가장 인기 있는 상품", "체험 프로그램", "실속 패키지")}, _turns(
    ("S", "어서 오세요. 뭘 도와드릴까요?", "안녕하세요. 찾으시는 게 있으세요?"),
    ("C", "{need}. 추천해 주실 만한 게 있을까요?", "{need}. 뭐가 좋을지 추천 좀 해 주세요."),
    ("S", "그러시면 {service:을} 많이 하세요. 반응이 제일 좋아요.", "저라면 {service:을} 추천드려요. 다들 만족하시더라고요."),
    BREAK,
), (c("C", "{need_clause} 손님으로서 추천을 부탁하다", "{S:에게} 추천을 요청하다", "무엇이 좋을지 묻다"),
    c("S", "{service:을} 추천하다", "{service:을} 권하다", "{service:이} 좋다고 말하다")), (
    Outcome(_turns(
        ("C", "그럼 {service:으로} 할게요.", "좋아요, {service:으로} 해 볼게요."),
        ("S", "탁월한 선택이세요. 바로 준비해 드릴게요.", "네, 바로 진행해 드리겠습니다."),
    ), (c("C", "{service:을} 하기로 하다", "추천대로 {service:을} 고르다", "{service:을} 선택하다"),)),
    Outcome(_turns(
        ("C", "그건 좀 부담스러워요. 다른 건 없나요?", "음, 그건 저랑 잘 안 맞을 것 같아요."),
        ("S", "그럼 {service2:은} 어떠세요? 부담 없이 해 보실 수 있어요.", "그러면 {service2:을} 해 보세요."),
        ("C", "그게 낫겠네요. 그걸로 할게요.", "좋아요, 그걸로 주세요."),
    ), (c("S", "{service2:도} 권하다", "대신 {service2:을} 제안하다", "{service2:을} 다시 추천하다"),
        c("C", "{service2:을} 고르다", "{service2:으로} 하기로 하다", "{service2:을} 선택하다"))),
))

GOALS: tuple[Goal, ...] = (BOOK, RESCHEDULE, CANCEL, PRICE, BUY, RETURN, COMPLAIN, RECOMMEND)
