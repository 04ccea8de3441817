"""Commands every role has: 查询, 待办, 帮助."""

from __future__ import annotations

from bot.core import services as svc
from bot.core.org import Role
from bot.core.ticket import ACTION_LABELS, Status
from handlers import business
from handlers.commands import REGISTRY, command, help_text, ticket_arg
from handlers.context import Env
from handlers.format import day, moment, shorten, status_label

ALL_ROLES = [Role.BUSINESS, Role.HELPER, Role.COORDINATOR, Role.LEADER, Role.HUB]

# What each role still has to do, by status.
PENDING_STATUSES = {
    Role.HELPER: (Status.NEW, Status.RETURNED, Status.REOPENED, Status.HANDLING, Status.REFERRED, Status.ANSWERED),
    Role.COORDINATOR: (Status.FORWARDED, Status.CONSULTING),
}


@command(
    "查询",
    aliases=("进度",),
    args=[ticket_arg()],
    roles=ALL_ROLES,
    summary="查看诉求详情和办理进度",
    example="查询 #12",
)
async def show(env: Env, ticket_id: int | None) -> None:
    if ticket_id is None and env.actor.role == Role.BUSINESS:
        await business.business_overview(env)
        return
    t = await svc.view_ticket(env.uow, env.actor, await env.ticket_or_last(ticket_id))
    company = await env.uow.roster.business(t.business_id)
    directory = env.chat.directory
    tz = env.chat.tz
    lines = [
        f"工单 #{t.id} · {company.name if company else ''}",
        f"内容：{shorten(t.text, 200)}",
        f"状态：{status_label(t)}　渠道：{env.ctx.policy.rule(t.channel).label}",
        f"受理时间：{moment(t.received_at, tz)}",
    ]
    if t.departments:
        lines.append(f"承办部门：{directory.names(t.departments)}")
    if t.next_due_at:
        lines.append(f"当前期限：{moment(t.next_due_at, tz)}")
    if t.solution:
        lines.append(f"解决方案：{t.solution}（预计{day(t.eta)}完成）" if t.eta else f"解决方案：{t.solution}")
    if t.result:
        lines.append(f"办理结果：{t.result}")
    if t.external_ref or t.external_platform:
        lines.append(f"市级渠道：{t.external_platform} {t.external_ref}".rstrip())
    if t.notes:
        lines.append("企业补充：" + "；".join(shorten(n, 40) for n in t.notes[-3:]))
    if env.actor.role != Role.BUSINESS:
        events = await env.uow.audit.for_ticket(t.id)
        lines.append("最近记录：")
        for e in events[-5:]:
            who = await env.uow.roster.person(e.actor_id)
            lines.append(f"· {moment(e.at, tz)} {ACTION_LABELS[e.action]}（{who.label if who else e.actor_id}）")
    env.reply("\n".join(lines), t)


@command(
    "待办",
    roles=[Role.HELPER, Role.COORDINATOR, Role.HUB],
    summary="列出需要您处理的诉求",
    example="待办",
)
async def todo(env: Env) -> None:
    if env.actor.role == Role.HELPER:
        tickets = await env.uow.tickets.list_by(helper_ids=[env.actor.id], statuses=PENDING_STATUSES[Role.HELPER])
    elif env.actor.role == Role.COORDINATOR:
        tickets = await env.uow.tickets.list_by(
            department=env.actor.department_code, statuses=PENDING_STATUSES[Role.COORDINATOR]
        )
    else:
        open_ = (Status.HANDLING, Status.FORWARDED, Status.CONSULTING, Status.ANSWERED)
        tickets = [t for t in await env.uow.tickets.list_by(statuses=open_, limit=200) if t.extension_until]
    if not tickets:
        env.reply("目前没有待办诉求。" if env.actor.role != Role.HUB else "目前没有待审批的延期申请。")
        return
    title = "待审批的延期申请：" if env.actor.role == Role.HUB else f"待办诉求 {len(tickets)} 件："
    lines = [title]
    for t in sorted(tickets, key=lambda x: (x.next_due_at is None, x.next_due_at or x.received_at)):
        due = f"，期限{moment(t.next_due_at, env.chat.tz)}" if t.next_due_at else ""
        extra = f"，申请延至{day(t.extension_until)}" if env.actor.role == Role.HUB and t.extension_until else ""
        lines.append(f"· #{t.id} {shorten(t.text, 24)} — {status_label(t)}{due}{extra}")
    env.reply("\n".join(lines))


@command(
    "帮助",
    aliases=("help", "?", "？"),
    roles=ALL_ROLES,
    summary="查看可用指令",
    example="帮助",
)
async def show_help(env: Env) -> None:
    intro = {
        Role.BUSINESS: "您好！直接发送您遇到的问题即可，我们会生成工单并由助企服务员跟进。",
        Role.HELPER: "助企服务员您好！收到新诉求后可按以下指令办理。",
        Role.COORDINATOR: "需求协调员您好！转办和吹哨的诉求会推送给您。",
        Role.LEADER: "领导您好！可查看本部门的超期和统计情况。",
        Role.HUB: "中枢同志您好！可查看全区超期、统计并审批延期。",
    }[env.actor.role]
    env.reply(intro + "\n" + help_text(env.actor.role, REGISTRY))
