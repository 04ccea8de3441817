"""Helpers and coordinators: triage, routing, answers and closing, in the same chat."""

from __future__ import annotations

from datetime import date

from bot.core import services as svc
from bot.core.chat import Button, Card
from bot.core.org import Role
from handlers import notify
from handlers.commands import Arg, Kind, command, ticket_arg
from handlers.context import Env
from handlers.format import day, deadline_sentence, moment

HELPER, COORD, HUB = Role.HELPER, Role.COORDINATOR, Role.HUB


async def _sender_label(env: Env) -> str:
    if env.actor.role == COORD:
        return f"{env.chat.directory.name(env.actor.department_code)} {env.actor.name}"
    return f"助企服务员 {env.actor.name}"


@command(
    "受理",
    args=[ticket_arg(), Arg("reason", Kind.TEXT, "说明", required=False)],
    roles=[HELPER],
    summary="在街道园区渠道「即时办理」（1个工作日内答复）",
    example="受理 #12",
)
async def handle(env: Env, ticket_id: int | None, reason: str) -> None:
    t = await svc.handle(env.uow, env.ctx, env.actor, await env.ticket_or_last(ticket_id), reason=reason,
                         source_message_id=env.source)
    env.reply(
        f"已受理工单 #{t.id}（街道园区渠道「即时办理」）。请于{moment(t.next_due_at, env.chat.tz)}前"
        f"告知企业解决方案和预计完成时间：答复 方案 日期。",
        t,
    )
    await notify.to_requester(env, t, f"您的诉求已由助企服务员 {env.actor.name} 受理。{deadline_sentence(t, env.chat.tz)}",
                              "handle")


@command(
    "转办",
    args=[ticket_arg(), Arg("department", Kind.DEPARTMENT, "部门"), Arg("reason", Kind.TEXT, "说明", required=False)],
    roles=[HELPER, HUB],
    summary="转给区级部门需求协调员「协调解决」（3个工作日内答复）",
    example="转办 #12 区人社局",
)
async def forward(env: Env, ticket_id: int | None, department: str, reason: str) -> None:
    t = await svc.forward(env.uow, env.ctx, env.actor, await env.ticket_or_last(ticket_id), department, reason=reason,
                          source_message_id=env.source)
    name = env.chat.directory.name(department)
    env.reply(f"工单 #{t.id} 已转办{name}，答复期限{moment(t.next_due_at, env.chat.tz)}。", t)
    await notify.forwarded_to_coordinators(env, t)
    await notify.to_requester(env, t, f"您的诉求已转交{name}协调解决。{deadline_sentence(t, env.chat.tz)}", "forward")


@command(
    "会商",
    aliases=("吹哨",),
    args=[ticket_arg(), Arg("departments", Kind.DEPARTMENTS, "部门"), Arg("reason", Kind.TEXT, "说明", required=False)],
    roles=[HELPER, HUB],
    summary="吹哨报到，组织多个部门「会商解决」（7个工作日内答复）",
    example="会商 #12 区市场监管局 区城管委 区生态环境局",
)
async def whistle(env: Env, ticket_id: int | None, departments: tuple[str, ...], reason: str) -> None:
    t = await svc.whistle(env.uow, env.ctx, env.actor, await env.ticket_or_last(ticket_id), departments, reason=reason,
                          source_message_id=env.source)
    names = env.chat.directory.names(t.departments)
    env.reply(f"工单 #{t.id} 已吹哨：{names}，会商答复期限{moment(t.next_due_at, env.chat.tz)}。各部门报到后会通知您。", t)
    await notify.whistle_to_coordinators(env, t)
    await notify.to_requester(
        env, t, f"您的诉求涉及多个部门，已组织{names}会商解决。{deadline_sentence(t, env.chat.tz)}", "whistle"
    )


@command(
    "提级",
    args=[
        ticket_arg(),
        Arg("platform", Kind.PLATFORM, "12345|津产发"),
        Arg("external_ref", Kind.REF, "外部单号", required=False),
        Arg("reason", Kind.TEXT, "说明", required=False),
    ],
    roles=[HELPER, HUB],
    summary="市区联动「提级解决」：指导企业通过12345为企服务专席或津产发平台提交",
    example="提级 #12 12345 QY20261001",
)
async def refer(env: Env, ticket_id: int | None, platform: str, external_ref: str, reason: str) -> None:
    t = await svc.refer(env.uow, env.ctx, env.actor, await env.ticket_or_last(ticket_id), platform,
                        external_ref=external_ref, reason=reason, source_message_id=env.source)
    ref = f"（外部单号 {t.external_ref}）" if t.external_ref else "（拿到外部单号后可再次发送：提级 12345 单号）"
    env.reply(f"工单 #{t.id} 已提级至{notify.platform_label(platform)}{ref}，请持续跟进，"
              f"下次跟进时间{moment(t.next_due_at, env.chat.tz)}。", t)
    await notify.to_requester(
        env, t,
        f"您的诉求涉及市级层面，需要通过{notify.platform_label(platform)}办理。{notify.city_guidance(platform)}"
        f"助企服务员 {env.actor.name} 会持续跟进。",
        "refer",
    )


@command(
    "不予受理",
    args=[ticket_arg(), Arg("reason", Kind.TEXT, "理由")],
    roles=[HELPER],
    summary="不在服务范围的事项（信访、涉密、隐私、违法等），须说明理由",
    example="不予受理 #12 属于信访事项，请通过信访渠道反映",
)
async def reject(env: Env, ticket_id: int | None, reason: str) -> None:
    t = await svc.reject(env.uow, env.ctx, env.actor, await env.ticket_or_last(ticket_id), reason, source_message_id=env.source)
    env.reply(f"工单 #{t.id} 已不予受理，理由已告知企业。", t)
    await notify.to_requester(env, t, f"很抱歉，该事项不在“政企同行·有需必应”服务范围内：{reason}", "reject")


@command(
    "回复",
    args=[ticket_arg(), Arg("text", Kind.TEXT, "内容")],
    roles=[HELPER, COORD],
    summary="给企业发消息（转达到企业的对话中）",
    example="回复 #12 请把营业执照照片发我一下",
)
async def reply(env: Env, ticket_id: int | None, text: str) -> None:
    t = await svc.reply(env.uow, env.ctx, env.actor, await env.ticket_or_last(ticket_id), text, source_message_id=env.source)
    sender = await _sender_label(env)
    env.reply(f"已转达给企业（工单 #{t.id}）。", t)
    await notify.to_requester(env, t, f"{sender}：{text}", "reply")
    if env.actor.role == COORD:
        await notify.to_helpers(env, t, f"工单 #{t.id} {sender}回复企业：{text}", "reply")


@command(
    "接收",
    args=[ticket_arg()],
    roles=[COORD],
    summary="确认接收转办的诉求",
    example="接收 #12",
)
async def accept(env: Env, ticket_id: int | None) -> None:
    t = await svc.accept(env.uow, env.ctx, env.actor, await env.ticket_or_last(ticket_id), source_message_id=env.source)
    env.reply(f"已接收工单 #{t.id}，请于{moment(t.next_due_at, env.chat.tz)}前答复：答复 方案 预计完成日期。", t)
    await notify.to_helpers(env, t, f"工单 #{t.id} 已由{await _sender_label(env)}接收。", "accept")


@command(
    "退回",
    args=[ticket_arg(), Arg("reason", Kind.TEXT, "原因")],
    roles=[COORD],
    summary="退回服务员（须说明原因，如不属于本部门职责）",
    example="退回 #12 不属于本部门职责，建议转区城管委",
)
async def return_ticket(env: Env, ticket_id: int | None, reason: str) -> None:
    t = await svc.return_ticket(env.uow, env.ctx, env.actor, await env.ticket_or_last(ticket_id), reason,
                                source_message_id=env.source)
    env.reply(f"工单 #{t.id} 已退回服务员。", t)
    card = Card(
        f"工单 #{t.id} 被退回",
        (f"退回部门：{env.chat.directory.name(env.actor.department_code)}", f"原因：{reason}",
         f"请于{moment(t.next_due_at, env.chat.tz)}前重新研判"),
        (Button("受理（街道办理）", f"受理 #{t.id}"), Button("查询详情", f"查询 #{t.id}")),
    )
    await notify.to_helpers(env, t, f"工单 #{t.id} 被{await _sender_label(env)}退回：{reason}。请重新研判：转办 / 会商 / 受理。",
                            "return", card)


@command(
    "报到",
    args=[ticket_arg()],
    roles=[COORD],
    summary="响应吹哨，确认参加会商",
    example="报到 #12",
)
async def check_in(env: Env, ticket_id: int | None) -> None:
    t = await svc.check_in(env.uow, env.ctx, env.actor, await env.ticket_or_last(ticket_id), source_message_id=env.source)
    missing = [d for d in t.departments if d not in t.checked_in]
    status = f"尚未报到：{env.chat.directory.names(missing)}" if missing else "各部门已全部报到"
    env.reply(f"已报到（工单 #{t.id}）。{status}。", t)
    await notify.to_helpers(env, t, f"工单 #{t.id} {env.chat.directory.name(env.actor.department_code)}已报到；{status}。",
                            "check_in")


@command(
    "答复",
    args=[ticket_arg(), Arg("solution", Kind.TEXT, "解决方案"), Arg("eta", Kind.DATE, "预计完成日期")],
    roles=[HELPER, COORD],
    summary="给出解决方案和预计完成日期（转达企业）",
    example="答复 #12 已协调物业恢复供水 2026-10-12",
)
async def answer(env: Env, ticket_id: int | None, solution: str, eta: date) -> None:
    t = await svc.answer(env.uow, env.ctx, env.actor, await env.ticket_or_last(ticket_id), solution, eta,
                         source_message_id=env.source)
    env.reply(f"已答复工单 #{t.id}，预计完成日期{day(eta)}，到期前请督促落实并发送「办结 结果」。", t)
    sender = await _sender_label(env)
    await notify.to_requester(env, t, f"解决方案（{sender}）：{solution}\n预计完成时间：{day(eta)}。", "answer")
    if env.actor.role == COORD:
        await notify.to_helpers(env, t, f"工单 #{t.id} {sender}已答复：{solution}；预计{day(eta)}完成。", "answer")


@command(
    "办结",
    args=[ticket_arg(), Arg("result", Kind.TEXT, "办理结果")],
    roles=[HELPER, COORD],
    summary="办结诉求，并请企业评价",
    example="办结 #12 已完成变更登记",
)
async def resolve(env: Env, ticket_id: int | None, result: str) -> None:
    t = await svc.resolve(env.uow, env.ctx, env.actor, await env.ticket_or_last(ticket_id), result, source_message_id=env.source)
    env.reply(f"工单 #{t.id} 已办结，已请企业评价。", t)
    await notify.to_requester(
        env, t, f"您的诉求已办结：{result}\n请回复「评价 分数 意见」（1–5分），例如：评价 5 很满意。",
        "resolve", notify.rating_card(t),
    )
    if env.actor.role == COORD:
        await notify.to_helpers(env, t, f"工单 #{t.id} 已由{await _sender_label(env)}办结：{result}", "resolve")


@command(
    "延期",
    args=[ticket_arg(), Arg("until", Kind.DATE, "日期"), Arg("reason", Kind.TEXT, "理由")],
    roles=[HELPER, COORD],
    summary="申请延长期限（由区政务服务办审批）",
    example="延期 #12 2026-10-30 需等待市级部门批复",
)
async def request_extension(env: Env, ticket_id: int | None, until: date, reason: str) -> None:
    t = await svc.request_extension(env.uow, env.ctx, env.actor, await env.ticket_or_last(ticket_id), until, reason,
                                    source_message_id=env.source)
    env.reply(f"工单 #{t.id} 的延期申请（至{day(until)}）已提交区政务服务办审批。", t)
    card = Card(
        f"延期申请 · 工单 #{t.id}",
        (f"申请人：{await _sender_label(env)}", f"申请延至：{day(until)}", f"理由：{reason}",
         f"当前期限：{moment(t.next_due_at, env.chat.tz)}"),
        (Button("同意", f"审批延期 #{t.id} 同意"), Button("驳回", f"审批延期 #{t.id} 驳回")),
    )
    for person in await notify.service_office(env):
        env.push(person.id, f"工单 #{t.id} 申请延期至{day(until)}：{reason}", "extension_request", t, card)
