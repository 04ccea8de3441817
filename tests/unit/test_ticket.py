"""The ticket lifecycle: every (status, action) pair of the transition table, and each effect."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.bootstrap import build_policy
from bot.core.channels import Channel
from bot.core.diagram import mermaid
from bot.core.errors import IllegalTransitionError, MissingDetailError
from bot.core.org import Person, Role
from bot.core.ticket import ACTION_LABELS, STATUS_LABELS, TRANSITIONS, Action, Status, Ticket
from config.settings import Settings

SH = ZoneInfo("Asia/Shanghai")
POLICY = build_policy(Settings(database_url="sqlite+aiosqlite:///:memory:"))
RECEIVED = datetime(2026, 9, 30, 10, 0, tzinfo=SH)
LATER = RECEIVED + timedelta(hours=1)

HELPER = Person(id="h1", name="张服务员", role=Role.HELPER)
COORD = Person(id="c1", name="李协调员", role=Role.COORDINATOR, department_code="renshe")
OWNER = Person(id="o1", name="王老板", role=Role.BUSINESS, business_id="b1")

# Valid parameters for every action, so that an illegal pair fails only because of the table.
PARAMS = {
    Action.OPEN: {},
    Action.HANDLE: {},
    Action.FORWARD: {"department": "renshe"},
    Action.ACCEPT: {},
    Action.RETURN: {"reason": "不属于本部门职责"},
    Action.WHISTLE: {"departments": ("renshe", "shichang")},
    Action.CHECK_IN: {},
    Action.REFER: {"platform": "12345", "external_ref": "JC2026-1"},
    Action.REJECT: {"reason": "属于信访事项"},
    Action.ANSWER: {"solution": "协调办理", "eta": date(2026, 10, 20)},
    Action.REQUEST_EXTENSION: {"until": date(2026, 12, 31), "reason": "等待市级批复"},
    Action.APPROVE_EXTENSION: {},
    Action.DENY_EXTENSION: {"reason": "理由不充分"},
    Action.RESOLVE: {"result": "已办结"},
    Action.RATE: {"rating": 5, "comment": "满意"},
    Action.CLOSE: {},
    Action.REOPEN: {"reason": "问题仍未解决"},
    Action.SUPPLEMENT: {"text": "补充一下门牌号"},
    Action.REPLY: {"text": "已收到，正在办理"},
}


def new_ticket() -> Ticket:
    t = Ticket.open(
        business_id="b1", requester_id="o1", helper_id="h1", text="想咨询稳岗补贴", received_at=RECEIVED,
        policy=POLICY,
    )
    t.id = 1
    return t


def ticket_in(status: Status) -> Ticket:
    """A ticket placed in `status` with every precondition of the status-keeping actions met."""
    t = new_ticket()
    t.status = status
    t.departments = ("renshe", "shichang")
    t.extension_until = date(2026, 12, 30)
    t.extension_reason = "等待批复"
    return t


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", list(Action))
def test_every_status_action_pair(status: Status, action: Action) -> None:
    ticket = ticket_in(status)
    expected = TRANSITIONS.get((status, action))
    if expected is None:
        with pytest.raises(IllegalTransitionError) as err:
            ticket.apply(action, COORD, LATER, POLICY, **PARAMS[action])
        assert STATUS_LABELS[status] in err.value.user_message
        assert ACTION_LABELS[action] in err.value.user_message
        assert ticket.status == status
    else:
        event = ticket.apply(action, COORD, LATER, POLICY, **PARAMS[action])
        assert ticket.status == expected
        assert event.from_status == status and event.to_status == expected
        assert event.action == action and event.actor_id == COORD.id and event.at == LATER


def test_every_status_is_reachable_and_labelled() -> None:
    targets = {Status.NEW} | set(TRANSITIONS.values())
    assert targets == set(Status)
    assert set(STATUS_LABELS) == set(Status)
    assert set(ACTION_LABELS) == set(Action)


def test_open_sets_street_deadline_of_one_working_day() -> None:
    t = new_ticket()
    assert t.status == Status.NEW and t.channel == Channel.STREET
    assert t.next_due_at == datetime(2026, 10, 8, 17, 30, tzinfo=SH)
    assert t.calendar_version == POLICY.calendar.version and not t.calendar_unconfirmed


def test_open_refuses_empty_text() -> None:
    with pytest.raises(MissingDetailError):
        Ticket.open(business_id="b", requester_id="o", helper_id="h", text="  ", received_at=RECEIVED, policy=POLICY)


def test_handle_keeps_the_clock_that_started_at_receipt() -> None:
    t = new_ticket()
    t.apply(Action.HANDLE, HELPER, RECEIVED + timedelta(days=5), POLICY)
    assert t.next_due_at == datetime(2026, 10, 8, 17, 30, tzinfo=SH)
    assert len(t.segments) == 1


def test_forward_starts_department_segment_of_three_working_days() -> None:
    t = new_ticket()
    event = t.apply(Action.FORWARD, HELPER, RECEIVED, POLICY, department="renshe")
    assert t.status == Status.FORWARDED and t.channel == Channel.DEPARTMENT
    assert t.departments == ("renshe",)
    assert t.next_due_at == datetime(2026, 10, 10, 17, 30, tzinfo=SH)  # a makeup Saturday
    assert event.detail["departments"] == ["renshe"]
    assert "channel_change" not in event.detail


def test_whistle_gets_seven_working_days_and_needs_two_departments() -> None:
    t = new_ticket()
    with pytest.raises(MissingDetailError):
        t.apply(Action.WHISTLE, HELPER, RECEIVED, POLICY, departments=("renshe", "renshe"))
    assert t.status == Status.NEW
    t.apply(Action.WHISTLE, HELPER, RECEIVED, POLICY, departments=("renshe", "shichang"))
    assert t.next_due_at == datetime(2026, 10, 15, 17, 30, tzinfo=SH)


def test_channel_change_keeps_each_segment_clock_and_reason() -> None:
    t = new_ticket()
    t.apply(Action.FORWARD, HELPER, RECEIVED, POLICY, department="renshe")
    second = datetime(2026, 10, 9, 9, 0, tzinfo=SH)
    event = t.apply(Action.WHISTLE, HELPER, second, POLICY, departments=("renshe", "shichang"), reason="涉及多部门")
    assert event.detail["channel_change"] == {"from": "department", "to": "district"}
    assert [s.channel for s in t.segments] == [Channel.STREET, Channel.DEPARTMENT, Channel.DISTRICT]
    department_segment = t.segments[1]
    assert department_segment.due_at == datetime(2026, 10, 10, 17, 30, tzinfo=SH)
    assert department_segment.ended_at == second
    assert t.segments[2].reason == "涉及多部门"
    # 7 working days from Friday 9 Oct: 10 (Sat, makeup), 12, 13, 14, 15, 16, 19.
    assert t.next_due_at == datetime(2026, 10, 19, 17, 30, tzinfo=SH)


def test_return_requires_reason_counts_and_gives_helper_a_new_street_deadline() -> None:
    t = new_ticket()
    t.apply(Action.FORWARD, HELPER, RECEIVED, POLICY, department="renshe")
    with pytest.raises(MissingDetailError):
        t.apply(Action.RETURN, COORD, LATER, POLICY, reason=" ")
    assert t.status == Status.FORWARDED
    t.apply(Action.RETURN, COORD, LATER, POLICY, reason="应由区城管委办理")
    assert t.status == Status.RETURNED and t.return_count == 1
    assert t.departments == ()
    assert t.next_due_at == datetime(2026, 10, 8, 17, 30, tzinfo=SH)
    t.apply(Action.FORWARD, HELPER, LATER, POLICY, department="chengguan")
    assert t.status == Status.FORWARDED and t.departments == ("chengguan",)


def test_refer_needs_a_known_platform_and_keeps_external_reference() -> None:
    t = new_ticket()
    with pytest.raises(MissingDetailError):
        t.apply(Action.REFER, HELPER, RECEIVED, POLICY, platform="微博")
    t.apply(Action.REFER, HELPER, RECEIVED, POLICY, platform="津产发", external_ref="JCF-88")
    assert t.channel == Channel.CITY and t.external_ref == "JCF-88"
    assert t.answer_due_at is None  # no district deadline on the city channel
    assert t.next_due_at == datetime(2026, 10, 15, 17, 30, tzinfo=SH)  # follow-up after 7 working days


def test_answer_needs_solution_and_eta_and_moves_deadline_to_eta() -> None:
    t = new_ticket()
    t.apply(Action.HANDLE, HELPER, RECEIVED, POLICY)
    with pytest.raises(MissingDetailError):
        t.apply(Action.ANSWER, HELPER, LATER, POLICY, solution="办理", eta=None)
    with pytest.raises(MissingDetailError):
        t.apply(Action.ANSWER, HELPER, LATER, POLICY, solution="办理", eta=date(2026, 9, 1))
    event = t.apply(Action.ANSWER, HELPER, LATER, POLICY, solution="协调物业", eta=date(2026, 10, 12))
    assert t.status == Status.ANSWERED and event.detail["on_time"] is True
    assert t.next_due_at == datetime(2026, 10, 12, 17, 30, tzinfo=SH)


def test_late_answer_is_recorded_as_late() -> None:
    t = new_ticket()
    t.apply(Action.HANDLE, HELPER, RECEIVED, POLICY)
    event = t.apply(Action.ANSWER, HELPER, datetime(2026, 10, 9, 9, 0, tzinfo=SH), POLICY,
                    solution="协调物业", eta=date(2026, 10, 12))
    assert event.detail["on_time"] is False


def test_extension_keeps_original_deadline_for_statistics() -> None:
    t = new_ticket()
    t.apply(Action.FORWARD, HELPER, RECEIVED, POLICY, department="renshe")
    with pytest.raises(MissingDetailError):
        t.apply(Action.REQUEST_EXTENSION, COORD, LATER, POLICY, until=date(2026, 10, 9), reason="等待")
    with pytest.raises(MissingDetailError):
        t.apply(Action.APPROVE_EXTENSION, HELPER, LATER, POLICY)
    t.apply(Action.REQUEST_EXTENSION, COORD, LATER, POLICY, until=date(2026, 10, 20), reason="需现场核查")
    assert t.next_due_at == datetime(2026, 10, 10, 17, 30, tzinfo=SH)  # unchanged until approved
    t.apply(Action.APPROVE_EXTENSION, HELPER, LATER, POLICY)
    assert t.next_due_at == datetime(2026, 10, 20, 17, 30, tzinfo=SH)
    assert t.current_segment.original_due_at == datetime(2026, 10, 10, 17, 30, tzinfo=SH)
    assert t.extension_until is None


def test_denied_extension_leaves_deadline() -> None:
    t = new_ticket()
    t.apply(Action.FORWARD, HELPER, RECEIVED, POLICY, department="renshe")
    t.apply(Action.REQUEST_EXTENSION, COORD, LATER, POLICY, until=date(2026, 10, 20), reason="需现场核查")
    t.apply(Action.DENY_EXTENSION, HELPER, LATER, POLICY, reason="请按期答复")
    assert t.next_due_at == datetime(2026, 10, 10, 17, 30, tzinfo=SH) and t.extension_until is None


def test_check_in_only_for_called_departments_and_lists_missing() -> None:
    t = new_ticket()
    t.apply(Action.WHISTLE, HELPER, RECEIVED, POLICY, departments=("renshe", "shichang"))
    outsider = Person(id="c9", name="赵", role=Role.COORDINATOR, department_code="keji")
    with pytest.raises(MissingDetailError):
        t.apply(Action.CHECK_IN, outsider, LATER, POLICY)
    event = t.apply(Action.CHECK_IN, COORD, LATER, POLICY)
    assert event.detail["missing"] == ["shichang"]
    assert t.checked_in == ("renshe",)


def test_resolve_rate_close_and_reopen() -> None:
    t = new_ticket()
    t.apply(Action.HANDLE, HELPER, RECEIVED, POLICY)
    t.apply(Action.RESOLVE, HELPER, LATER, POLICY, result="已协调完成")
    # Resolved on Wed 30 Sep: the rating is watched from the next working day (8 Oct).
    assert t.next_due_at == datetime(2026, 10, 8, 17, 30, tzinfo=SH) and t.resolved_at == LATER
    # 5 working days: 8, 9, 10 (makeup Saturday), 12, 13 October.
    assert POLICY.auto_close_at(LATER) == datetime(2026, 10, 13, 17, 30, tzinfo=SH)
    with pytest.raises(MissingDetailError):
        t.apply(Action.RATE, OWNER, LATER, POLICY, rating=6)
    t.apply(Action.RATE, OWNER, LATER, POLICY, rating=2, comment="太慢")
    assert t.status == Status.CLOSED and t.rating == 2 and t.next_due_at is None
    t.apply(Action.REOPEN, OWNER, LATER, POLICY, reason="不满意")
    assert t.status == Status.REOPENED and t.reopen_count == 1 and t.next_due_at is not None


def test_reject_requires_reason_and_is_final() -> None:
    t = new_ticket()
    with pytest.raises(MissingDetailError):
        t.apply(Action.REJECT, HELPER, LATER, POLICY, reason="")
    t.apply(Action.REJECT, HELPER, LATER, POLICY, reason="涉及个人隐私")
    assert t.is_final and t.next_due_at is None


def test_diagram_is_generated_from_the_table_and_shown_in_readme() -> None:
    text = mermaid()
    for (source, action), target in TRANSITIONS.items():
        if source != target:
            assert f"{source.value} --> {target.value}:" in text
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert text in readme, "README's diagram is stale: paste the output of `zhengqi diagram`"


def test_naive_times_are_not_accepted_silently() -> None:
    # Deadlines are computed in Asia/Shanghai whatever zone the input is in.
    t = Ticket.open(business_id="b", requester_id="o", helper_id="h", text="x",
                    received_at=datetime(2026, 9, 30, 2, 0, tzinfo=timezone.utc), policy=POLICY)
    assert t.next_due_at == datetime(2026, 10, 8, 17, 30, tzinfo=SH)


def test_an_extension_to_a_rest_day_ends_on_the_next_working_day() -> None:
    t = new_ticket()
    t.apply(Action.FORWARD, HELPER, RECEIVED, POLICY, department="renshe")
    t.apply(Action.REQUEST_EXTENSION, COORD, LATER, POLICY, until=date(2026, 10, 18), reason="等待批复")  # Sunday
    t.apply(Action.APPROVE_EXTENSION, HELPER, LATER, POLICY)
    assert t.next_due_at == datetime(2026, 10, 19, 17, 30, tzinfo=SH)
