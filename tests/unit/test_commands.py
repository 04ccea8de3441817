"""Argument parsing of declared commands."""

from __future__ import annotations

from datetime import date

import pytest

from handlers import dispatch  # noqa: F401  (registers the commands)
from handlers.commands import REGISTRY, ParseContext, ParseError, parse_args

TODAY = date(2026, 11, 27)
PC = ParseContext(resolve_department=lambda text: ("renshe", 3) if text.startswith("人社局") else None, today=TODAY)


def command(name):
    return next(c for c in REGISTRY if c.name == name)


@pytest.mark.parametrize(
    ("rest", "solution", "eta"),
    [
        ("#5 已协调物业 2026-12-10", "已协调物业", date(2026, 12, 10)),
        ("已协调物业 12月10日", "已协调物业", date(2026, 12, 10)),
        ("城管已清理占道 明天", "城管已清理占道", date(2026, 11, 28)),
        ("今天已联系物业，后天修好 后天", "今天已联系物业，后天修好", date(2026, 11, 29)),
        ("先安排人员排查 1月5日", "先安排人员排查", date(2027, 1, 5)),  # written in November
    ],
)
def test_answer_takes_the_last_date_as_the_eta(rest, solution, eta):
    args = parse_args(command("答复"), rest, PC)
    assert (args["solution"], args["eta"]) == (solution, eta)


def test_words_like_today_inside_the_solution_are_not_the_date():
    for rest in ("今天已经处理完了", "今天已联系物业，后天修好"):
        with pytest.raises(ParseError) as err:
            parse_args(command("答复"), rest, PC)
        assert "预计完成日期" in err.value.message


def test_bad_dates_and_ratings_are_explained():
    with pytest.raises(ParseError) as err:
        parse_args(command("延期"), "2月30日 理由", PC)
    assert "不存在" in err.value.message
    with pytest.raises(ParseError):
        parse_args(command("评价"), "六分", PC)
    assert parse_args(command("评价"), "#3 五星 很好", PC) == {"ticket_id": 3, "rating": 5, "comment": "很好"}


def test_bare_numbers_go_to_the_right_argument():
    assert parse_args(command("提级"), "12345 QY-1", PC)["ticket_id"] is None
    assert parse_args(command("提级"), "#7 12345", PC)["ticket_id"] == 7
    assert parse_args(command("转办"), "7 人社局 请尽快", PC) == {"ticket_id": 7, "department": "renshe", "reason": "请尽快"}
