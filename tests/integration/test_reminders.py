"""Deadlines enforced: the reminder ladder with a controllable clock, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core import services as svc
from bot.core.reminders import Ladder
from bot.core.ticket import Status
from handlers.context import ChatContext, DepartmentDirectory
from handlers.reminders import plan, sweep
from storage.database import open_database

SH = ZoneInfo("Asia/Shanghai")
LADDER = Ladder()
OWNER, HELPER, RENSHE = "owner-01", "helper-changhong-1", "coord-renshe"


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.fixture
async def chat(uow_factory, ctx) -> ChatContext:
    async with uow_factory() as uow:
        departments = {d.code: d for d in await uow.roster.departments()}
    return ChatContext(services=ctx, directory=DepartmentDirectory(departments))


async def person(uow_factory, pid):
    async with uow_factory() as uow:
        return await uow.roster.person(pid)


async def open_ticket(uow_factory, ctx, clock, when: datetime, text="想咨询稳岗补贴怎么申请") -> int:
    clock.set(when)
    owner = await person(uow_factory, OWNER)
    async with uow_factory() as uow:
        return (await svc.open_ticket(uow, ctx, owner, text)).id


async def act(uow_factory, ctx, clock, when, fn, actor_id, *args, **kw):
    clock.set(when)
    actor = await person(uow_factory, actor_id)
    async with uow_factory() as uow:
        return await fn(uow, ctx, actor, *args, **kw)


async def run(uow_factory, chat, clock, when):
    clock.set(when)
    return await sweep(uow_factory, chat, LADDER, when)


async def inbox(uow_factory, pid) -> list[str]:
    async with uow_factory() as uow:
        return [p.message.text for p in await uow.outbox.for_person(pid)]


async def test_department_ladder_across_the_national_day_holiday(uow_factory, ctx, chat, clock):
    t = await open_ticket(uow_factory, ctx, clock, at(2026, 9, 30, 10, 0))
    await act(uow_factory, ctx, clock, at(2026, 9, 30, 10, 5), svc.forward, HELPER, t, "renshe")
    # Deadline: 3 working days after 30 Sep = Saturday 10 Oct (a makeup day) 17:30.
    assert (await run(uow_factory, chat, clock, at(2026, 10, 9, 16, 0))).sent == []
    report = await run(uow_factory, chat, clock, at(2026, 10, 10, 8, 30))
    assert [(p.to, p.rung) for p in report.sent] == [(RENSHE, "due_today")]
    assert "今日到期" in (await inbox(uow_factory, RENSHE))[-1]
    report = await run(uow_factory, chat, clock, at(2026, 10, 10, 15, 30))
    assert [(p.to, p.rung) for p in report.sent] == [(RENSHE, "before")]
    # At the deadline it is 17:30: after office hours, so the overdue notice waits...
    report = await run(uow_factory, chat, clock, at(2026, 10, 10, 17, 30))
    assert report.sent == [] and report.held == 1
    # ...through Sunday, and goes out Monday morning to the coordinator, the leader and 区政务服务办.
    assert (await run(uow_factory, chat, clock, at(2026, 10, 11, 10, 0))).sent == []
    report = await run(uow_factory, chat, clock, at(2026, 10, 12, 8, 30))
    assert sorted((p.to, p.rung) for p in report.sent) == [
        (RENSHE, "overdue"), ("hub-zhengwu-1", "overdue"), ("hub-zhengwu-2", "overdue"), ("leader-renshe", "overdue"),
    ]
    assert not any(p.late for p in report.sent)  # held by policy, not by downtime
    assert "超期督办" in (await inbox(uow_factory, "leader-renshe"))[-1]
    assert (await run(uow_factory, chat, clock, at(2026, 10, 12, 8, 31))).sent == []  # exactly once
    assert len(await inbox(uow_factory, RENSHE)) == 3  # three rungs, each once


async def test_street_ladder_goes_to_the_helper_and_waits_overnight(uow_factory, ctx, chat, clock):
    t = await open_ticket(uow_factory, ctx, clock, at(2026, 10, 7, 20, 0))  # holiday evening → due 8 Oct
    report = await run(uow_factory, chat, clock, at(2026, 10, 8, 7, 0))
    assert report.sent == [] and report.held == 0
    report = await run(uow_factory, chat, clock, at(2026, 10, 8, 8, 30))
    assert [(p.to, p.ticket, p.rung) for p in report.sent] == [(HELPER, t, "due_today")]
    assert "研判并答复" in report.sent[0].text


async def test_weekend_deferral_collapses_into_one_message_per_person(uow_factory, ctx, chat, clock):
    first = await open_ticket(uow_factory, ctx, clock, at(2026, 10, 15, 9, 0))
    second = await open_ticket(uow_factory, ctx, clock, at(2026, 10, 15, 10, 0), "门口路灯坏了")
    before = len(await inbox(uow_factory, HELPER))
    await run(uow_factory, chat, clock, at(2026, 10, 16, 8, 30))  # due_today, both tickets
    assert len(await inbox(uow_factory, HELPER)) == before + 1  # one message for two tickets
    await run(uow_factory, chat, clock, at(2026, 10, 16, 15, 30))
    assert (await run(uow_factory, chat, clock, at(2026, 10, 16, 18, 0))).held == 2
    assert (await run(uow_factory, chat, clock, at(2026, 10, 17, 9, 0))).sent == []  # Saturday
    report = await run(uow_factory, chat, clock, at(2026, 10, 19, 8, 30))
    assert {(p.ticket, p.rung) for p in report.sent if p.to == HELPER} == {(first, "overdue"), (second, "overdue")}
    monday = (await inbox(uow_factory, HELPER))[-1]
    assert monday.startswith("您有2条提醒") and f"#{first}" in monday and f"#{second}" in monday


async def test_extension_moves_the_deadline_and_cancels_old_rungs(uow_factory, ctx, chat, clock):
    t = await open_ticket(uow_factory, ctx, clock, at(2026, 9, 30, 10, 0))
    await act(uow_factory, ctx, clock, at(2026, 9, 30, 10, 5), svc.forward, HELPER, t, "renshe")
    await act(uow_factory, ctx, clock, at(2026, 10, 9, 9, 0), svc.request_extension, RENSHE, t,
              date(2026, 10, 23), "需现场核查")
    await act(uow_factory, ctx, clock, at(2026, 10, 9, 10, 0), svc.approve_extension, "hub-zhengwu-1", t)
    for moment in (at(2026, 10, 10, 8, 30), at(2026, 10, 10, 15, 30), at(2026, 10, 12, 8, 30)):
        assert (await run(uow_factory, chat, clock, moment)).sent == []
    report = await run(uow_factory, chat, clock, at(2026, 10, 23, 8, 30))
    assert [(p.to, p.rung) for p in report.sent] == [(RENSHE, "due_today")]


async def test_channel_change_and_answer_replace_the_ladder(uow_factory, ctx, chat, clock):
    t = await open_ticket(uow_factory, ctx, clock, at(2026, 10, 12, 9, 0))
    await act(uow_factory, ctx, clock, at(2026, 10, 12, 9, 30), svc.forward, HELPER, t, "renshe")
    await act(uow_factory, ctx, clock, at(2026, 10, 13, 9, 0), svc.whistle, HELPER, t, ["renshe", "shichang"])
    # The department deadline (15 Oct) no longer applies; the district one is 22 Oct.
    assert (await run(uow_factory, chat, clock, at(2026, 10, 15, 8, 30))).sent == []
    await act(uow_factory, ctx, clock, at(2026, 10, 16, 9, 0), svc.answer, RENSHE, t, "联合现场办公", date(2026, 10, 20))
    report = await run(uow_factory, chat, clock, at(2026, 10, 20, 8, 30))
    assert {p.to for p in report.sent} == {HELPER}  # answered: the helper sees the promise through
    assert "督促落实" in report.sent[0].text


async def test_two_schedulers_on_one_database_send_each_reminder_once(uow_factory, ctx, chat, clock, settings):
    for hour in range(9, 15):
        t = await open_ticket(uow_factory, ctx, clock, at(2026, 10, 12, hour, 0))
        await act(uow_factory, ctx, clock, at(2026, 10, 12, hour, 5), svc.forward, HELPER, t, "renshe")
    other = open_database(settings.database_url)  # a second bot process's connection(s)
    try:
        clock.set(at(2026, 10, 16, 8, 30))
        reports = await asyncio.gather(
            sweep(uow_factory, chat, LADDER, clock.now), sweep(other.uow, chat, LADDER, clock.now),
            sweep(uow_factory, chat, LADDER, clock.now), sweep(other.uow, chat, LADDER, clock.now),
        )
    finally:
        await other.dispose()
    sent = [(p.to, p.ticket, p.rung) for r in reports for p in r.sent]
    # 6 tickets, caught up late: 2 earlier rungs to the coordinator, overdue to 4 people.
    assert len(sent) == len(set(sent)) == 6 * (2 + 4)
    assert len(await inbox(uow_factory, "leader-renshe")) == 1  # collapsed, once


async def test_crash_between_claim_and_send_delivers_once_after_restart(uow_factory, ctx, chat, clock):
    t = await open_ticket(uow_factory, ctx, clock, at(2026, 10, 12, 9, 0))

    class Crash(Exception):
        pass

    def crashing_factory():
        uow = uow_factory()

        class Crashing:
            async def __aenter__(self):
                inner = await uow.__aenter__()

                async def add(pushes, when):
                    raise Crash()  # the process dies after claiming, before the outbox write

                inner.outbox.add = add
                return inner

            async def __aexit__(self, *exc):
                return await uow.__aexit__(*exc)

        return Crashing()

    clock.set(at(2026, 10, 13, 8, 30))
    with pytest.raises(Crash):
        await sweep(crashing_factory, chat, LADDER, clock.now)
    assert await inbox(uow_factory, HELPER) == [m for m in await inbox(uow_factory, HELPER) if "今日到期" not in m]
    report = await sweep(uow_factory, chat, LADDER, clock.now)  # after the restart
    assert [(p.to, p.ticket, p.rung) for p in report.sent] == [(HELPER, t, "due_today")]
    assert (await sweep(uow_factory, chat, LADDER, clock.now)).sent == []
    assert sum("今日到期" in m for m in await inbox(uow_factory, HELPER)) == 1


async def test_catch_up_after_two_days_of_downtime(uow_factory, ctx, chat, clock):
    t = await open_ticket(uow_factory, ctx, clock, at(2026, 10, 12, 9, 0))  # due 13 Oct 17:30
    # The service was down from the 12th until Thursday the 15th, 10:00.
    report = await run(uow_factory, chat, clock, at(2026, 10, 15, 10, 0))
    assert sorted(p.rung for p in report.sent if p.to == HELPER) == ["before", "due_today", "overdue"]
    assert all(p.late for p in report.sent)
    message = (await inbox(uow_factory, HELPER))[-1]
    assert message.startswith("您有3条提醒") and "系统恢复后补发" in message
    assert (await run(uow_factory, chat, clock, at(2026, 10, 15, 10, 1))).sent == []
    assert t


async def test_rating_reminder_then_automatic_closing(uow_factory, ctx, chat, clock):
    t = await open_ticket(uow_factory, ctx, clock, at(2026, 10, 12, 9, 0))
    await act(uow_factory, ctx, clock, at(2026, 10, 12, 10, 0), svc.handle, HELPER, t)
    await act(uow_factory, ctx, clock, at(2026, 10, 12, 11, 0), svc.resolve, HELPER, t, "已协调解决")
    report = await run(uow_factory, chat, clock, at(2026, 10, 13, 8, 30))
    assert [(p.to, p.rung) for p in report.sent] == [(OWNER, "rate")]
    async with uow_factory() as uow:
        pushes = await uow.outbox.for_person(OWNER)
    assert [b.command for b in pushes[-1].message.card.buttons][0] == f"评价 #{t} 5"
    # Five working days without a rating (13, 14, 15, 16, 19 Oct): closed on the 20th's morning.
    assert (await run(uow_factory, chat, clock, at(2026, 10, 19, 10, 0))).closed == []
    report = await run(uow_factory, chat, clock, at(2026, 10, 20, 8, 30))
    assert report.closed == [t]
    async with uow_factory() as uow:
        ticket = await uow.tickets.get(t)
    assert ticket.status == Status.CLOSED and ticket.rating is None and ticket.next_due_at is None
    assert "已自动关闭" in (await inbox(uow_factory, OWNER))[-1]


async def test_daily_digest_to_hubs_on_working_days_only(uow_factory, ctx, chat, clock):
    await open_ticket(uow_factory, ctx, clock, at(2026, 10, 12, 9, 0))  # overdue from 13 Oct 17:30
    assert (await run(uow_factory, chat, clock, at(2026, 10, 13, 9, 30))).digests == []  # nothing overdue yet
    assert (await run(uow_factory, chat, clock, at(2026, 10, 14, 8, 45))).digests == []  # before digest time
    digests = (await run(uow_factory, chat, clock, at(2026, 10, 14, 9, 0))).digests
    assert {p.to for p in digests} == {"hub-zhengwu-1", "hub-zhengwu-2", "hub-grid-1", "hub-grid-2"}
    assert "全区超期诉求 1 件" in digests[0].text
    assert "每日超期汇总" in (await inbox(uow_factory, "hub-grid-1"))[-1]
    assert (await run(uow_factory, chat, clock, at(2026, 10, 14, 10, 0))).digests == []  # once a day
    assert (await run(uow_factory, chat, clock, at(2026, 10, 15, 14, 0))).digests == []  # afternoon: no
    assert (await run(uow_factory, chat, clock, at(2026, 10, 18, 9, 30))).digests == []  # Sunday
    assert len((await run(uow_factory, chat, clock, at(2026, 10, 19, 9, 30))).digests) == 4


async def test_dry_run_lists_without_sending(uow_factory, ctx, chat, clock):
    t = await open_ticket(uow_factory, ctx, clock, at(2026, 9, 30, 10, 0))
    async with uow_factory() as uow:
        _, planned = await plan(uow, chat, LADDER, at(2026, 10, 8, 9, 0))
    assert [(p.to, p.ticket, p.rung) for p in planned] == [(HELPER, t, "due_today")]
    assert json.loads(json.dumps(planned[0].to_json(), ensure_ascii=False))["role"] == "helper"
    async with uow_factory() as uow:
        _, again = await plan(uow, chat, LADDER, at(2026, 10, 8, 9, 0))
    assert len(again) == 1  # nothing was claimed


async def test_scheduler_is_owned_by_the_app(aiohttp_client, settings):
    from bot.app import JOBS, create_app
    from bot.scheduler import DIGEST_JOB, SWEEP_JOB

    app = create_app(settings.model_copy(update={"scheduler_enabled": True}))
    client = await aiohttp_client(app)
    jobs = app[JOBS]
    scheduler = jobs.scheduler
    assert scheduler.running
    assert scheduler.get_job(SWEEP_JOB).trigger.interval.total_seconds() == 60
    assert scheduler.get_job(DIGEST_JOB) is not None
    assert (await client.get("/healthz")).status == 200
    await client.close()  # app shutdown stops the scheduler
    assert not scheduler.running


async def test_hubs_are_told_once_that_next_years_holidays_are_unconfirmed(uow_factory, chat, clock):
    report = await run(uow_factory, chat, clock, at(2026, 11, 27, 9, 0))
    assert {p.to for p in report.alerts} == {"hub-zhengwu-1", "hub-zhengwu-2", "hub-grid-1", "hub-grid-2"}
    assert "2027年" in report.alerts[0].text and "config/holidays.toml" in report.alerts[0].text
    assert "节假日安排待确认" in (await inbox(uow_factory, "hub-grid-1"))[-1]
    assert (await run(uow_factory, chat, clock, at(2026, 11, 27, 10, 0))).alerts == []  # once
    assert (await run(uow_factory, chat, clock, at(2026, 11, 28, 20, 0))).alerts == []  # and not at night
