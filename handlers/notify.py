"""Who hears about what: the pushes each lifecycle event sends, and the cards they carry."""

from __future__ import annotations

from bot.core.chat import Button, Card
from bot.core.org import Business, Hub, Person, Role
from bot.core.ticket import EXTERNAL_PLATFORMS, Ticket
from handlers.context import Env
from handlers.format import deadline_sentence, moment, shorten

CITY_GUIDANCE = {
    "12345": (
        "请拨打 12345 热线，选择「为企服务专席」，说明企业名称、统一社会信用代码和诉求内容；"
        "热线将派单至相应市级承办单位办理。"
    ),
    "津产发": (
        "请登录「津产发」平台（天津市企业诉求服务平台），在「诉求提交」中填写诉求，"
        "平台会推送至相应市级承办单位办理。"
    ),
}


async def business_of(env: Env, ticket: Ticket) -> Business | None:
    return await env.uow.roster.business(ticket.business_id)


async def helper_ids(env: Env, ticket: Ticket) -> list[str]:
    business = await business_of(env, ticket)
    ids = list(business.helper_ids) if business else []
    return ids or [ticket.helper_id]


async def coordinators(env: Env, departments) -> list[Person]:
    people: list[Person] = []
    for code in departments:
        people.extend(await env.uow.roster.people(role=Role.COORDINATOR.value, department=code))
    return people


async def service_office(env: Env) -> list[Person]:
    return [p for p in await env.uow.roster.people(role=Role.HUB.value) if p.hub == Hub.SERVICE_OFFICE]


async def helper_line(env: Env, ticket: Ticket) -> str:
    helper = await env.uow.roster.person(ticket.helper_id)
    return f"{helper.name}（电话 {helper.phone}）" if helper else "（待分配）"


def ticket_title(ticket: Ticket, business: Business | None, what: str) -> str:
    return f"{what} #{ticket.id} · {business.name if business else ticket.business_id}"


# -- to helpers ---------------------------------------------------------------------------------


async def new_ticket_to_helpers(env: Env, ticket: Ticket, classification) -> None:
    business = await business_of(env, ticket)
    directory = env.chat.directory
    c = classification
    lines = [f"内容：{shorten(ticket.text, 120)}"]
    if c is not None and c.in_scope:
        lines.append(f"分类建议：{c.category_name or '（未识别）'}")
        lines.append(f"建议部门：{directory.name(c.department)}")
        lines.append(f"建议渠道：{env.ctx.policy.rule(_channel(c.channel)).label}")
        if c.keywords:
            lines.append(f"依据：{'、'.join(c.keywords[:6])}")
        if getattr(c, "needs_review", False):
            lines.append("提示：系统把握不大，需服务员研判。")
    if c is not None and not c.in_scope:
        lines.append(f"⚠ 可能不在服务范围：{c.reason_text}如确属此类，请发送「不予受理 #{ticket.id} 理由」。")
    lines.append(f"答复期限：{moment(ticket.next_due_at, env.chat.tz)}")
    buttons = [Button("受理（街道办理）", f"受理 #{ticket.id}")]
    if c is not None and c.department:
        buttons.append(Button(f"转办{directory.name(c.department)}", f"转办 #{ticket.id} {directory.name(c.department)}"))
    buttons.append(Button("提级12345", f"提级 #{ticket.id} 12345"))
    buttons.append(Button("查询详情", f"查询 #{ticket.id}"))
    card = Card(ticket_title(ticket, business, "新诉求"), tuple(lines), tuple(buttons))
    text = (
        f"新诉求 #{ticket.id}（{business.name if business else ''}）：{shorten(ticket.text, 60)}\n"
        f"可回复：受理 / 转办 部门 / 会商 部门 部门 / 提级 12345|津产发 / 不予受理 理由"
    )
    for helper in await helper_ids(env, ticket):
        env.push(helper, text, "new_ticket", ticket, card)


def _channel(value):
    from bot.core.channels import Channel

    return Channel(value) if value else Channel.STREET


async def to_helpers(env: Env, ticket: Ticket, text: str, purpose: str, card: Card | None = None) -> None:
    for helper in await helper_ids(env, ticket):
        env.push(helper, text, purpose, ticket, card)


# -- to coordinators ----------------------------------------------------------------------------


async def forwarded_to_coordinators(env: Env, ticket: Ticket) -> None:
    business = await business_of(env, ticket)
    lines = (
        f"企业：{business.name if business else ''}",
        f"内容：{shorten(ticket.text, 160)}",
        f"助企服务员：{await helper_line(env, ticket)}",
        f"答复期限：{moment(ticket.next_due_at, env.chat.tz)}（3个工作日）",
    )
    card = Card(
        ticket_title(ticket, business, "转办诉求"),
        lines,
        (Button("接收", f"接收 #{ticket.id}"), Button("查询详情", f"查询 #{ticket.id}")),
    )
    text = (
        f"收到转办诉求 #{ticket.id}：{shorten(ticket.text, 60)}\n"
        f"请于{moment(ticket.next_due_at, env.chat.tz)}前答复。可回复：接收 / 答复 方案 预计完成日期 / 退回 原因"
    )
    for person in await coordinators(env, ticket.departments):
        env.push(person.id, text, "forward", ticket, card)


async def whistle_to_coordinators(env: Env, ticket: Ticket) -> None:
    business = await business_of(env, ticket)
    names = env.chat.directory.names(ticket.departments)
    card = Card(
        ticket_title(ticket, business, "吹哨会商"),
        (
            f"内容：{shorten(ticket.text, 160)}",
            f"参加部门：{names}",
            f"助企服务员：{await helper_line(env, ticket)}",
            f"会商答复期限：{moment(ticket.next_due_at, env.chat.tz)}（7个工作日）",
        ),
        (Button("报到", f"报到 #{ticket.id}"), Button("查询详情", f"查询 #{ticket.id}")),
    )
    text = f"吹哨报到 #{ticket.id}：请参加会商（{names}），回复「报到」确认。"
    for person in await coordinators(env, ticket.departments):
        env.push(person.id, text, "whistle", ticket, card)


async def to_coordinators(env: Env, ticket: Ticket, text: str, purpose: str) -> None:
    for person in await coordinators(env, ticket.departments):
        env.push(person.id, text, purpose, ticket)


# -- to the requester (relayed in their helper's thread) ---------------------------------------


async def to_requester(env: Env, ticket: Ticket, text: str, purpose: str, card: Card | None = None) -> None:
    env.push(ticket.requester_id, f"【工单 #{ticket.id}】{text}", purpose, ticket, card)


def rating_card(ticket: Ticket) -> Card:
    return Card(
        f"请为工单 #{ticket.id} 评价",
        ("5分非常满意，1分非常不满意；2分及以下将重新办理。",),
        tuple(Button(f"{n}分", f"评价 #{ticket.id} {n}") for n in (5, 4, 3, 2, 1)),
    )


def receipt_lines(env: Env, ticket: Ticket, classification, helper: Person | None) -> list[str]:
    lines = [f"已收到您的诉求，工单号 #{ticket.id}。"]
    if (classification is not None and classification.in_scope and classification.category_name
            and not getattr(classification, "needs_review", False)):
        dept = env.chat.directory.name(classification.department) if classification.department else ""
        lines.append(
            f"初步分类：{classification.category_name}" + (f"（一般由{dept}负责）" if dept else "")
        )
    if helper is not None:
        lines.append(f"您的助企服务员：{helper.name}，电话 {helper.phone}。")
    lines.append(deadline_sentence(ticket, env.chat.tz))
    return lines


def city_guidance(platform: str) -> str:
    return CITY_GUIDANCE[platform]


def platform_label(platform: str | None) -> str:
    return EXTERNAL_PLATFORMS.get(platform or "", platform or "")
