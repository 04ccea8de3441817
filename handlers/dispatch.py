"""The one entry of every inbound message, whatever platform it came from.

store (dedup) → identify → command or conversation → pushes to the outbox → replies stored with
the message. A repeated platform message id returns the stored replies and does nothing else.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.core.chat import MAX_TEXT, Inbound, Outbound, Result
from bot.core.errors import DomainError
from bot.core.org import Role
from bot.core.ports import UnitOfWork
from handlers import business, common, oversight, staff  # noqa: F401  (register their commands)
from handlers.commands import REGISTRY, ParseError, find_command, parse_args, suggest, usage_reply
from handlers.context import ChatContext, Env
from handlers.onboarding import onboard, state_key

log = logging.getLogger(__name__)

TOO_LONG = f"消息过长（超过{MAX_TEXT}字），请分几条发送，或简要描述后由服务员联系您。"
EMPTY = "目前只能处理文字消息，请用文字描述您的需求。"
MIN_NEED_LENGTH = 6


@dataclass(frozen=True)
class Processed:
    replies: list[Outbound]
    duplicate: bool = False


async def process(uow: UnitOfWork, chat: ChatContext, inbound: Inbound) -> Processed:
    row_id = await uow.messages.record(inbound)
    if row_id is None:
        stored = await uow.messages.replies_of(inbound.platform, inbound.message_id)
        return Processed(stored or [], duplicate=True)
    # Durable before it is processed: a crash below loses no message.
    await uow.commit()
    # Everything this message causes (service actions, replies, pushes) commits once, together.
    uow.hold_commits(True)

    actor = await uow.roster.person_by_identity(inbound.platform, inbound.sender_id)
    person_id = actor.id if actor else None
    key = actor.id if actor else state_key(inbound.platform, inbound.sender_id)
    state = await uow.conversations.get(key)
    state_before = dict(state)
    env = Env(uow=uow, chat=chat, actor=actor, inbound=inbound, state=state)  # type: ignore[arg-type]
    redact: str | None = None
    try:
        redact = await _route(env)
    except DomainError as err:
        await uow.rollback()
        env.result = Result().reply(err.user_message)
    except Exception:
        await uow.rollback()
        log.exception("message %s:%s failed", inbound.platform, inbound.message_id)
        env.result = Result().reply("抱歉，系统处理这条消息时出错，已记录。请稍后再试，或直接联系您的服务员。")
    now = chat.services.clock()
    await uow.outbox.add(env.result.pushes, now)
    if env.state != state_before:
        await uow.conversations.put(key, env.state, now)
    await uow.messages.finish(row_id, person_id=person_id, replies=env.result.replies, at=now, redact=redact)
    uow.hold_commits(False)
    await uow.commit()
    return Processed(env.result.replies)


async def _route(env: Env) -> str | None:
    text = env.inbound.text.strip()
    if not text:
        env.reply(EMPTY)
        return None
    if len(text) > MAX_TEXT:
        env.reply(TOO_LONG)
        return None
    if env.actor is None:
        person_id = await onboard(env, text)
        if person_id is not None:
            await _after_onboarding(env, person_id)
        return None
    role = env.actor.role
    allowed = [c for c in REGISTRY if role in c.roles]
    found = find_command(text, role, allowed)
    if found is None:
        if role == Role.BUSINESS:
            staff = find_command(text, Role.HELPER, REGISTRY)
            if staff is not None and staff[1].startswith(("#", "＃")):
                # A staff command aimed at a ticket (copied from a helper, say): not a new need.
                env.reply(f"「{staff[0].name}」是工作人员使用的指令。如需反映诉求，请直接描述您遇到的问题。")
                return None
            return await business.free_text(env, text)
        other_role = find_command(text, role, REGISTRY)
        if other_role is not None:
            env.reply(f"「{other_role[0].name}」不是您的角色可以使用的指令。发送「帮助」查看您可用的指令。")
            return None
        guess = suggest(text, allowed)
        hint = f"您是不是想用「{guess}」？" if guess else ""
        env.reply(f"没有识别出指令。{hint}发送「帮助」查看可用指令。")
        return None
    cmd, rest = found
    try:
        args = parse_args(cmd, rest, env.parse_context())
        await cmd.handler(env, **args)
    except ParseError as err:
        await env.uow.rollback()
        env.reply(usage_reply(cmd, err.message))
    return None


async def _after_onboarding(env: Env, person_id: str) -> None:
    """Registration done: the need they first wrote becomes their first ticket."""
    # A greeting ("你好") is not a need; a sentence is.
    pending = [t for t in env.state.get("pending", []) if len(t) >= MIN_NEED_LENGTH]
    actor = await env.uow.roster.person(person_id)
    assert actor is not None
    env.actor = actor
    env.state = {}
    registered = Env(uow=env.uow, chat=env.chat, actor=actor, inbound=env.inbound, state={}, result=env.result)
    for text in pending[:1]:
        await business.free_text(registered, text)
    await env.uow.conversations.put(actor.id, registered.state, env.now())
