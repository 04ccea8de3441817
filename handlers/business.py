"""Business owners: free text opens a ticket; 进度/查询, 我的服务员, 补充, 评价."""

from __future__ import annotations

from datetime import datetime

from bot.core import services as svc
from bot.core.org import Role
from bot.core.ticket import Status
from handlers import notify
from handlers.commands import Arg, Kind, command, ticket_arg
from handlers.context import Env
from handlers.format import moment, shorten, status_label

OUT_OF_SCOPE_GUIDANCE = {
    "petition": "信访事项请通过信访渠道反映（可拨打 12345 热线咨询办理方式，或向区信访部门提出）。",
    "state_secret": "涉及国家秘密的事项不在服务范围，请通过所在单位的保密工作机构依规办理。",
    "trade_secret": (
        "涉及他人商业秘密的事项不在服务范围。如果是您自己的商业秘密受到侵害，"
        "可以向区市场监管局反映或通过司法途径维权，欢迎重新描述您的需求。"
    ),
    "privacy": "涉及他人个人隐私的信息无法提供。如有纠纷，可通过司法途径解决或向公安机关反映。",
    "illegal": "该事项违反法律法规或公序良俗，不在服务范围。如需依法合规经营方面的指导，欢迎重新描述您的需求。",
}
REDACTED = "［不在服务范围，内容未保存］"


async def free_text(env: Env, text: str) -> str | None:
    """A requester's message that is not a command: a new need, or more lines of a fresh one.

    Returns the text to keep in the message log instead of the original (redaction), or None.
    """
    classification = env.chat.classify(text)
    # A sure out-of-scope verdict (a screening rule matched) is answered without a ticket; an
    # uncertain one (the model alone) becomes a ticket the helper judges, with a warning.
    if not classification.in_scope and not classification.needs_review:
        guidance = OUT_OF_SCOPE_GUIDANCE.get(classification.reason or "", OUT_OF_SCOPE_GUIDANCE["illegal"])
        env.reply(
            "感谢您的信任。根据《南开区“政企同行·有需必应”工作实施方案》，"
            "涉及信访、国家秘密、商业秘密、个人隐私，以及违反法律法规或公序良俗的事项不在本服务范围内。\n"
            + guidance
        )
        business = await env.uow.roster.business(env.actor.business_id) if env.actor.business_id else None
        for helper in business.helper_ids if business else ():
            env.push(
                helper,
                f"{business.name}发来一条消息，系统判定不在服务范围（{classification.reason_text}），已礼貌答复；"
                "内容未保存。如判断有误，请直接联系企业。",
                "out_of_scope",
            )
        return f"{REDACTED} 原因：{classification.reason}"
    if await _merge_into_fresh_ticket(env, text):
        return None
    ticket = await svc.open_ticket(
        env.uow,
        env.ctx,
        env.actor,
        text,
        category=classification.category,
        suggested_department=classification.department,
        source_message_id=env.source,
    )
    helper = await env.uow.roster.person(ticket.helper_id)
    env.reply("\n".join(notify.receipt_lines(env, ticket, classification, helper)), ticket)
    await notify.new_ticket_to_helpers(env, ticket, classification)
    env.state["fresh_ticket"] = ticket.id
    env.state["fresh_at"] = env.now().isoformat()
    return None


async def _merge_into_fresh_ticket(env: Env, text: str) -> bool:
    fresh, fresh_at = env.state.get("fresh_ticket"), env.state.get("fresh_at")
    if not fresh or not fresh_at:
        return False
    if env.now() - datetime.fromisoformat(fresh_at) > env.chat.merge_window:
        return False
    ticket = await svc.supplement_if_new(env.uow, env.ctx, env.actor, int(fresh), text, source_message_id=env.source)
    if ticket is None:
        return False
    env.state["fresh_at"] = env.now().isoformat()
    env.reply(f"已补充到工单 #{ticket.id}。", ticket)
    await notify.to_helpers(env, ticket, f"工单 #{ticket.id} 企业补充：{shorten(text, 100)}", "supplement")
    return True


@command(
    "我的服务员",
    aliases=("服务员",),
    roles=[Role.BUSINESS],
    summary="查看为您服务的助企服务员及联系方式",
    example="我的服务员",
)
async def my_helper(env: Env) -> None:
    business = await env.uow.roster.business(env.actor.business_id or "")
    if business is None or not business.helper_ids:
        env.reply("您的经营主体尚未分配助企服务员，请联系所在街道。")
        return
    lines = [f"{business.name}的助企服务员："]
    for helper_id in business.helper_ids:
        helper = await env.uow.roster.person(helper_id)
        if helper is not None:
            tier = {"street": "街道片区", "park": "园区商圈", "industry": "行业主管部门"}.get(
                helper.tier.value if helper.tier else "", ""
            )
            lines.append(f"· {helper.name}（{tier}服务员），电话 {helper.phone}")
    lines.append("有任何需求，直接在这里发消息即可。")
    env.reply("\n".join(lines))


@command(
    "补充",
    args=[ticket_arg(), Arg("text", Kind.TEXT, "补充内容")],
    roles=[Role.BUSINESS],
    summary="为办理中的诉求补充说明或材料信息",
    example="补充 #12 门牌号是鞍山西道18号",
)
async def supplement(env: Env, ticket_id: int | None, text: str) -> None:
    ticket_id = await env.ticket_or_last(ticket_id)
    ticket = await svc.supplement(env.uow, env.ctx, env.actor, ticket_id, text, source_message_id=env.source)
    env.reply(f"已补充到工单 #{ticket.id}，服务员会看到。", ticket)
    await notify.to_helpers(env, ticket, f"工单 #{ticket.id} 企业补充：{shorten(text, 100)}", "supplement")
    if ticket.departments:
        await notify.to_coordinators(env, ticket, f"工单 #{ticket.id} 企业补充：{shorten(text, 100)}", "supplement")


@command(
    "评价",
    args=[ticket_arg(), Arg("rating", Kind.RATING, "分数1-5"), Arg("comment", Kind.TEXT, "意见", required=False)],
    roles=[Role.BUSINESS],
    summary="诉求办结后打分（1–5分），2分及以下将重新办理",
    example="评价 #12 5 办得很快",
)
async def rate(env: Env, ticket_id: int | None, rating: int, comment: str) -> None:
    ticket_id = await env.ticket_or_last(ticket_id)
    ticket = await svc.rate_and_maybe_reopen(
        env.uow, env.ctx, env.actor, ticket_id, rating, comment, source_message_id=env.source
    )
    if ticket.status == Status.REOPENED:
        env.reply(
            f"很抱歉没能让您满意。工单 #{ticket.id} 已重新办理，服务员会尽快联系您，"
            f"并于{moment(ticket.next_due_at, env.chat.tz)}前给出新的答复。",
            ticket,
        )
        await notify.to_helpers(
            env, ticket, f"工单 #{ticket.id} 企业评价{rating}分（{comment or '无意见'}），已重新办理，请尽快联系企业。",
            "reopened",
        )
    else:
        env.reply(f"感谢您的评价（{rating}分）！工单 #{ticket.id} 已关闭。", ticket)
        await notify.to_helpers(env, ticket, f"工单 #{ticket.id} 企业评价{rating}分：{comment or '无意见'}。", "rated")


async def business_overview(env: Env) -> None:
    """进度 without a number: the business's own recent tickets."""
    tickets = await env.uow.tickets.list_by(business_id=env.actor.business_id, limit=10)
    if not tickets:
        env.reply("您还没有提交过诉求。直接发送您遇到的问题即可。")
        return
    lines = ["您最近的诉求："]
    for t in tickets:
        due = f"，期限{moment(t.next_due_at, env.chat.tz)}" if t.next_due_at else ""
        lines.append(f"· #{t.id} {shorten(t.text, 24)} — {status_label(t)}{due}")
    lines.append("发送「查询 #工单号」看详情。")
    env.reply("\n".join(lines), tickets[0])
