"""End to end through the simulator API: the chat flows of businesses, helpers, coordinators, hubs."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.app import UOW, create_app
from bot.core.ticket import Status
from tests.support.sim import SimChat

OWNER = "owner-01"  # 津南开味轩餐饮 (biz-01)
OTHER_OWNER = "owner-02"
HELPER = "helper-changhong-1"
RENSHE = "coord-renshe"
SHICHANG = "coord-shichang"
CHENGGUAN = "coord-chengguan"
SERVICE_OFFICE = "hub-zhengwu-1"
GRID = "hub-grid-1"


@pytest.fixture
async def sim(aiohttp_client, settings, ctx):
    app = create_app(settings, context=ctx)
    client = await aiohttp_client(app)
    chat = SimChat(client)
    chat.app = app
    return chat


def ticket_of(data) -> int:
    tickets = {r["ticket"] for r in data["replies"] if r["ticket"]}
    assert len(tickets) == 1, data
    return tickets.pop()


async def stored(sim, ticket_id):
    async with sim.app[UOW]() as uow:
        return await uow.tickets.get(ticket_id)


async def open_need(sim, text="我们想申请稳岗补贴，需要准备什么材料？", user=OWNER) -> int:
    data = await sim.send(user, text)
    return ticket_of(data)


async def test_receipt_names_ticket_helper_and_deadline(sim):
    data = await sim.send(OWNER, "我们想申请稳岗补贴，需要准备什么材料？")
    text = data["replies"][0]["text"]
    ticket = data["replies"][0]["ticket"]
    assert f"工单号 #{ticket}" in text
    assert "您的助企服务员：" in text and "电话 1380000" in text
    assert "将于10月8日（周四）17:30前答复解决方案和预计完成时间" in text
    push = (await sim.inbox(HELPER))[-1]
    assert push["ticket"] == ticket and push["card"]["title"].startswith(f"新诉求 #{ticket}")
    assert any(b["command"] == f"受理 #{ticket}" for b in push["card"]["buttons"])
    assert "建议部门" in "\n".join(push["card"]["lines"])


async def test_department_channel_forward_return_forward_answer_resolve_rate(sim, clock):
    t = await open_need(sim)
    reply = await sim.say(HELPER, f"转办 #{t} 区市场监管局")
    assert "已转办区市场监管局" in reply and "10月10日（周六）17:30" in reply
    push = (await sim.inbox(SHICHANG))[-1]
    assert push["ticket"] == t and {"label": "接收", "command": f"接收 #{t}"} in push["card"]["buttons"]
    assert "已转交区市场监管局" in await sim.inbox_text(OWNER)

    reply = await sim.say(SHICHANG, "退回 稳岗补贴归人社局管")  # no number: the ticket just pushed to them
    assert f"工单 #{t} 已退回" in reply
    assert "被区市场监管局" in await sim.inbox_text(HELPER)
    assert (await stored(sim, t)).status == Status.RETURNED

    await sim.say(HELPER, f"转办 #{t} 人社局")
    assert "已接收" in await sim.say(RENSHE, f"接收 #{t}")
    assert "已由区人社局" in await sim.inbox_text(HELPER)
    clock.set(clock.now + timedelta(days=1))
    reply = await sim.say(RENSHE, f"答复 #{t} 材料齐全后5个工作日内拨付 2026-10-16")
    assert "预计完成日期10月16日（周五）" in reply
    owner_text = await sim.inbox_text(OWNER)
    assert "材料齐全后5个工作日内拨付" in owner_text and "10月16日（周五）" in owner_text
    assert "已答复" in await sim.inbox_text(HELPER)

    await sim.say(RENSHE, f"办结 #{t} 补贴已拨付到账")
    resolved = (await sim.inbox(OWNER))[-1]
    assert "已办结：补贴已拨付到账" in resolved["text"]
    assert [b["command"] for b in resolved["card"]["buttons"]][0] == f"评价 #{t} 5"
    reply = await sim.say(OWNER, f"评价 #{t} 5 很及时")
    assert "已关闭" in reply
    ticket = await stored(sim, t)
    assert ticket.status == Status.CLOSED and ticket.rating == 5 and ticket.return_count == 1


async def test_street_channel_and_low_rating_reopens(sim):
    t = await open_need(sim, "店门口的路灯坏了好几天，晚上顾客看不清台阶")
    assert "已受理" in await sim.say(HELPER, f"受理 #{t}")
    assert "受理" in await sim.inbox_text(OWNER)
    await sim.say(HELPER, f"答复 #{t} 已联系街道城管科更换灯泡 10月9日")
    await sim.say(HELPER, f"办结 #{t} 路灯已修好")
    reply = await sim.say(OWNER, "评价 1 还是不亮")
    assert "重新办理" in reply
    assert "评价1分" in await sim.inbox_text(HELPER)
    assert (await stored(sim, t)).status == Status.REOPENED


async def test_whistle_two_departments_check_in_and_answer(sim):
    t = await open_need(sim, "饭店后厨改造，消防、环保、市场监管都要来看，几个部门说法不一样，能不能一起协调")
    reply = await sim.say(HELPER, f"会商 #{t} 区市场监管局 区城管委")
    assert "已吹哨" in reply and "10月15日（周四）17:30" in reply
    for coordinator in (SHICHANG, CHENGGUAN):
        push = (await sim.inbox(coordinator))[-1]
        assert push["card"]["buttons"][0]["command"] == f"报到 #{t}"
    assert "尚未报到：区城管委" in await sim.say(SHICHANG, f"报到 #{t}")
    assert "各部门已全部报到" in await sim.say(CHENGGUAN, f"报到 #{t}")
    assert "各部门已全部报到" in await sim.inbox_text(HELPER)
    await sim.say(SHICHANG, f"答复 #{t} 10月12日联合现场办公 2026-10-12")
    assert "联合现场办公" in await sim.inbox_text(OWNER)
    await sim.say(HELPER, f"办结 #{t} 已联合验收")
    assert "已关闭" in await sim.say(OWNER, f"评价 #{t} 4")


async def test_refer_to_city_sends_guidance(sim):
    t = await open_need(sim, "我们的货车要跨区去滨海新区送货，通行证市里怎么办")
    reply = await sim.say(HELPER, f"提级 #{t} 12345 QY20261001")
    assert "外部单号 QY20261001" in reply
    guidance = await sim.inbox_text(OWNER)
    assert "为企服务专席" in guidance
    ticket = await stored(sim, t)
    assert ticket.status == Status.REFERRED and ticket.external_ref == "QY20261001"


async def test_out_of_scope_gets_polite_reply_and_no_ticket(sim):
    data = await sim.send(OWNER, "帮我查一下隔壁店老板的身份证号和家庭住址")
    reply = data["replies"][0]
    assert reply["ticket"] is None
    assert "不在本服务范围" in reply["text"] and "隐私" in reply["text"]
    assert "不在服务范围" in await sim.inbox_text(HELPER)
    async with sim.app[UOW]() as uow:
        assert await uow.tickets.list_by(business_id="biz-01") == []
        import sqlalchemy as sa

        from storage.tables import inbound_messages

        texts = [r.text for r in await uow.tickets.conn.execute(sa.select(inbound_messages.c.text))]
    assert not any("身份证号" in x for x in texts)  # the sensitive content was not kept


async def test_extension_request_and_approval(sim):
    t = await open_need(sim)
    await sim.say(HELPER, f"转办 #{t} 区人社局")
    reply = await sim.say(RENSHE, f"延期 #{t} 2026-10-23 需要现场核查")
    assert "已提交区政务服务办审批" in reply
    push = (await sim.inbox(SERVICE_OFFICE))[-1]
    assert push["card"]["buttons"][0]["command"] == f"审批延期 #{t} 同意"
    assert "待审批的延期申请" in await sim.say(SERVICE_OFFICE, "待办")
    # 区网格中心 supervises but does not approve extensions.
    assert "无权" in await sim.say(GRID, f"审批延期 #{t} 同意")
    reply = await sim.say(SERVICE_OFFICE, f"审批延期 #{t} 同意")
    assert "新期限10月23日（周五）17:30" in reply
    assert "新期限" in await sim.inbox_text(RENSHE)
    assert (await stored(sim, t)).next_due_at is not None


async def test_hub_overdue_and_statistics(sim, clock):
    t = await open_need(sim)
    await sim.say(HELPER, f"转办 #{t} 区人社局")
    assert "没有超期" in await sim.say(GRID, "超时")
    clock.set(clock.now + timedelta(days=12))
    overdue = await sim.say(GRID, "超时")
    assert f"#{t}" in overdue and "区人社局" in overdue
    assert f"#{t}" in await sim.say("leader-renshe", "超时")
    assert "没有超期" in await sim.say("leader-keji", "超时")
    stats = await sim.say(SERVICE_OFFICE, "统计")
    assert "诉求总数：1（其中超期 1 件）" in stats and "已转部门：1" in stats


async def test_permissions_are_refused_in_chinese(sim):
    t = await open_need(sim)
    # Another business can neither see nor touch the ticket, nor learn it exists.
    assert "没有找到工单" in await sim.say(OTHER_OWNER, f"查询 #{t}")
    assert "没有找到工单" in await sim.say(OTHER_OWNER, f"补充 #{t} 我也要说两句")
    # A helper of another zone, a coordinator of an uninvolved department.
    assert "没有找到工单" in await sim.say("helper-xuefu-1", f"受理 #{t}")
    assert "没有找到工单" in await sim.say(RENSHE, f"接收 #{t}")
    # A command of another role.
    assert "不是您的角色可以使用的指令" in await sim.say(HELPER, f"审批延期 #{t} 同意")
    # A hub member may look, not handle at the street.
    assert f"工单 #{t}" in await sim.say(GRID, f"查询 #{t}")
    assert "不是您的角色" in await sim.say(GRID, f"受理 #{t}")
    # A business never sees another's tickets in its overview.
    assert "还没有提交过诉求" in await sim.say(OTHER_OWNER, "进度")


async def test_duplicate_delivery_has_no_second_effect(sim):
    first = await sim.send(OWNER, "营业执照地址变更怎么办理", message_id="dup-1")
    again = await sim.send(OWNER, "营业执照地址变更怎么办理", message_id="dup-1")
    assert first["duplicate"] is False and again["duplicate"] is True
    assert [r["text"] for r in again["replies"]] == [r["text"] for r in first["replies"]]
    assert len(await sim.inbox(HELPER)) == 1
    async with sim.app[UOW]() as uow:
        assert len(await uow.tickets.list_by(business_id="biz-01")) == 1


async def test_lines_within_the_merge_window_join_the_new_ticket(sim, clock):
    t = await open_need(sim, "我们想办食品经营许可证")
    reply = await sim.say(OWNER, "店在鞍山西道，主要做盒饭外卖")
    assert f"已补充到工单 #{t}" in reply
    assert (await stored(sim, t)).notes == ["店在鞍山西道，主要做盒饭外卖"]
    clock.set(clock.now + timedelta(minutes=11))
    later = await sim.send(OWNER, "另外想问问员工社保怎么补缴")
    assert ticket_of(later) != t
    # A ticket the helper already picked up is not extended by new lines.
    t3 = ticket_of(later)
    await sim.say(HELPER, f"受理 #{t3}")
    again = await sim.send(OWNER, "还有门口能不能摆两张桌子")
    assert ticket_of(again) not in (t, t3)


async def test_business_supplement_and_my_helper(sim, clock):
    t = await open_need(sim)
    assert f"已补充到工单 #{t}" in await sim.say(OWNER, f"补充 #{t} 我们有员工35人")
    assert "企业补充：我们有员工35人" in await sim.inbox_text(HELPER)
    info = await sim.say(OWNER, "我的服务员")
    assert "助企服务员" in info and "电话" in info
    # Free text that merely starts like a command stays a question (a new one, after the window).
    clock.set(clock.now + timedelta(minutes=30))
    data = await sim.send(OWNER, "补充医疗保险企业能报销吗")
    assert "已收到您的诉求" in data["replies"][0]["text"]


async def test_command_without_number_uses_last_seen_ticket_and_says_which(sim):
    t = await open_need(sim)
    (await sim.inbox(HELPER))
    reply = await sim.say(HELPER, "受理")
    assert f"工单 #{t}" in reply
    assert "请写明工单号" in await sim.say("helper-xuefu-1", "受理")


async def test_help_is_generated_per_role_and_mistakes_get_usage(sim):
    helper_help = await sim.say(HELPER, "帮助")
    for word in ("受理", "转办", "会商", "提级", "答复", "办结", "不予受理", "延期", "待办", "查询", "回复"):
        assert f"· {word}" in helper_help
    assert "审批延期" not in helper_help
    owner_help = await sim.say(OWNER, "帮助")
    assert "评价" in owner_help and "转办" not in owner_help
    bad = await sim.say(HELPER, "转办 #1 火星局")
    assert "没有找到名为「火星局」的部门" in bad and "用法：转办 [工单号] 部门" in bad
    typo = await sim.say(HELPER, "转半 #1 人社局")
    assert "您是不是想用「转办」" in typo
    no_date = await sim.say(HELPER, "答复 #1 已经协调好了")
    assert "预计完成日期" in no_date and "例如：答复" in no_date


async def test_unknown_writer_is_onboarded_and_first_need_becomes_a_ticket(sim):
    guest = "guest-abc123"
    assert "请回复贵单位名称" in await sim.say(guest, "你好，我们公司的发票领用额度不够用，怎么提额")
    assert "统一社会信用代码" in await sim.say(guest, "天津测试贸易有限公司")
    assert "校验未通过" in await sim.say(guest, "91350100M000100Y44")
    assert "经营地址" in await sim.say(guest, "91350100M000100Y43")
    assert "没能根据地址" in await sim.say(guest, "北京市朝阳区某路1号")
    data = await sim.send(guest, "南开区卫津路100号")
    text = "\n".join(r["text"] for r in data["replies"])
    assert "登记成功" in text and "您的助企服务员" in text
    assert "已收到您的诉求" in text  # the first message became the first ticket
    t = ticket_of(data)
    assert (await stored(sim, t)).helper_id == "helper-xuefu-1"
    assert "新登记经营主体" in await sim.inbox_text("helper-xuefu-1")
    assert "营业执照" not in (await sim.say(guest, "进度"))  # their own list, not someone else's


async def test_unmatched_address_is_handed_to_the_grid_center(sim):
    guest = "guest-zzz"
    await sim.say(guest, "你好")
    await sim.say(guest, "某某小店")
    await sim.say(guest, "张三")
    await sim.say(guest, "外地某处")
    assert "区网格中心" in await sim.say(guest, "人工")
    assert "请分配助企服务员" in await sim.inbox_text(GRID)


async def test_bad_requests_get_clear_errors(sim):
    client = sim.client
    r = await client.post("/sim/api/messages", data="not json", headers={"Content-Type": "application/json"})
    assert r.status == 400 and "JSON" in (await r.json())["error"]
    r = await client.post("/sim/api/messages", json={"user": "../etc", "text": "x"})
    assert r.status == 400
    r = await client.post("/sim/api/messages", json={"user": OWNER, "text": 5})
    assert r.status == 400
    r = await client.get("/sim/api/inbox", params={"user": OWNER, "after": "abc"})
    assert r.status == 400
    long = await sim.say(OWNER, "长" * 2500)
    assert "消息过长" in long
    assert "只能处理文字" in await sim.say(OWNER, "   ")


async def test_users_lists_every_role_with_organisation(sim):
    r = await sim.client.get("/sim/api/users")
    users = (await r.json())["users"]
    roles = {u["role"] for u in users}
    assert roles == {"business", "helper", "coordinator", "leader", "hub"}
    owner = next(u for u in users if u["id"] == OWNER)
    assert owner["organisation"].startswith("津南开味轩餐饮") and owner["role_label"] == "经营主体"
    assert next(u for u in users if u["id"] == RENSHE)["organisation"] == "区人社局"


async def test_simulator_is_off_with_credentials(aiohttp_client, database_url, tmp_path):
    from config.settings import Settings

    app = create_app(Settings(database_url=database_url, wecom_corp_id="ww", wecom_secret="s",
                              nlp_model_file=tmp_path / "nlp_model.json"))
    client = await aiohttp_client(app)
    assert (await client.post("/sim/api/messages", json={"user": OWNER, "text": "x"})).status == 404
    assert (await client.get("/sim")).status == 404


def test_every_command_has_summary_and_example():
    from handlers.commands import REGISTRY
    from handlers import dispatch  # noqa: F401

    assert len(REGISTRY) >= 20
    for cmd in REGISTRY:
        assert cmd.summary and cmd.example.startswith(cmd.name), cmd.name
        assert re.match(r"^\S+", cmd.usage())


async def test_uncertain_out_of_scope_becomes_a_ticket_with_a_warning(sim):
    import nlp

    # A training example that no screening rule catches: only the learned model flags it.
    text = "会员卡预收的钱我想转到个人账户，到时候店关了也不用退，这样操作行吗"
    verdict = nlp.classify(text)
    assert not verdict.in_scope and verdict.needs_review  # the model alone says so: not sure
    data = await sim.send(OWNER, text)
    assert "已收到您的诉求" in data["replies"][0]["text"]
    card = (await sim.inbox(HELPER))[-1]["card"]
    assert any("可能不在服务范围" in line and "不予受理" in line for line in card["lines"])


async def test_ticket_history_names_people_not_ids(sim):
    t = await open_need(sim)
    await sim.say(HELPER, f"转办 #{t} 区人社局")
    detail = await sim.say(HELPER, f"查询 #{t}")
    assert "转办（" in detail and "（助企服务员）" in detail and "（经营主体）" in detail
    assert "helper-changhong-1" not in detail and OWNER not in detail


async def test_a_staff_command_from_a_business_opens_no_ticket(sim):
    reply = await sim.say(OWNER, "转办 #1 区人社局")
    assert "是工作人员使用的指令" in reply
    async with sim.app[UOW]() as uow:
        assert await uow.tickets.list_by(business_id="biz-01") == []


async def test_a_leader_counts_only_their_departments_tickets(sim):
    t = await open_need(sim)
    await open_need(sim, "门口路灯坏了", user=OTHER_OWNER)
    await sim.say(HELPER, f"转办 #{t} 区人社局")
    assert "诉求总数：1（其中超期 0 件）" in await sim.say("leader-renshe", "统计")
    assert "诉求总数：0" in await sim.say("leader-keji", "统计")
    assert "诉求总数：2" in await sim.say(SERVICE_OFFICE, "统计")
