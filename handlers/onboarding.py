"""An unknown writer registers in the chat: name, credit code (or operator name), address → helper."""

from __future__ import annotations

import uuid

from bot.core.org import Business, Hub, Person, Role, kind_of_credit_code, valid_credit_code
from bot.core.ports import UnitOfWork
from handlers.context import Env

ASK_NAME = (
    "您好！这里是南开区“政企同行·有需必应”服务。首次使用请先登记，我们会为您匹配所在片区的助企服务员。\n"
    "第1步：请回复贵单位名称（个体工商户请回复字号或店名）。"
)
ASK_CODE = "第2步：请回复18位统一社会信用代码；个体工商户没有代码的，请回复经营者姓名。"
ASK_ADDRESS = "第3步：请回复经营地址，写清街道或道路和门牌号（例如：南开区鞍山西道18号）。"
NO_ZONE = (
    "没能根据地址「{address}」匹配到服务片区。请补充街道或道路名称后再发一次"
    "（例如：长虹街道 鞍山西道18号）；如仍无法匹配，请回复「人工」，由区网格中心为您分配服务员。"
)
MAX_FIELD = 100


def state_key(platform: str, sender_id: str) -> str:
    return f"{platform}:{sender_id}"


async def onboard(env: Env, text: str) -> str | None:
    """One step of registration; returns the new person's id when registration completes."""
    state = env.state
    step = state.get("step")
    text = text.strip()
    if step is None:
        state.update(step="name", pending=[text] if text else [])
        env.reply(ASK_NAME)
        return None
    if len(text) > MAX_FIELD:
        env.reply(f"内容过长（最多{MAX_FIELD}个字），请重新回复。")
        return None
    if step == "name":
        if len(text) < 2:
            env.reply("单位名称至少2个字，请重新回复。")
            return None
        state.update(step="code", name=text)
        env.reply(ASK_CODE)
        return None
    if step == "code":
        code = text.upper().replace(" ", "")
        if len(code) == 18 and code.isalnum():
            if not valid_credit_code(code):
                env.reply("统一社会信用代码校验未通过，请核对后重新回复（18位，字母大写）。")
                return None
            state.update(step="address", credit_code=code, operator="")
        else:
            if any(ch.isdigit() for ch in text):
                env.reply("统一社会信用代码应为18位数字和字母，请核对；个体工商户没有代码的，请回复经营者姓名。")
                return None
            state.update(step="address", credit_code="", operator=text)
        env.reply(ASK_ADDRESS)
        return None
    if step == "address":
        if text == "人工":
            return await _hand_over(env, state.get("address", ""))
        return await _register(env, text)
    if step == "waiting":
        env.reply("您的登记信息已转区网格中心，分配服务员后会与您联系。如有急事请拨打 12345。")
        return None
    state.clear()
    env.reply(ASK_NAME)
    return None


async def _register(env: Env, address: str) -> str | None:
    state = env.state
    state["address"] = address
    zone_code, park_code = await _locate(env.uow, address)
    if zone_code is None:
        env.reply(NO_ZONE.format(address=address))
        return None
    helpers = [p.id for p in await env.uow.roster.people(role=Role.HELPER.value) if p.zone_code == zone_code]
    if park_code:
        helpers += [p.id for p in await env.uow.roster.people(role=Role.HELPER.value) if p.park_code == park_code]
    if not helpers:
        return await _hand_over(env, address)
    person_id = await _create(env, address, zone_code, park_code, tuple(helpers))
    return person_id


async def _create(env: Env, address: str, zone_code, park_code, helpers: tuple[str, ...]) -> str:
    state = env.state
    code = state.get("credit_code", "")
    business = Business(
        id=f"biz-{uuid.uuid4().hex[:12]}",
        name=state["name"],
        kind=kind_of_credit_code(code),
        credit_code=code,
        address=address,
        zone_code=zone_code,
        park_code=park_code,
        helper_ids=helpers,
    )
    person = Person(
        id=f"p-{uuid.uuid4().hex[:12]}",
        name=state.get("operator") or f"{state['name']}联系人",
        role=Role.BUSINESS,
        business_id=business.id,
    )
    await env.uow.roster.load(people=[person], businesses=[business])
    await env.uow.roster.bind_identity(env.inbound.platform, env.inbound.sender_id, person.id)
    lines = [f"登记成功！{business.name}已纳入服务。"]
    for helper_id in helpers:
        helper = await env.uow.roster.person(helper_id)
        if helper:
            lines.append(f"您的助企服务员：{helper.name}，电话 {helper.phone}。")
    lines.append("今后有任何需求，直接在这里发消息即可；发送「帮助」查看更多。")
    env.reply("\n".join(lines))
    for helper_id in helpers:
        env.push(helper_id, f"新登记经营主体：{business.name}（{address}），已分配给您服务。", "onboarded")
    return person.id


async def _hand_over(env: Env, address: str) -> None:
    state = env.state
    state["step"] = "waiting"
    env.reply("已将您的登记信息转区网格中心，为您人工分配服务员，分配后服务员会与您联系。如有急事请拨打 12345。")
    for hub in await env.uow.roster.people(role=Role.HUB.value):
        if hub.hub == Hub.GRID_CENTER:
            env.push(
                hub.id,
                f"有经营主体无法自动匹配片区，请分配助企服务员：{state.get('name')}，"
                f"代码/经营者：{state.get('credit_code') or state.get('operator')}，地址：{address or '（未提供）'}，"
                f"账号：{env.inbound.platform}:{env.inbound.sender_id}",
                "assign_helper",
            )
    return None


async def _locate(uow: UnitOfWork, address: str) -> tuple[str | None, str | None]:
    zones = await uow.roster.zones()
    parks = await uow.roster.parks()
    park = next((p for p in parks if any(a in address for a in p.areas)), None)
    zone = next((z for z in zones if any(a in address for a in z.areas)), None)
    if zone is None and park is not None:
        zone = next((z for z in zones if z.street_code == park.street_code), None)
    if zone is None:
        # Only the street is known: its first zone; the street reassigns if needed.
        for street in await uow.roster.streets():
            if street.name.removesuffix("街道") in address:
                zone = next((z for z in zones if z.street_code == street.code), None)
                break
    return (zone.code if zone else None), (park.code if park else None)
