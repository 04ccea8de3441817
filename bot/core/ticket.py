"""The ticket (诉求) and its lifecycle.

`TRANSITIONS` is the only place that says which action moves a ticket from which status to
which status; `Ticket.apply` is the only code that changes `Ticket.status`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Callable

from bot.core.channels import Channel, DeadlinePolicy
from bot.core.errors import IllegalTransitionError, MissingDetailError
from bot.core.org import Person


class Status(StrEnum):
    NEW = "new"  # received, waiting for the helper's triage
    HANDLING = "handling"  # street channel: the helper handles it in the street
    FORWARDED = "forwarded"  # department channel: with one department's coordinator
    CONSULTING = "consulting"  # district channel: 吹哨报到 / 会商 with several departments
    REFERRED = "referred"  # city channel: 12345 企业服务专席 or 津产发
    RETURNED = "returned"  # a coordinator sent it back (退回); the helper re-triages
    REOPENED = "reopened"  # the requester was not satisfied; the helper re-triages
    REJECTED = "rejected"  # out of scope (不予受理); final
    ANSWERED = "answered"  # solution and estimated completion sent to the requester
    RESOLVED = "resolved"  # 办结; waiting for the requester's rating
    CLOSED = "closed"  # rated, or closed automatically; final unless reopened


class Action(StrEnum):
    OPEN = "open"  # the ticket was created (audit only: not a transition)
    HANDLE = "handle"  # 受理 (street)
    FORWARD = "forward"  # 转办 (department)
    ACCEPT = "accept"  # 接收 (coordinator)
    RETURN = "return"  # 退回 (coordinator, reason required)
    WHISTLE = "whistle"  # 吹哨/会商 (district)
    CHECK_IN = "check_in"  # 报到 (department called by a whistle)
    REFER = "refer"  # 提级 (city, external reference)
    REJECT = "reject"  # 不予受理 (out of scope, reason required)
    ANSWER = "answer"  # 答复: solution + estimated completion date
    REQUEST_EXTENSION = "request_extension"  # 延期申请 (date + reason)
    APPROVE_EXTENSION = "approve_extension"  # 延期批准 (区政务服务办)
    DENY_EXTENSION = "deny_extension"  # 延期驳回
    RESOLVE = "resolve"  # 办结
    RATE = "rate"  # 评价 1–5
    CLOSE = "close"  # automatic closing without a rating
    REOPEN = "reopen"  # 重新办理
    SUPPLEMENT = "supplement"  # 补充 by the requester
    REPLY = "reply"  # 回复: a message relayed to the requester


STATUS_LABELS: dict[Status, str] = {
    Status.NEW: "待研判",
    Status.HANDLING: "街道办理中",
    Status.FORWARDED: "已转部门",
    Status.CONSULTING: "会商办理中",
    Status.REFERRED: "已提级市级",
    Status.RETURNED: "被退回",
    Status.REOPENED: "重新办理",
    Status.REJECTED: "不予受理",
    Status.ANSWERED: "已答复",
    Status.RESOLVED: "已办结",
    Status.CLOSED: "已关闭",
}

ACTION_LABELS: dict[Action, str] = {
    Action.OPEN: "提交诉求",
    Action.HANDLE: "受理",
    Action.FORWARD: "转办",
    Action.ACCEPT: "接收",
    Action.RETURN: "退回",
    Action.WHISTLE: "吹哨会商",
    Action.CHECK_IN: "报到",
    Action.REFER: "提级",
    Action.REJECT: "不予受理",
    Action.ANSWER: "答复",
    Action.REQUEST_EXTENSION: "申请延期",
    Action.APPROVE_EXTENSION: "批准延期",
    Action.DENY_EXTENSION: "驳回延期",
    Action.RESOLVE: "办结",
    Action.RATE: "评价",
    Action.CLOSE: "关闭",
    Action.REOPEN: "重新办理",
    Action.SUPPLEMENT: "补充",
    Action.REPLY: "回复",
}

S, A = Status, Action

# (status, action) -> new status. Every pair not listed is illegal.
TRANSITIONS: dict[tuple[Status, Action], Status] = {
    # Triage: from a ticket waiting for the helper's decision.
    (S.NEW, A.HANDLE): S.HANDLING,
    (S.NEW, A.FORWARD): S.FORWARDED,
    (S.NEW, A.WHISTLE): S.CONSULTING,
    (S.NEW, A.REFER): S.REFERRED,
    (S.NEW, A.REJECT): S.REJECTED,
    (S.RETURNED, A.HANDLE): S.HANDLING,
    (S.RETURNED, A.FORWARD): S.FORWARDED,
    (S.RETURNED, A.WHISTLE): S.CONSULTING,
    (S.RETURNED, A.REFER): S.REFERRED,
    (S.RETURNED, A.REJECT): S.REJECTED,
    (S.REOPENED, A.HANDLE): S.HANDLING,
    (S.REOPENED, A.FORWARD): S.FORWARDED,
    (S.REOPENED, A.WHISTLE): S.CONSULTING,
    (S.REOPENED, A.REFER): S.REFERRED,
    (S.REOPENED, A.REJECT): S.REJECTED,
    # Channel changes while in progress (each starts a new segment with its own clock).
    (S.HANDLING, A.FORWARD): S.FORWARDED,
    (S.HANDLING, A.WHISTLE): S.CONSULTING,
    (S.HANDLING, A.REFER): S.REFERRED,
    (S.FORWARDED, A.WHISTLE): S.CONSULTING,
    (S.FORWARDED, A.REFER): S.REFERRED,
    (S.CONSULTING, A.REFER): S.REFERRED,
    # Department channel.
    (S.FORWARDED, A.ACCEPT): S.FORWARDED,
    (S.FORWARDED, A.RETURN): S.RETURNED,
    # District channel.
    (S.CONSULTING, A.CHECK_IN): S.CONSULTING,
    # Answer: solution + estimated completion date.
    (S.HANDLING, A.ANSWER): S.ANSWERED,
    (S.FORWARDED, A.ANSWER): S.ANSWERED,
    (S.CONSULTING, A.ANSWER): S.ANSWERED,
    (S.REFERRED, A.ANSWER): S.ANSWERED,
    # Extensions keep the status; the deadline moves only on approval.
    (S.HANDLING, A.REQUEST_EXTENSION): S.HANDLING,
    (S.FORWARDED, A.REQUEST_EXTENSION): S.FORWARDED,
    (S.CONSULTING, A.REQUEST_EXTENSION): S.CONSULTING,
    (S.ANSWERED, A.REQUEST_EXTENSION): S.ANSWERED,
    (S.HANDLING, A.APPROVE_EXTENSION): S.HANDLING,
    (S.FORWARDED, A.APPROVE_EXTENSION): S.FORWARDED,
    (S.CONSULTING, A.APPROVE_EXTENSION): S.CONSULTING,
    (S.ANSWERED, A.APPROVE_EXTENSION): S.ANSWERED,
    (S.HANDLING, A.DENY_EXTENSION): S.HANDLING,
    (S.FORWARDED, A.DENY_EXTENSION): S.FORWARDED,
    (S.CONSULTING, A.DENY_EXTENSION): S.CONSULTING,
    (S.ANSWERED, A.DENY_EXTENSION): S.ANSWERED,
    # Resolution: a simple matter may be resolved without a separate answer.
    (S.HANDLING, A.RESOLVE): S.RESOLVED,
    (S.FORWARDED, A.RESOLVE): S.RESOLVED,
    (S.CONSULTING, A.RESOLVE): S.RESOLVED,
    (S.REFERRED, A.RESOLVE): S.RESOLVED,
    (S.ANSWERED, A.RESOLVE): S.RESOLVED,
    (S.RESOLVED, A.RATE): S.CLOSED,
    (S.RESOLVED, A.CLOSE): S.CLOSED,
    (S.RESOLVED, A.REOPEN): S.REOPENED,
    (S.CLOSED, A.REOPEN): S.REOPENED,
    # Conversation on an open ticket.
    (S.NEW, A.SUPPLEMENT): S.NEW,
    (S.HANDLING, A.SUPPLEMENT): S.HANDLING,
    (S.FORWARDED, A.SUPPLEMENT): S.FORWARDED,
    (S.CONSULTING, A.SUPPLEMENT): S.CONSULTING,
    (S.REFERRED, A.SUPPLEMENT): S.REFERRED,
    (S.RETURNED, A.SUPPLEMENT): S.RETURNED,
    (S.REOPENED, A.SUPPLEMENT): S.REOPENED,
    (S.ANSWERED, A.SUPPLEMENT): S.ANSWERED,
    (S.NEW, A.REPLY): S.NEW,
    (S.HANDLING, A.REPLY): S.HANDLING,
    (S.FORWARDED, A.REPLY): S.FORWARDED,
    (S.CONSULTING, A.REPLY): S.CONSULTING,
    (S.REFERRED, A.REPLY): S.REFERRED,
    (S.RETURNED, A.REPLY): S.RETURNED,
    (S.REOPENED, A.REPLY): S.REOPENED,
    (S.ANSWERED, A.REPLY): S.ANSWERED,
    (S.RESOLVED, A.REPLY): S.RESOLVED,
}

del S, A

FINAL_STATUSES = frozenset({Status.REJECTED, Status.CLOSED})
# Statuses in which the helper must decide the channel.
TRIAGE_STATUSES = frozenset({Status.NEW, Status.RETURNED, Status.REOPENED})
CHANNEL_OF_ACTION = {
    Action.HANDLE: Channel.STREET,
    Action.FORWARD: Channel.DEPARTMENT,
    Action.WHISTLE: Channel.DISTRICT,
    Action.REFER: Channel.CITY,
}
EXTERNAL_PLATFORMS = {"12345": "12345热线企业服务专席", "津产发": "津产发平台"}


@dataclass(frozen=True)
class AuditEvent:
    ticket_id: int | None
    at: datetime
    actor_id: str
    action: Action
    from_status: Status | None
    to_status: Status
    detail: dict[str, Any]
    source_message_id: str | None = None


@dataclass
class Segment:
    """One stretch of handling in one channel; a channel change starts a new segment."""

    channel: Channel
    started_at: datetime
    due_at: datetime | None
    departments: tuple[str, ...] = ()
    reason: str = ""
    original_due_at: datetime | None = None  # the deadline before any approved extension
    ended_at: datetime | None = None


@dataclass
class Ticket:
    id: int | None
    business_id: str
    requester_id: str
    helper_id: str
    text: str
    received_at: datetime
    status: Status = Status.NEW
    channel: Channel = Channel.STREET
    category: str | None = None
    suggested_department: str | None = None
    departments: tuple[str, ...] = ()  # the department(s) currently involved
    accepted_by: tuple[str, ...] = ()  # coordinators who accepted (接收) the forward
    checked_in: tuple[str, ...] = ()  # departments that checked in (报到) to a whistle
    solution: str = ""
    eta: date | None = None
    result: str = ""
    rating: int | None = None
    rating_comment: str = ""
    external_platform: str | None = None
    external_ref: str = ""
    reject_reason: str = ""
    return_count: int = 0
    reopen_count: int = 0
    extension_until: date | None = None  # pending request
    extension_reason: str = ""
    answer_due_at: datetime | None = None  # deadline of the current segment's answer
    next_due_at: datetime | None = None  # the deadline the scheduler watches; None when none
    calendar_version: str = ""
    calendar_unconfirmed: bool = False
    answered_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 0
    segments: list[Segment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # supplements by the requester

    # -- lifecycle -------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        *,
        business_id: str,
        requester_id: str,
        helper_id: str,
        text: str,
        received_at: datetime,
        policy: DeadlinePolicy,
        category: str | None = None,
        suggested_department: str | None = None,
    ) -> Ticket:
        if not text.strip():
            raise MissingDetailError("诉求内容不能为空，请描述您需要解决的问题。")
        ticket = cls(
            id=None,
            business_id=business_id,
            requester_id=requester_id,
            helper_id=helper_id,
            text=text.strip(),
            received_at=received_at,
            category=category,
            suggested_department=suggested_department,
        )
        ticket._start_segment(Channel.STREET, received_at, policy, (), "")
        return ticket

    def can(self, action: Action) -> bool:
        return (self.status, action) in TRANSITIONS

    def allowed_actions(self) -> list[Action]:
        return [a for (s, a) in TRANSITIONS if s == self.status]

    def apply(
        self,
        action: Action,
        actor: Person,
        at: datetime,
        policy: DeadlinePolicy,
        *,
        source_message_id: str | None = None,
        **params: Any,
    ) -> AuditEvent:
        """Apply one lifecycle action; returns the audit event to store with the ticket."""
        target = TRANSITIONS.get((self.status, action))
        if target is None:
            raise IllegalTransitionError(
                self.status, action, STATUS_LABELS[self.status], ACTION_LABELS[action]
            )
        before = self.status
        detail = _EFFECTS[action](self, actor, at, policy, **params)
        self.status = target
        self.updated_at = at
        return AuditEvent(
            ticket_id=self.id,
            at=at,
            actor_id=actor.id,
            action=action,
            from_status=before,
            to_status=target,
            detail=detail,
            source_message_id=source_message_id,
        )

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def current_segment(self) -> Segment:
        return self.segments[-1]

    # -- effects (called only through apply) -----------------------------------------------

    def _start_segment(
        self,
        channel: Channel,
        at: datetime,
        policy: DeadlinePolicy,
        departments: tuple[str, ...],
        reason: str,
    ) -> None:
        if self.segments and self.current_segment.ended_at is None:
            self.current_segment.ended_at = at
        deadline = policy.segment_deadline(channel, at)
        # The city channel has no district answer deadline, only follow-ups of the referral.
        answer_due = deadline.at if policy.rule(channel).answer_days is not None else None
        self.segments.append(
            Segment(
                channel=channel,
                started_at=at,
                due_at=answer_due,
                departments=departments,
                reason=reason,
            )
        )
        self.channel = channel
        self.departments = departments
        self.answer_due_at = answer_due
        self.next_due_at = deadline.at
        self.calendar_version = deadline.calendar_version
        self.calendar_unconfirmed = deadline.unconfirmed

    def _route(
        self,
        channel: Channel,
        at: datetime,
        policy: DeadlinePolicy,
        departments: tuple[str, ...],
        reason: str,
    ) -> dict[str, Any]:
        previous = self.channel if self.status not in TRIAGE_STATUSES else None
        if channel == Channel.STREET and self.status == Status.NEW:
            # The street segment started at receipt: routing to the street keeps its clock.
            self.current_segment.reason = reason
        else:
            self._start_segment(channel, at, policy, departments, reason)
        self.accepted_by = ()
        self.checked_in = ()
        detail: dict[str, Any] = {"channel": channel.value}
        if departments:
            detail["departments"] = list(departments)
        if reason:
            detail["reason"] = reason
        if previous is not None and previous != channel:
            detail["channel_change"] = {"from": previous.value, "to": channel.value}
        return detail


def _require(value: str | None, message: str) -> str:
    if value is None or not str(value).strip():
        raise MissingDetailError(message)
    return str(value).strip()


def _handle(t: Ticket, actor: Person, at: datetime, policy: DeadlinePolicy, reason: str = "") -> dict:
    return t._route(Channel.STREET, at, policy, (), reason)


def _forward(
    t: Ticket, actor: Person, at: datetime, policy: DeadlinePolicy, department: str = "", reason: str = ""
) -> dict:
    dept = _require(department, "请说明转办给哪个部门，例如：转办 区人社局。")
    return t._route(Channel.DEPARTMENT, at, policy, (dept,), reason)


def _whistle(
    t: Ticket,
    actor: Person,
    at: datetime,
    policy: DeadlinePolicy,
    departments: tuple[str, ...] = (),
    reason: str = "",
) -> dict:
    unique = tuple(dict.fromkeys(departments))
    if len(unique) < 2:
        raise MissingDetailError("吹哨会商需要至少两个部门，例如：会商 区市场监管局 区城管委。")
    return t._route(Channel.DISTRICT, at, policy, unique, reason)


def _refer(
    t: Ticket,
    actor: Person,
    at: datetime,
    policy: DeadlinePolicy,
    platform: str = "",
    external_ref: str = "",
    reason: str = "",
) -> dict:
    if platform not in EXTERNAL_PLATFORMS:
        raise MissingDetailError("请说明提级渠道：12345 或 津产发，例如：提级 12345 [外部单号]。")
    detail = t._route(Channel.CITY, at, policy, (), reason)
    t.external_platform = platform
    t.external_ref = (external_ref or "").strip()
    detail.update(platform=platform, external_ref=t.external_ref)
    return detail


def _reject(t: Ticket, actor: Person, at: datetime, policy: DeadlinePolicy, reason: str = "") -> dict:
    t.reject_reason = _require(reason, "不予受理须说明理由，例如：不予受理 属于信访事项。")
    _stop_clock(t, at)
    t.closed_at = at
    return {"reason": t.reject_reason}


def _accept(t: Ticket, actor: Person, at: datetime, policy: DeadlinePolicy) -> dict:
    if actor.id not in t.accepted_by:
        t.accepted_by = t.accepted_by + (actor.id,)
    return {"department": actor.department_code}


def _return(t: Ticket, actor: Person, at: datetime, policy: DeadlinePolicy, reason: str = "") -> dict:
    reason = _require(reason, "退回须说明原因，例如：退回 不属于本部门职责，建议转区城管委。")
    t.return_count += 1
    # Back with the helper, who owes a new routing within the street channel's deadline.
    t._start_segment(Channel.STREET, at, policy, (), f"退回：{reason}")
    t.accepted_by = ()
    return {"reason": reason, "department": actor.department_code, "return_count": t.return_count}


def _check_in(t: Ticket, actor: Person, at: datetime, policy: DeadlinePolicy) -> dict:
    dept = actor.department_code
    if dept not in t.departments:
        raise MissingDetailError("您的部门不在本次吹哨会商的部门名单中。")
    if dept not in t.checked_in:
        t.checked_in = t.checked_in + (dept,)
    missing = [d for d in t.departments if d not in t.checked_in]
    return {"department": dept, "missing": missing}


def _answer(
    t: Ticket,
    actor: Person,
    at: datetime,
    policy: DeadlinePolicy,
    solution: str = "",
    eta: date | None = None,
) -> dict:
    t.solution = _require(solution, "答复须包含解决方案，例如：答复 已协调补办手续 2026-10-20。")
    if eta is None:
        raise MissingDetailError("答复须包含预计完成日期，例如：答复 已协调补办手续 2026-10-20。")
    if eta < at.astimezone(policy.calendar.tz).date():
        raise MissingDetailError("预计完成日期不能早于今天。")
    t.eta = eta
    t.answered_at = at
    t.current_segment.ended_at = at
    # After the answer the promised completion date is the deadline to watch (全程督促落实).
    t.next_due_at = policy.end_of_day(eta)
    return {"solution": t.solution, "eta": eta.isoformat(), "on_time": _on_time(t, at)}


def _request_extension(
    t: Ticket,
    actor: Person,
    at: datetime,
    policy: DeadlinePolicy,
    until: date | None = None,
    reason: str = "",
) -> dict:
    reason = _require(reason, "延期须说明理由，例如：延期 2026-10-30 需等待市级部门批复。")
    if until is None or t.next_due_at is None or policy.workday_end(until) <= t.next_due_at:
        raise MissingDetailError("延期日期须晚于当前期限。")
    t.extension_until = until
    t.extension_reason = reason
    return {"until": until.isoformat(), "reason": reason}


def _approve_extension(t: Ticket, actor: Person, at: datetime, policy: DeadlinePolicy) -> dict:
    if t.extension_until is None:
        raise MissingDetailError("该工单没有待审批的延期申请。")
    new_due = policy.workday_end(t.extension_until)
    segment = t.current_segment
    if t.status == Status.ANSWERED:
        t.eta = t.extension_until
    else:
        # Keep the original deadline for statistics; only the first extension sets it.
        if segment.original_due_at is None:
            segment.original_due_at = segment.due_at
        segment.due_at = new_due
        t.answer_due_at = new_due
    t.next_due_at = new_due
    detail = {"until": t.extension_until.isoformat(), "reason": t.extension_reason}
    t.extension_until = None
    t.extension_reason = ""
    return detail


def _deny_extension(t: Ticket, actor: Person, at: datetime, policy: DeadlinePolicy, reason: str = "") -> dict:
    if t.extension_until is None:
        raise MissingDetailError("该工单没有待审批的延期申请。")
    detail = {"until": t.extension_until.isoformat(), "reason": reason}
    t.extension_until = None
    t.extension_reason = ""
    return detail


def _resolve(t: Ticket, actor: Person, at: datetime, policy: DeadlinePolicy, result: str = "") -> dict:
    t.result = _require(result, "办结须说明办理结果，例如：办结 已完成变更登记。")
    if t.answered_at is None:
        t.answered_at = at
    t.resolved_at = at
    _stop_clock(t, at)
    # What remains to watch: the requester's rating (reminder, then automatic closing).
    t.next_due_at = policy.rating_due(at)
    return {"result": t.result}


def _rate(
    t: Ticket, actor: Person, at: datetime, policy: DeadlinePolicy, rating: int | None = None, comment: str = ""
) -> dict:
    if rating is None or not 1 <= int(rating) <= 5:
        raise MissingDetailError("评价请给 1 到 5 分，例如：评价 5 服务很及时。")
    t.rating = int(rating)
    t.rating_comment = (comment or "").strip()
    t.closed_at = at
    t.next_due_at = None
    return {"rating": t.rating, "comment": t.rating_comment}


def _close(t: Ticket, actor: Person, at: datetime, policy: DeadlinePolicy, reason: str = "") -> dict:
    t.closed_at = at
    t.next_due_at = None
    return {"reason": reason or "超期未评价，自动关闭"}


def _reopen(t: Ticket, actor: Person, at: datetime, policy: DeadlinePolicy, reason: str = "") -> dict:
    t.reopen_count += 1
    t.closed_at = None
    t.resolved_at = None
    t.answered_at = None
    t.solution = ""
    t.eta = None
    t._start_segment(Channel.STREET, at, policy, (), f"重新办理：{reason}" if reason else "重新办理")
    return {"reason": reason, "reopen_count": t.reopen_count}


def _supplement(t: Ticket, actor: Person, at: datetime, policy: DeadlinePolicy, text: str = "") -> dict:
    note = _require(text, "请在「补充」后写上要补充的内容。")
    t.notes.append(note)
    return {"text": note}


def _reply(t: Ticket, actor: Person, at: datetime, policy: DeadlinePolicy, text: str = "") -> dict:
    return {"text": _require(text, "请在「回复」后写上要发给企业的内容。")}


def _stop_clock(t: Ticket, at: datetime) -> None:
    if t.segments and t.current_segment.ended_at is None:
        t.current_segment.ended_at = at
    t.next_due_at = None


def _on_time(t: Ticket, at: datetime) -> bool:
    due = t.current_segment.due_at
    return due is None or at <= due


_EFFECTS: dict[Action, Callable[..., dict]] = {
    Action.HANDLE: _handle,
    Action.FORWARD: _forward,
    Action.ACCEPT: _accept,
    Action.RETURN: _return,
    Action.WHISTLE: _whistle,
    Action.CHECK_IN: _check_in,
    Action.REFER: _refer,
    Action.REJECT: _reject,
    Action.ANSWER: _answer,
    Action.REQUEST_EXTENSION: _request_extension,
    Action.APPROVE_EXTENSION: _approve_extension,
    Action.DENY_EXTENSION: _deny_extension,
    Action.RESOLVE: _resolve,
    Action.RATE: _rate,
    Action.CLOSE: _close,
    Action.REOPEN: _reopen,
    Action.SUPPLEMENT: _supplement,
    Action.REPLY: _reply,
}
