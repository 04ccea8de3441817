"""Service layer: one function per lifecycle action.

Each takes the unit of work, the service context and the acting person, checks that the actor
may act on this ticket, applies the action through `Ticket.apply`, and stores the ticket and its
audit event in the same transaction. Chat handlers call only these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Callable, Sequence

from bot.core.channels import DeadlinePolicy
from bot.core.errors import MissingDetailError, NotFoundError, PermissionDeniedError
from bot.core.org import Business, Hub, Person, Role
from bot.core.ports import Correction, UnitOfWork
from bot.core.ticket import ACTION_LABELS, Action, AuditEvent, Status, Ticket


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class ServiceContext:
    policy: DeadlinePolicy
    clock: Callable[[], datetime] = utc_now


# Who may take each action, as relations between the actor and the ticket:
#   requester   — a person writing for the ticket's business
#   helper      — a helper serving the ticket's business (both helpers of a dual-helper park)
#   coordinator — a coordinator of a department the ticket is currently with
#   hub         — a member of either hub (supervision)
#   approver    — a member of 区政务服务办 (extension approval, DESIGN §4)
#   system      — the scheduler
PERMISSIONS: dict[Action, frozenset[str]] = {
    Action.HANDLE: frozenset({"helper"}),
    Action.FORWARD: frozenset({"helper", "hub"}),
    Action.ACCEPT: frozenset({"coordinator"}),
    Action.RETURN: frozenset({"coordinator"}),
    Action.WHISTLE: frozenset({"helper", "hub"}),
    Action.CHECK_IN: frozenset({"coordinator"}),
    Action.REFER: frozenset({"helper", "hub"}),
    Action.REJECT: frozenset({"helper"}),
    Action.ANSWER: frozenset({"helper", "coordinator"}),
    Action.REQUEST_EXTENSION: frozenset({"helper", "coordinator"}),
    Action.APPROVE_EXTENSION: frozenset({"approver"}),
    Action.DENY_EXTENSION: frozenset({"approver"}),
    Action.RESOLVE: frozenset({"helper", "coordinator"}),
    Action.RATE: frozenset({"requester"}),
    Action.CLOSE: frozenset({"system"}),
    Action.REOPEN: frozenset({"requester", "helper", "hub"}),
    Action.SUPPLEMENT: frozenset({"requester"}),
    Action.REPLY: frozenset({"helper", "coordinator"}),
}


def relations(actor: Person, ticket: Ticket, business: Business | None) -> set[str]:
    found: set[str] = set()
    if actor.role == Role.SYSTEM:
        found.add("system")
    if actor.role == Role.BUSINESS and actor.business_id == ticket.business_id:
        found.add("requester")
    if actor.role == Role.HELPER and (
        actor.id == ticket.helper_id or (business is not None and actor.id in business.helper_ids)
    ):
        found.add("helper")
    if actor.role == Role.COORDINATOR and actor.department_code in ticket.departments:
        found.add("coordinator")
    if actor.role == Role.HUB:
        found.add("hub")
        if actor.hub == Hub.SERVICE_OFFICE:
            found.add("approver")
    return found


def may_view(actor: Person, ticket: Ticket, business: Business | None) -> bool:
    """Reading is wider than acting: leaders see their department's tickets, hubs see all."""
    if relations(actor, ticket, business):
        return True
    return actor.role == Role.LEADER and actor.department_code in ticket.departments


def _not_found(ticket_id: int) -> NotFoundError:
    # Also said for someone else's ticket: never confirm that it exists.
    return NotFoundError(f"没有找到工单 #{ticket_id}，请核对工单号。")


async def load_ticket(uow: UnitOfWork, ticket_id: int) -> Ticket:
    ticket = await uow.tickets.get(ticket_id)
    if ticket is None:
        raise _not_found(ticket_id)
    return ticket


async def view_ticket(uow: UnitOfWork, actor: Person, ticket_id: int) -> Ticket:
    ticket = await load_ticket(uow, ticket_id)
    business = await uow.roster.business(ticket.business_id)
    if not may_view(actor, ticket, business):
        raise _not_found(ticket_id)
    return ticket


async def _act(
    uow: UnitOfWork,
    ctx: ServiceContext,
    actor: Person,
    ticket_id: int,
    action: Action,
    source_message_id: str | None,
    only_if: Status | None = None,
    **params: Any,
) -> Ticket | None:
    ticket = await load_ticket(uow, ticket_id)
    if only_if is not None and ticket.status != only_if:
        return None
    business = await uow.roster.business(ticket.business_id)
    if not relations(actor, ticket, business) & PERMISSIONS[action]:
        if not may_view(actor, ticket, business):
            raise _not_found(ticket_id)
        raise PermissionDeniedError(
            f"您（{actor.label}）无权对工单 #{ticket_id} 执行「{ACTION_LABELS[action]}」。"
        )
    event = ticket.apply(
        action, actor, ctx.clock(), ctx.policy, source_message_id=source_message_id, **params
    )
    await uow.tickets.save(ticket)
    await uow.audit.add(event)
    await uow.commit()
    return ticket


async def _known_department(uow: UnitOfWork, code: str) -> str:
    if await uow.roster.department(code) is None:
        raise MissingDetailError(f"没有名为「{code}」的部门，请从部门清单中选择。")
    return code


# -- opening -----------------------------------------------------------------------------------


async def open_ticket(
    uow: UnitOfWork,
    ctx: ServiceContext,
    actor: Person,
    text: str,
    *,
    helper_id: str | None = None,
    category: str | None = None,
    suggested_department: str | None = None,
    source_message_id: str | None = None,
) -> Ticket:
    """A requester's message becomes a ticket with the helper of their business."""
    if actor.role != Role.BUSINESS or not actor.business_id:
        raise PermissionDeniedError("只有经营主体可以提交诉求。")
    business = await uow.roster.business(actor.business_id)
    if business is None:
        raise NotFoundError("没有找到您所属的经营主体，请先完成登记。")
    helper = helper_id if helper_id in business.helper_ids else business.primary_helper_id
    if helper is None:
        raise MissingDetailError("您的经营主体尚未分配助企服务员，请联系所在街道。")
    at = ctx.clock()
    ticket = Ticket.open(
        business_id=business.id,
        requester_id=actor.id,
        helper_id=helper,
        text=text,
        received_at=at,
        policy=ctx.policy,
        category=category,
        suggested_department=suggested_department,
    )
    ticket.id = await uow.tickets.add(ticket)
    await uow.audit.add(
        AuditEvent(
            ticket_id=ticket.id,
            at=at,
            actor_id=actor.id,
            action=Action.OPEN,
            from_status=None,
            to_status=ticket.status,
            detail={"text": ticket.text, "category": category,
                    "suggested_department": suggested_department},
            source_message_id=source_message_id,
        )
    )
    await uow.commit()
    return ticket


# -- helper triage -----------------------------------------------------------------------------


async def handle(uow, ctx, actor, ticket_id: int, *, reason: str = "", source_message_id=None) -> Ticket:
    return await _act(uow, ctx, actor, ticket_id, Action.HANDLE, source_message_id, reason=reason)


async def forward(
    uow, ctx, actor, ticket_id: int, department: str, *, reason: str = "", source_message_id=None
) -> Ticket:
    department = await _known_department(uow, department)
    ticket = await _act(
        uow, ctx, actor, ticket_id, Action.FORWARD, source_message_id, department=department, reason=reason
    )
    if ticket.suggested_department and ticket.suggested_department != department:
        # The helper knows better than the suggestion: keep the lesson for `zhengqi nlp retrain`.
        await uow.corrections.add(
            Correction(ticket.id, ticket.text, ticket.category, ticket.suggested_department, department,
                       actor.id, ctx.clock())
        )
        await uow.commit()
    return ticket


async def whistle(
    uow, ctx, actor, ticket_id: int, departments: Sequence[str], *, reason: str = "", source_message_id=None
) -> Ticket:
    codes = tuple([await _known_department(uow, d) for d in departments])
    return await _act(
        uow, ctx, actor, ticket_id, Action.WHISTLE, source_message_id, departments=codes, reason=reason
    )


async def refer(
    uow, ctx, actor, ticket_id: int, platform: str, *, external_ref: str = "", reason: str = "",
    source_message_id=None,
) -> Ticket:
    return await _act(
        uow, ctx, actor, ticket_id, Action.REFER, source_message_id,
        platform=platform, external_ref=external_ref, reason=reason,
    )


async def reject(uow, ctx, actor, ticket_id: int, reason: str, *, source_message_id=None) -> Ticket:
    return await _act(uow, ctx, actor, ticket_id, Action.REJECT, source_message_id, reason=reason)


# -- coordinators ------------------------------------------------------------------------------


async def accept(uow, ctx, actor, ticket_id: int, *, source_message_id=None) -> Ticket:
    return await _act(uow, ctx, actor, ticket_id, Action.ACCEPT, source_message_id)


async def return_ticket(uow, ctx, actor, ticket_id: int, reason: str, *, source_message_id=None) -> Ticket:
    return await _act(uow, ctx, actor, ticket_id, Action.RETURN, source_message_id, reason=reason)


async def check_in(uow, ctx, actor, ticket_id: int, *, source_message_id=None) -> Ticket:
    return await _act(uow, ctx, actor, ticket_id, Action.CHECK_IN, source_message_id)


# -- answering and finishing -------------------------------------------------------------------


async def answer(
    uow, ctx, actor, ticket_id: int, solution: str, eta: date | None, *, source_message_id=None
) -> Ticket:
    return await _act(
        uow, ctx, actor, ticket_id, Action.ANSWER, source_message_id, solution=solution, eta=eta
    )


async def request_extension(
    uow, ctx, actor, ticket_id: int, until: date | None, reason: str, *, source_message_id=None
) -> Ticket:
    return await _act(
        uow, ctx, actor, ticket_id, Action.REQUEST_EXTENSION, source_message_id, until=until, reason=reason
    )


async def approve_extension(uow, ctx, actor, ticket_id: int, *, source_message_id=None) -> Ticket:
    return await _act(uow, ctx, actor, ticket_id, Action.APPROVE_EXTENSION, source_message_id)


async def deny_extension(uow, ctx, actor, ticket_id: int, reason: str = "", *, source_message_id=None) -> Ticket:
    return await _act(uow, ctx, actor, ticket_id, Action.DENY_EXTENSION, source_message_id, reason=reason)


async def resolve(uow, ctx, actor, ticket_id: int, result: str, *, source_message_id=None) -> Ticket:
    return await _act(uow, ctx, actor, ticket_id, Action.RESOLVE, source_message_id, result=result)


async def rate(
    uow, ctx, actor, ticket_id: int, rating: int, comment: str = "", *, source_message_id=None
) -> Ticket:
    return await _act(
        uow, ctx, actor, ticket_id, Action.RATE, source_message_id, rating=rating, comment=comment
    )


async def close(uow, ctx, actor, ticket_id: int, reason: str = "", *, source_message_id=None) -> Ticket:
    return await _act(uow, ctx, actor, ticket_id, Action.CLOSE, source_message_id, reason=reason)


async def reopen(uow, ctx, actor, ticket_id: int, reason: str = "", *, source_message_id=None) -> Ticket:
    return await _act(uow, ctx, actor, ticket_id, Action.REOPEN, source_message_id, reason=reason)


async def supplement(uow, ctx, actor, ticket_id: int, text: str, *, source_message_id=None) -> Ticket:
    return await _act(uow, ctx, actor, ticket_id, Action.SUPPLEMENT, source_message_id, text=text)


async def supplement_if_new(uow, ctx, actor, ticket_id: int, text: str, *, source_message_id=None) -> Ticket | None:
    """More lines of a need the helper has not picked up yet join it; None once it has moved on."""
    return await _act(uow, ctx, actor, ticket_id, Action.SUPPLEMENT, source_message_id,
                      only_if=Status.NEW, text=text)


async def reply(uow, ctx, actor, ticket_id: int, text: str, *, source_message_id=None) -> Ticket:
    return await _act(uow, ctx, actor, ticket_id, Action.REPLY, source_message_id, text=text)


LOW_RATING = 2  # a rating at or below this reopens the ticket (the requester is not satisfied)


async def rate_and_maybe_reopen(
    uow, ctx, actor, ticket_id: int, rating: int, comment: str = "", *, source_message_id=None
) -> Ticket:
    """评价: a low rating closes the rated round and reopens the need for the helper."""
    ticket = await rate(uow, ctx, actor, ticket_id, rating, comment, source_message_id=source_message_id)
    if ticket.rating is not None and ticket.rating <= LOW_RATING:
        ticket = await reopen(
            uow, ctx, actor, ticket_id, f"企业评价{ticket.rating}分：{comment}".rstrip("："),
            source_message_id=source_message_id,
        )
    return ticket


def is_open(ticket: Ticket) -> bool:
    return ticket.status not in (Status.REJECTED, Status.CLOSED)
