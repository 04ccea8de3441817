"""Simulator HTTP API (`/sim/api/...`) and page (`/sim`).

It lets anyone act as anyone, so the app mounts it only in demo mode or when an operator
enables it explicitly.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any, Awaitable, Callable

from aiohttp import web

from bot.core.chat import MAX_TEXT, Inbound, Outbound
from bot.core.org import ROLE_LABELS, Person, Role

PLATFORM = "sim"
STATIC_DIR = Path(__file__).resolve().parent / "static"
USER_ID = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
MAX_BODY = 64 * 1024

# The app provides these; the simulator knows nothing of storage or handlers.
Process = Callable[[Inbound], Awaitable[tuple[list[Outbound], bool]]]
Inbox = Callable[[str, int], Awaitable[list[tuple[int, Outbound, Any]]]]
Users = Callable[[], Awaitable[list[tuple[Person, str]]]]
Clock = Callable[[], Any]


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status, dumps=_dumps)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _message(message_id: str, out: Outbound, at) -> dict[str, Any]:
    return {"id": message_id, "at": at.isoformat(), **out.to_json()}


def setup(app: web.Application, *, process: Process, inbox: Inbox, users: Users, clock: Clock) -> None:
    async def post_message(request: web.Request) -> web.Response:
        if request.content_length is not None and request.content_length > MAX_BODY:
            return _error(413, "消息过大。")
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError, web.HTTPException):
            return _error(400, "请求体必须是 JSON，例如 {\"user\": \"owner-01\", \"text\": \"你好\"}。")
        if not isinstance(body, dict):
            return _error(400, "请求体必须是 JSON 对象。")
        user, text, message_id = body.get("user"), body.get("text"), body.get("id")
        if not isinstance(user, str) or not USER_ID.match(user):
            return _error(400, "user 必须是名册中的人员编号（字母、数字、-、_，最长64位）。")
        if not isinstance(text, str):
            return _error(400, "text 必须是字符串。")
        if len(text) > MAX_TEXT * 2:
            return _error(413, f"消息过长（超过{MAX_TEXT}字）。")
        if message_id is None:
            message_id = uuid.uuid4().hex
        if not isinstance(message_id, str) or not 0 < len(message_id) <= 128:
            return _error(400, "id 必须是不超过128位的字符串。")
        at = clock()
        replies, duplicate = await process(
            Inbound(platform=PLATFORM, conversation_id=user, sender_id=user, text=text, message_id=message_id, at=at)
        )
        return web.json_response(
            {"duplicate": duplicate, "replies": [_message(f"{message_id}:{i}", r, at) for i, r in enumerate(replies)]},
            dumps=_dumps,
        )

    async def get_inbox(request: web.Request) -> web.Response:
        user = request.query.get("user", "")
        if not USER_ID.match(user):
            return _error(400, "缺少或错误的 user 参数。")
        after_text = request.query.get("after", "0") or "0"
        if not after_text.isdigit():
            return _error(400, "after 参数必须是上次返回的 cursor。")
        after = int(after_text)
        rows = await inbox(user, after)
        return web.json_response(
            {
                "messages": [_message(str(row_id), out, at) for row_id, out, at in rows],
                "cursor": str(rows[-1][0] if rows else after),
            },
            dumps=_dumps,
        )

    async def get_users(request: web.Request) -> web.Response:
        return web.json_response(
            {
                "users": [
                    {"id": p.id, "name": p.name, "role": p.role.value, "role_label": ROLE_LABELS[p.role],
                     "organisation": organisation}
                    for p, organisation in await users()
                    if p.role != Role.SYSTEM
                ]
            },
            dumps=_dumps,
        )

    async def page(request: web.Request) -> web.StreamResponse:
        index = STATIC_DIR / "index.html"
        if not index.exists():
            return web.Response(text="模拟器页面缺失。", status=500)
        return web.FileResponse(index, headers={"Cache-Control": "no-store"})

    app.router.add_post("/sim/api/messages", post_message)
    app.router.add_get("/sim/api/inbox", get_inbox)
    app.router.add_get("/sim/api/users", get_users)
    app.router.add_get("/sim", page)
    if STATIC_DIR.exists():
        app.router.add_static("/sim/static/", STATIC_DIR)
