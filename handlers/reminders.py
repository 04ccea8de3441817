"""Deadline enforcement: reminders, overdue escalation, rating reminders, automatic closing, digests.

One sweep: find tickets whose deadline is near (indexed query), work out which rungs have
fired, claim each (ticket, deadline, rung) in the database, and queue the messages in the outbox
in the same transaction. Nothing goes out outside office hours; what waited is collapsed into
one message per person. A claim is never made twice, so two processes, a restart in the middle
of a sweep or an overrunning sweep never send a reminder twice; what a downtime held back is
sent once, late, and says so.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any, Callable

from bot.core import services as svc
from bot.core.chat import Button, Card, Push, Outbound
from bot.core.errors import DomainError
from bot.core.org import SYSTEM_ACTOR, Hub, Person, Role
from bot.core.ports import DueTicket, UnitOfWork
from bot.core.reminders import SEVERITY, Fired, Ladder, Rung, fired_rungs
from bot.core.ticket import Status
from bot.core.workdays import unconfirmed_warning_zh
from handlers.context import ChatContext
from handlers.format import moment, shorten

CHUNK = 500  # claims per transaction: keeps each write short on the one SQLite connection
DIGEST_UNTIL = time(12, 0)
ORDER = {rung.value: i for i, rung in enumerate(SEVERITY)}
TITLES = {
    Rung.DUE_TODAY.value: "今日到期",
    Rung.BEFORE.value: "即将到期",
    Rung.OVERDUE.value: "超期",
    Rung.RATE.value: "请评价",
    Rung.AUTO_CLOSE.value: "自动关闭",
}


@dataclass(frozen=True)
class Planned:
    """One reminder to one person (before collapsing), as `zhengqi remind --json` prints it."""

    to: str
    role: str
    ticket: int | None
    rung: str
    text: str
    key: str
    late: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"to": self.to, "role": self.role, "ticket": self.ticket, "rung": self.rung, "text": self.text}


@dataclass
class SweepReport:
    sent: list[Planned] = field(default_factory=list)
    digests: list[Planned] = field(default_factory=list)
    alerts: list[Planned] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    held: int = 0  # fired but waiting for office hours


class Recipients:
    """Roster lookups for one sweep, each asked once."""

    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self._cache: dict[tuple, Any] = {}

    async def _memo(self, key: tuple, load: Callable):
        if key not in self._cache:
            self._cache[key] = await load()
        return self._cache[key]

    async def business_name(self, business_id: str) -> str:
        async def load():
            business = await self.uow.roster.business(business_id)
            return business.name if business else business_id

        return await self._memo(("business", business_id), load)

    async def helpers(self, due: DueTicket) -> list[str]:
        async def load():
            business = await self.uow.roster.business(due.business_id)
            return list(business.helper_ids) if business and business.helper_ids else [due.helper_id]

        return await self._memo(("helpers", due.business_id), load)

    async def of_department(self, role: Role, code: str) -> list[Person]:
        return await self._memo(
            (role, code), lambda: self.uow.roster.people(role=role.value, department=code)
        )

    async def hubs(self, hub: Hub | None = None) -> list[Person]:
        people = await self._memo(("hubs",), lambda: self.uow.roster.people(role=Role.HUB.value))
        return [p for p in people if hub is None or p.hub == hub]

    async def responsible(self, due: DueTicket) -> list[tuple[str, str]]:
        """(person, role) who must act on the ticket now."""
        found: list[tuple[str, str]] = []
        if due.status in (Status.FORWARDED, Status.CONSULTING):
            for code in due.departments:
                found += [(p.id, Role.COORDINATOR.value) for p in await self.of_department(Role.COORDINATOR, code)]
        if due.status != Status.FORWARDED:
            found += [(h, Role.HELPER.value) for h in await self.helpers(due)]
        return found


def _what(due: DueTicket) -> str:
    if due.status == Status.ANSWERED:
        return "督促落实并办结（已答复的预计完成日期）"
    if due.status == Status.REFERRED:
        return "跟进市级渠道的办理进展并告知企业"
    if due.status in (Status.NEW, Status.RETURNED, Status.REOPENED):
        return "研判并答复解决方案和预计完成时间"
    return "答复解决方案和预计完成时间"


async def _messages(f: Fired, chat: ChatContext, who: Recipients) -> list[Planned]:
    due, tz = f.ticket, chat.tz
    name = await who.business_name(due.business_id)
    subject = f"工单 #{due.id}（{name}：{shorten(due.text, 20)}）"
    late = f"\n（系统恢复后补发：原应于{moment(f.fire_at, tz)}发送）" if f.late else ""
    out: list[Planned] = []

    def add(to: str, role: str, text: str) -> None:
        out.append(Planned(to, role, due.id, f.rung.value, text + late, f.key, f.late))

    if f.rung == Rung.DUE_TODAY:
        for to, role in await who.responsible(due):
            add(to, role, f"【今日到期】{subject}须在今天{moment(f.deadline, tz)[-5:]}前{_what(due)}。")
    elif f.rung == Rung.BEFORE:
        for to, role in await who.responsible(due):
            add(to, role, f"【即将到期】{subject}距期限{moment(f.deadline, tz)}不足{chat_hours(f)}小时，须{_what(due)}。")
    elif f.rung == Rung.OVERDUE:
        deadline = moment(f.deadline, tz)
        for to, role in await who.responsible(due):
            add(to, role, f"【已超期】{subject}已超过期限{deadline}，请尽快{_what(due)}；确需延期请发送「延期 #{due.id} 日期 理由」。")
        owner = chat.directory.names(due.departments) if due.departments else "助企服务员"
        for code in due.departments:
            for leader in await who.of_department(Role.LEADER, code):
                add(leader.id, Role.LEADER.value, f"【超期督办】{chat.directory.name(code)}承办的{subject}已超过期限{deadline}，请督促办理。")
        for hub in await who.hubs(Hub.SERVICE_OFFICE):
            add(hub.id, Role.HUB.value, f"【超期通报】{subject}已超过期限{deadline}，承办：{owner}。")
    elif f.rung == Rung.RATE:
        add(due.requester_id, Role.BUSINESS.value,
            f"【请评价】您的诉求 工单 #{due.id} 已办结，请回复「评价 分数 意见」（1–5分），您的评价是我们改进的依据。")
    elif f.rung == Rung.AUTO_CLOSE:
        days = chat.services.policy.auto_close_workdays
        add(due.requester_id, Role.BUSINESS.value,
            f"工单 #{due.id} 办结后{days}个工作日未收到评价，已自动关闭。如问题仍未解决，直接发消息告诉我们即可。")
        for helper in await who.helpers(due):
            add(helper, Role.HELPER.value, f"{subject}企业未评价，已自动关闭。")
    return out


def chat_hours(f: Fired) -> str:
    hours = (f.deadline - f.fire_at).total_seconds() / 3600
    return f"{hours:g}"


def _buttons(item: Planned) -> tuple[Button, ...]:
    if item.ticket is None:
        return ()
    if item.rung == Rung.RATE.value:
        return tuple(Button(f"{n}分", f"评价 #{item.ticket} {n}") for n in (5, 4, 3, 2, 1))
    if item.role in (Role.HELPER.value, Role.COORDINATOR.value, Role.LEADER.value, Role.HUB.value):
        return (Button("查询详情", f"查询 #{item.ticket}"),)
    return ()


def collapse(items: list[Planned]) -> list[Push]:
    """One message per person: a single reminder as it is, several as one list."""
    by_person: dict[str, list[Planned]] = {}
    for item in items:
        by_person.setdefault(item.to, []).append(item)
    pushes = []
    for person, mine in by_person.items():
        mine.sort(key=lambda p: (p.ticket or 0, ORDER.get(p.rung, len(ORDER))))
        if len(mine) == 1:
            item = mine[0]
            buttons = _buttons(item)
            card = Card(TITLES.get(item.rung, "提醒"), (item.text,), buttons) if buttons else None
            pushes.append(Push(person, Outbound(item.text, item.ticket, card), item.rung))
            continue
        lines = [f"您有{len(mine)}条提醒："] + [f"· {p.text}" for p in mine]
        staff = mine[0].role != Role.BUSINESS.value
        card = Card("办理提醒", tuple(p.text for p in mine), (Button("查看待办", "待办"),)) if staff else None
        tickets = {p.ticket for p in mine}
        ticket = tickets.pop() if len(tickets) == 1 else None
        pushes.append(Push(person, Outbound("\n".join(lines), ticket, card), "reminders"))
    return pushes


async def plan(uow: UnitOfWork, chat: ChatContext, ladder: Ladder, now: datetime) -> tuple[list[Fired], list[Planned]]:
    """What has fired by `now` and is not yet claimed, and the messages it would send."""
    dues = await uow.tickets.due_before(now + ladder.lookahead, limit=1_000_000)
    fired = [f for due in dues for f in fired_rungs(due, now, chat.services.policy, ladder)]
    claimed = await uow.claims.existing([f.key for f in fired])
    pending = [f for f in fired if f.key not in claimed]
    who = Recipients(uow)
    messages: list[Planned] = []
    for f in pending:
        messages += await _messages(f, chat, who)
    return pending, messages


async def sweep(uow_factory, chat: ChatContext, ladder: Ladder, now: datetime) -> SweepReport:
    """Claim and queue everything that has fired; nothing outside office hours."""
    report = SweepReport()
    async with uow_factory() as uow:
        pending, _ = await plan(uow, chat, ladder, now)
    if not chat.services.policy.calendar.is_office_time(now):
        report.held = len(pending)
        return report
    for start in range(0, len(pending), CHUNK):
        chunk = pending[start:start + CHUNK]
        async with uow_factory() as uow:
            who = Recipients(uow)
            items: list[Planned] = []
            for f in chunk:
                if not await uow.claims.claim(f.key, now):
                    continue  # another process (or an earlier, interrupted sweep) owns it
                if f.rung == Rung.AUTO_CLOSE:
                    try:
                        await svc.close(uow, chat.services, SYSTEM_ACTOR, f.ticket.id, "超期未评价，自动关闭")
                    except DomainError:
                        continue  # rated or reopened meanwhile: nothing to close
                    report.closed.append(f.ticket.id)
                items += await _messages(f, chat, who)
            await uow.outbox.add(collapse(items), now)
            await uow.commit()
        report.sent += items
        await asyncio.sleep(0)  # let requests through between chunks
    report.digests = await send_digests(uow_factory, chat, ladder, now)
    report.alerts = await send_calendar_alerts(uow_factory, chat, now)
    return report


async def plan_digests(uow: UnitOfWork, chat: ChatContext, ladder: Ladder, now: datetime) -> list[Planned]:
    cal = chat.services.policy.calendar
    local = now.astimezone(cal.tz)
    # Mornings of working days only: a digest that missed its morning is not sent at night.
    if not cal.is_workday(local.date()) or not ladder.digest_time <= local.time() < DIGEST_UNTIL:
        return []
    overdue = await uow.tickets.overdue(now, limit=100_000)
    if not overdue:
        return []
    lines = [f"【每日超期汇总】截至{local:%m月%d日 %H:%M}，全区超期诉求 {len(overdue)} 件。"]
    for due in overdue[:20]:
        owner = chat.directory.names(due.departments) if due.departments else "助企服务员"
        lines.append(f"· #{due.id} {shorten(due.text, 18)}，期限{moment(due.next_due_at, chat.tz)}，承办：{owner}")
    if len(overdue) > 20:
        lines.append(f"……另有 {len(overdue) - 20} 件，发送「超时」查看。")
    text = "\n".join(lines)
    planned = [
        Planned(hub.id, Role.HUB.value, None, "digest", text, f"digest:{local.date().isoformat()}:{hub.id}")
        for hub in await uow.roster.people(role=Role.HUB.value)
    ]
    claimed = await uow.claims.existing([p.key for p in planned])
    return [p for p in planned if p.key not in claimed]


async def _claim_and_queue(uow: UnitOfWork, planned: list[Planned], card: Card | None, now: datetime) -> list[Planned]:
    """Queue the ticket-less messages whose claims this caller wins; one transaction."""
    sent = [p for p in planned if await uow.claims.claim(p.key, now)]
    await uow.outbox.add([Push(p.to, Outbound(p.text, None, card), p.rung) for p in sent], now)
    await uow.commit()
    return sent


async def send_digests(uow_factory, chat: ChatContext, ladder: Ladder, now: datetime) -> list[Planned]:
    card = Card("每日超期汇总", (), (Button("查看超时清单", "超时"),))
    async with uow_factory() as uow:
        return await _claim_and_queue(uow, await plan_digests(uow, chat, ladder, now), card, now)


async def send_calendar_alerts(uow_factory, chat: ChatContext, now: datetime) -> list[Planned]:
    """Tell the hubs, once per year and person, that a year's holidays are not confirmed:
    deadlines in it are counted on weekends only until someone updates config/holidays.toml."""
    cal = chat.services.policy.calendar
    year = now.astimezone(cal.tz).year
    missing = cal.unconfirmed_years([year, year + 1])
    if not missing:
        return []
    text = (f"【节假日安排待确认】{unconfirmed_warning_zh(missing)}"
            "国务院公布安排后，请信息化人员更新 config/holidays.toml。")
    async with uow_factory() as uow:
        planned = [
            Planned(hub.id, Role.HUB.value, None, "calendar", text, f"calendar:{missing[0]}:{hub.id}")
            for hub in await uow.roster.people(role=Role.HUB.value)
        ]
        return await _claim_and_queue(uow, planned, None, now)
