"""Service functions and repositories on real SQLite and PostgreSQL databases."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.core import services as svc
from bot.core.errors import (
    ConcurrentUpdateError,
    IllegalTransitionError,
    MissingDetailError,
    NotFoundError,
    PermissionDeniedError,
)
from bot.core.org import SYSTEM_ACTOR
from bot.core.ticket import Action, Status

SH = ZoneInfo("Asia/Shanghai")


async def person(uow_factory, person_id):
    async with uow_factory() as uow:
        found = await uow.roster.person(person_id)
    assert found is not None, person_id
    return found


@pytest.fixture
async def cast(uow_factory):
    """People of the demo roster: a business owner, their helper, coordinators, a hub member."""
    ids = {
        "owner": "owner-01",  # 津南开味轩餐饮 (biz-01), helper-changhong-1
        "other_owner": "owner-02",
        "helper": "helper-changhong-1",
        "other_helper": "helper-xuefu-1",
        "renshe": "coord-renshe",
        "shichang": "coord-shichang",
        "keji": "coord-keji",
        "hub": "hub-zhengwu-1",
        "grid": "hub-grid-1",
        "leader": "leader-renshe",
    }
    return {k: await person(uow_factory, v) for k, v in ids.items()}


async def open_one(uow_factory, ctx, owner, text="想咨询稳岗补贴怎么申请", **kw):
    async with uow_factory() as uow:
        return await svc.open_ticket(uow, ctx, owner, text, source_message_id="m-open", **kw)


async def test_open_ticket_is_stored_with_deadline_and_audit(uow_factory, ctx, cast):
    ticket = await open_one(uow_factory, ctx, cast["owner"], category="subsidy", suggested_department="renshe")
    async with uow_factory() as uow:
        stored = await uow.tickets.get(ticket.id)
        events = await uow.audit.for_ticket(ticket.id)
    assert stored.status == Status.NEW and stored.helper_id == "helper-changhong-1"
    assert stored.business_id == "biz-01" and stored.category == "subsidy"
    assert stored.next_due_at == datetime(2026, 10, 8, 17, 30, tzinfo=SH)
    assert stored.received_at == ctx.clock()
    assert [e.action for e in events] == [Action.OPEN]
    assert events[0].source_message_id == "m-open" and events[0].actor_id == "owner-01"


async def test_department_channel_end_to_end_with_return(uow_factory, ctx, cast, clock):
    t = await open_one(uow_factory, ctx, cast["owner"])
    async with uow_factory() as uow:
        await svc.forward(uow, ctx, cast["helper"], t.id, "shichang", source_message_id="m1")
    async with uow_factory() as uow:
        # A coordinator of another department cannot touch it, nor learn that it exists.
        with pytest.raises(NotFoundError):
            await svc.return_ticket(uow, ctx, cast["renshe"], t.id, "不是我们的")
        await svc.return_ticket(uow, ctx, cast["shichang"], t.id, "稳岗补贴归区人社局", source_message_id="m2")
    async with uow_factory() as uow:
        await svc.forward(uow, ctx, cast["helper"], t.id, "renshe")
        await svc.accept(uow, ctx, cast["renshe"], t.id)
    clock.set(clock.now + timedelta(days=1))
    async with uow_factory() as uow:
        await svc.answer(uow, ctx, cast["renshe"], t.id, "材料齐全后5个工作日内拨付", date(2026, 10, 16))
        await svc.resolve(uow, ctx, cast["renshe"], t.id, "补贴已拨付")
        rated = await svc.rate_and_maybe_reopen(uow, ctx, cast["owner"], t.id, 5, "很及时")
    assert rated.status == Status.CLOSED and rated.rating == 5
    async with uow_factory() as uow:
        stored = await uow.tickets.get(t.id)
        events = await uow.audit.for_ticket(t.id)
    assert stored.return_count == 1 and stored.accepted_by == ("coord-renshe",)
    assert stored.departments == ("renshe",)
    assert [e.action for e in events] == [
        Action.OPEN, Action.FORWARD, Action.RETURN, Action.FORWARD, Action.ACCEPT,
        Action.ANSWER, Action.RESOLVE, Action.RATE,
    ]
    assert events[2].detail["reason"] == "稳岗补贴归区人社局" and events[2].source_message_id == "m2"
    assert [e.to_status for e in events][-1] == Status.CLOSED


async def test_whistle_check_in_and_answer(uow_factory, ctx, cast):
    t = await open_one(uow_factory, ctx, cast["owner"], "后厨改造要消防和环评，几个部门说法不一样")
    async with uow_factory() as uow:
        await svc.whistle(uow, ctx, cast["helper"], t.id, ["renshe", "shichang"], reason="多部门")
    async with uow_factory() as uow:
        with pytest.raises(NotFoundError):
            await svc.check_in(uow, ctx, cast["keji"], t.id)
        await svc.check_in(uow, ctx, cast["renshe"], t.id)
        done = await svc.check_in(uow, ctx, cast["shichang"], t.id)
    assert done.checked_in == ("renshe", "shichang")
    assert done.next_due_at == datetime(2026, 10, 15, 17, 30, tzinfo=SH)
    async with uow_factory() as uow:
        coordinated = await uow.tickets.list_by(department="shichang")
    assert [x.id for x in coordinated] == [t.id]


async def test_refer_to_city_and_reject(uow_factory, ctx, cast):
    t1 = await open_one(uow_factory, ctx, cast["owner"], "跨区的物流车辆通行证")
    t2 = await open_one(uow_factory, ctx, cast["owner"], "帮我查下对面店老板的身份证号")
    async with uow_factory() as uow:
        referred = await svc.refer(uow, ctx, cast["helper"], t1.id, "12345", external_ref="QY20261001")
        with pytest.raises(MissingDetailError):
            await svc.reject(uow, ctx, cast["helper"], t2.id, "")
        rejected = await svc.reject(uow, ctx, cast["helper"], t2.id, "涉及他人隐私，不在服务范围")
    assert referred.status == Status.REFERRED and referred.external_ref == "QY20261001"
    assert rejected.status == Status.REJECTED and rejected.next_due_at is None


async def test_extension_approved_only_by_service_office(uow_factory, ctx, cast):
    t = await open_one(uow_factory, ctx, cast["owner"])
    async with uow_factory() as uow:
        await svc.forward(uow, ctx, cast["helper"], t.id, "renshe")
        await svc.request_extension(uow, ctx, cast["renshe"], t.id, date(2026, 10, 23), "需现场核查")
    async with uow_factory() as uow:
        for outsider in (cast["grid"], cast["helper"], cast["renshe"]):
            with pytest.raises(PermissionDeniedError):
                await svc.approve_extension(uow, ctx, outsider, t.id)
        approved = await svc.approve_extension(uow, ctx, cast["hub"], t.id)
    assert approved.next_due_at == datetime(2026, 10, 23, 17, 30, tzinfo=SH)
    async with uow_factory() as uow:
        stored = await uow.tickets.get(t.id)
    assert stored.current_segment.original_due_at == datetime(2026, 10, 10, 17, 30, tzinfo=SH)


async def test_low_rating_reopens(uow_factory, ctx, cast):
    t = await open_one(uow_factory, ctx, cast["owner"])
    async with uow_factory() as uow:
        await svc.handle(uow, ctx, cast["helper"], t.id)
        await svc.resolve(uow, ctx, cast["helper"], t.id, "已电话解答")
        with pytest.raises(PermissionDeniedError):
            await svc.rate(uow, ctx, cast["helper"], t.id, 5)
        reopened = await svc.rate_and_maybe_reopen(uow, ctx, cast["owner"], t.id, 1, "没解决")
    assert reopened.status == Status.REOPENED and reopened.rating == 1
    async with uow_factory() as uow:
        actions = [e.action for e in await uow.audit.for_ticket(t.id)]
    assert actions[-2:] == [Action.RATE, Action.REOPEN]


async def test_auto_close_by_system_only(uow_factory, ctx, cast):
    t = await open_one(uow_factory, ctx, cast["owner"])
    async with uow_factory() as uow:
        await svc.handle(uow, ctx, cast["helper"], t.id)
        await svc.resolve(uow, ctx, cast["helper"], t.id, "已解决")
        with pytest.raises(PermissionDeniedError):
            await svc.close(uow, ctx, cast["helper"], t.id)
        closed = await svc.close(uow, ctx, SYSTEM_ACTOR, t.id)
    assert closed.status == Status.CLOSED and closed.rating is None


async def test_businesses_never_see_each_others_tickets(uow_factory, ctx, cast):
    t = await open_one(uow_factory, ctx, cast["owner"])
    async with uow_factory() as uow:
        with pytest.raises(NotFoundError) as err:
            await svc.view_ticket(uow, cast["other_owner"], t.id)
        assert "没有找到工单" in err.value.user_message
        with pytest.raises(NotFoundError):
            await svc.supplement(uow, ctx, cast["other_owner"], t.id, "我也要补充")
        with pytest.raises(NotFoundError):
            await svc.handle(uow, ctx, cast["other_helper"], t.id)
        assert (await svc.view_ticket(uow, cast["owner"], t.id)).id == t.id
        assert await uow.tickets.list_by(business_id="biz-02") == []


async def test_dual_helpers_both_act_on_park_business(uow_factory, ctx):
    owner = await person(uow_factory, "owner-05")  # biz-05 in 华苑创新园: street + park helper
    park_helper = await person(uow_factory, "helper-park-huayuan-innov")
    street_helper = await person(uow_factory, "helper-huayuan-2")
    t = await open_one(uow_factory, ctx, owner, "园区内厂房漏水")
    assert t.helper_id == "helper-huayuan-2"
    async with uow_factory() as uow:
        await svc.handle(uow, ctx, park_helper, t.id)
        await svc.reply(uow, ctx, street_helper, t.id, "已联系物业")
        mine = await uow.tickets.list_by(helper_ids=["helper-park-huayuan-innov"])
    assert [x.id for x in mine] == [t.id]


async def test_failed_action_writes_nothing(uow_factory, ctx, cast):
    t = await open_one(uow_factory, ctx, cast["owner"])
    async with uow_factory() as uow:
        with pytest.raises(IllegalTransitionError):
            await svc.resolve(uow, ctx, cast["helper"], t.id, "已办结")  # still new: triage first
        with pytest.raises(MissingDetailError):
            await svc.forward(uow, ctx, cast["helper"], t.id, "no-such-dept")
    async with uow_factory() as uow:
        stored = await uow.tickets.get(t.id)
        events = await uow.audit.for_ticket(t.id)
    assert stored.status == Status.NEW and stored.version == 1 and len(events) == 1


async def test_stale_write_is_refused_not_lost(uow_factory, ctx, cast):
    t = await open_one(uow_factory, ctx, cast["owner"])
    async with uow_factory() as uow:
        stale = await uow.tickets.get(t.id)
    async with uow_factory() as uow:
        await svc.forward(uow, ctx, cast["helper"], t.id, "renshe")
    stale.apply(Action.HANDLE, cast["helper"], ctx.clock(), ctx.policy)
    async with uow_factory() as uow:
        with pytest.raises(ConcurrentUpdateError) as err:
            await uow.tickets.save(stale)
        assert "刚刚被他人更新" in err.value.user_message
    async with uow_factory() as uow:
        assert (await uow.tickets.get(t.id)).status == Status.FORWARDED


async def test_two_concurrent_writers_never_lose_a_write(uow_factory, ctx, cast):
    """Two writers race on one ticket many times: each write lands or fails loudly."""
    t = await open_one(uow_factory, ctx, cast["owner"])
    owner = cast["owner"]

    async def add_note(i: int) -> bool:
        try:
            async with uow_factory() as uow:
                await svc.supplement(uow, ctx, owner, t.id, f"补充{i}")
            return True
        except ConcurrentUpdateError:
            return False

    outcomes = await asyncio.gather(*(add_note(i) for i in range(20)))
    async with uow_factory() as uow:
        stored = await uow.tickets.get(t.id)
        events = await uow.audit.for_ticket(t.id)
    landed = sum(outcomes)
    assert landed >= 1
    assert len(stored.notes) == landed  # every reported success is in the ticket
    assert len(events) == 1 + landed  # and in the audit, exactly once
    assert stored.version == 1 + landed


async def test_due_query_returns_only_live_deadlines_in_order(uow_factory, ctx, cast, clock):
    first = await open_one(uow_factory, ctx, cast["owner"])
    clock.set(clock.now + timedelta(days=1))  # 1 Oct: holiday, deadline still 8 Oct
    second = await open_one(uow_factory, ctx, cast["owner"])
    third = await open_one(uow_factory, ctx, cast["owner"])
    async with uow_factory() as uow:
        await svc.reject(uow, ctx, cast["helper"], third.id, "重复诉求")
        await svc.forward(uow, ctx, cast["helper"], second.id, "renshe")
    async with uow_factory() as uow:
        due = await uow.tickets.due_before(datetime(2026, 10, 8, 17, 30, tzinfo=SH))
        later = await uow.tickets.due_before(datetime(2026, 10, 31, tzinfo=SH))
    assert [d.id for d in due] == [first.id]
    assert [d.id for d in later] == [first.id, second.id]
    assert later[1].departments == ("renshe",) and later[1].status == Status.FORWARDED
    assert later[0].next_due_at.tzinfo is not None


async def test_counts_by_status_and_channel(uow_factory, ctx, cast):
    a = await open_one(uow_factory, ctx, cast["owner"])
    await open_one(uow_factory, ctx, cast["owner"])
    async with uow_factory() as uow:
        await svc.forward(uow, ctx, cast["helper"], a.id, "renshe")
        counts = await uow.tickets.count_by_status_and_channel()
    assert counts == {("new", "street"): 1, ("forwarded", "department"): 1}


async def test_times_round_trip_as_aware_utc(uow_factory, ctx, cast):
    t = await open_one(uow_factory, ctx, cast["owner"])
    async with uow_factory() as uow:
        stored = await uow.tickets.get(t.id)
    assert stored.received_at == datetime(2026, 9, 30, 2, 0, tzinfo=timezone.utc)
    assert stored.segments[0].due_at == datetime(2026, 10, 8, 17, 30, tzinfo=SH)


async def test_routing_against_the_suggestion_is_recorded_for_learning(uow_factory, ctx, cast):
    t = await open_one(uow_factory, ctx, cast["owner"], "门头牌匾要换新的，需要审批吗",
                       category="registration", suggested_department="zhengwu")
    same = await open_one(uow_factory, ctx, cast["owner"], "稳岗补贴怎么申请", suggested_department="renshe")
    async with uow_factory() as uow:
        await svc.forward(uow, ctx, cast["helper"], t.id, "chengguan")
        await svc.forward(uow, ctx, cast["helper"], same.id, "renshe")
        corrections = await uow.corrections.all()
    assert [(c.ticket_id, c.suggested_department, c.department, c.text) for c in corrections] == [
        (t.id, "zhengwu", "chengguan", "门头牌匾要换新的，需要审批吗")
    ]
