"""Hubs and leaders: overdue lists, statistics, extension approval."""

from __future__ import annotations

from bot.core import services as svc
from bot.core.org import Role
from bot.core.ticket import STATUS_LABELS, Action, Status
from handlers import notify
from handlers.commands import Arg, Kind, ParseError, command, ticket_arg
from handlers.context import Env
from handlers.format import day, moment, shorten

APPROVE_WORDS = ("同意", "批准", "通过")
DENY_WORDS = ("驳回", "不同意", "拒绝")


def _scope(env: Env) -> str | None:
    """Leaders see their own department; hub members see the whole district."""
    return env.actor.department_code if env.actor.role == Role.LEADER else None


@command(
    "超时",
    aliases=("超期",),
    roles=[Role.HUB, Role.LEADER],
    summary="查看已超过期限的诉求清单",
    example="超时",
)
async def overdue(env: Env) -> None:
    due = await env.uow.tickets.overdue(env.now(), limit=200)
    scope = _scope(env)
    if scope is not None:
        due = [d for d in due if scope in d.departments]
    if not due:
        env.reply("目前没有超期的诉求。")
        return
    lines = [f"超期诉求 {len(due)} 件："]
    for d in due[:30]:
        who = env.chat.directory.names(d.departments) if d.departments else "助企服务员"
        lines.append(
            f"· #{d.id} {shorten(d.text, 20)} — {STATUS_LABELS[d.status]}，"
            f"期限{moment(d.next_due_at, env.chat.tz)}，责任：{who}"
        )
    if len(due) > 30:
        lines.append(f"……另有 {len(due) - 30} 件，请在工作台查看。")
    env.reply("\n".join(lines))


@command(
    "统计",
    roles=[Role.HUB, Role.LEADER],
    summary="按状态和渠道统计诉求数量",
    example="统计",
)
async def statistics(env: Env) -> None:
    scope = _scope(env)
    counts = await env.uow.tickets.count_by_status_and_channel(department=scope)
    total = sum(counts.values())
    by_status: dict[str, int] = {}
    by_channel: dict[str, int] = {}
    for (status, channel), n in counts.items():
        by_status[status] = by_status.get(status, 0) + n
        by_channel[channel] = by_channel.get(channel, 0) + n
    overdue_count = len([d for d in await env.uow.tickets.overdue(env.now(), limit=100000)
                         if scope is None or scope in d.departments])
    rules = env.ctx.policy.rules
    lines = [f"诉求总数：{total}（其中超期 {overdue_count} 件）", "按状态："]
    lines += [f"· {STATUS_LABELS[Status(s)]}：{n}" for s, n in sorted(by_status.items(), key=lambda x: -x[1])]
    lines.append("按渠道：")
    lines += [f"· {rules[c].label if c in rules else c}：{n}" for c, n in sorted(by_channel.items(), key=lambda x: -x[1])]
    env.reply("\n".join(lines))


@command(
    "审批延期",
    aliases=("批准延期",),
    args=[ticket_arg(), Arg("decision", Kind.TEXT, "同意|驳回 [理由]")],
    roles=[Role.HUB],
    summary="审批延期申请（区政务服务办）",
    example="审批延期 #12 同意",
)
async def decide_extension(env: Env, ticket_id: int | None, decision: str) -> None:
    ticket_id = await env.ticket_or_last(ticket_id)
    if decision.startswith(APPROVE_WORDS):
        before = await svc.view_ticket(env.uow, env.actor, ticket_id)
        until = before.extension_until
        t = await svc.approve_extension(env.uow, env.ctx, env.actor, ticket_id, source_message_id=env.source)
        outcome = f"已同意延期，新期限{moment(t.next_due_at, env.chat.tz)}"
    elif decision.startswith(DENY_WORDS):
        reason = decision.lstrip("驳回不同意拒绝 ，,：:")
        t = await svc.deny_extension(env.uow, env.ctx, env.actor, ticket_id, reason, source_message_id=env.source)
        until = None
        outcome = "延期申请已驳回，请按原期限办理" + (f"（{reason}）" if reason else "")
    else:
        raise ParseError("请写明「同意」或「驳回」。")
    env.reply(f"工单 #{t.id}：{outcome}。", t)
    requester = await _extension_requester(env, t.id)
    if requester:
        env.push(requester, f"工单 #{t.id}：{outcome}。", "extension_decision", t)
    await notify.to_helpers(env, t, f"工单 #{t.id}：{outcome}。", "extension_decision")
    if until is not None:
        await notify.to_requester(env, t, f"办理期限调整为{day(until)}，感谢您的理解。", "extension_decision")


async def _extension_requester(env: Env, ticket_id: int) -> str | None:
    events = await env.uow.audit.for_ticket(ticket_id)
    requests = [e for e in events if e.action == Action.REQUEST_EXTENSION]
    return requests[-1].actor_id if requests else None
