"""Repositories of the chat layer: inbound message log, outbox, conversation state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.chat import Inbound, Outbound, Push, card_to_json, outbound_from_json
from bot.core.ports import StoredPush
from storage import tables as t
from storage.fastpath import hot


def upsert(conn: AsyncConnection, table: sa.Table):
    """The dialect's INSERT with ON CONFLICT support (SQLite and PostgreSQL spell it alike)."""
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)


def _per_dialect(build):
    """Build a dialect-specific statement once per dialect (building one costs more than running it)."""
    cache: dict[str, Any] = {}

    def get(conn: AsyncConnection):
        name = conn.dialect.name
        if name not in cache:
            cache[name] = hot(build(conn))
        return cache[name]

    return get


_record_inbound = _per_dialect(
    lambda conn: upsert(conn, t.inbound_messages)
    .on_conflict_do_nothing(index_elements=["platform", "message_id"])
    .returning(t.inbound_messages.c.id)
)
_REPLIES_OF = hot(sa.select(t.inbound_messages.c.replies).where(
    t.inbound_messages.c.platform == sa.bindparam("platform"),
    t.inbound_messages.c.message_id == sa.bindparam("message_id"),
))
_FINISH = hot(sa.update(t.inbound_messages).where(t.inbound_messages.c.id == sa.bindparam("_id")))
_INSERT_PUSH = hot(sa.insert(t.outbox))
_LATEST_TICKET_PUSH = hot(
    sa.select(t.outbox.c.ticket_id, t.outbox.c.created_at)
    .where(t.outbox.c.person_id == sa.bindparam("person_id"), t.outbox.c.ticket_id.is_not(None))
    .order_by(t.outbox.c.id.desc())
    .limit(1)
)
_claim = _per_dialect(
    lambda conn: upsert(conn, t.claims).on_conflict_do_nothing(index_elements=["key"]).returning(t.claims.c.key)
)
_EXISTING_CLAIMS = sa.select(t.claims.c.key).where(t.claims.c.key.in_(sa.bindparam("keys", expanding=True)))
_GET_STATE = hot(sa.select(t.conversations.c.state).where(t.conversations.c.key == sa.bindparam("key")))


def _build_put_state(conn):
    stmt = upsert(conn, t.conversations)
    return stmt.on_conflict_do_update(
        index_elements=["key"], set_={"state": stmt.excluded.state, "updated_at": stmt.excluded.updated_at}
    )


_put_state = _per_dialect(_build_put_state)


class SqlMessageLog:
    def __init__(self, conn: AsyncConnection):
        self.conn = conn

    async def record(self, inbound: Inbound) -> int | None:
        """Store an inbound message; None if this (platform, message id) was stored before."""
        values = {
            "platform": inbound.platform,
            "message_id": inbound.message_id,
            "sender_id": inbound.sender_id,
            "text": inbound.text,
            "received_at": inbound.at,
        }
        return (await self.conn.execute(_record_inbound(self.conn), values)).scalar_one_or_none()

    async def replies_of(self, platform: str, message_id: str) -> list[Outbound] | None:
        replies = await self.conn.scalar(_REPLIES_OF, {"platform": platform, "message_id": message_id})
        return None if replies is None else [outbound_from_json(r) for r in replies]

    async def finish(
        self, row_id: int, *, person_id: str | None, replies: list[Outbound], at: datetime, redact: str | None = None
    ) -> None:
        values: dict[str, Any] = {
            "_id": row_id,
            "person_id": person_id,
            "replies": [r.to_json() for r in replies],
            "processed_at": at,
        }
        if redact is not None:
            # Out-of-scope content (secrets, privacy...) is not kept beyond what the audit needs.
            values["text"] = redact
        await self.conn.execute(_FINISH, values)


class SqlOutbox:
    def __init__(self, conn: AsyncConnection):
        self.conn = conn

    async def add(self, pushes: list[Push], at: datetime) -> None:
        if not pushes:
            return
        await self.conn.execute(
            _INSERT_PUSH,
            [
                {
                    "person_id": p.to,
                    "ticket_id": p.message.ticket,
                    "purpose": p.purpose,
                    "text": p.message.text,
                    "card": card_to_json(p.message.card),
                    "created_at": at,
                    "attempts": 0,
                }
                for p in pushes
            ],
        )

    async def latest_ticket_for(self, person_id: str) -> tuple[int, datetime] | None:
        """The ticket of the last push this person received, and when."""
        row = (await self.conn.execute(_LATEST_TICKET_PUSH, {"person_id": person_id})).first()
        return (row.ticket_id, row.created_at) if row else None

    async def for_person(self, person_id: str, after_id: int = 0, limit: int = 100) -> list[StoredPush]:
        c = t.outbox.c
        rows = await self.conn.execute(
            sa.select(c.id, c.person_id, c.purpose, c.text, c.ticket_id, c.card, c.created_at)
            .where(c.person_id == person_id, c.id > after_id)
            .order_by(c.id)
            .limit(limit)
        )
        return [
            StoredPush(r.id, r.person_id, r.purpose, outbound_from_json(
                {"text": r.text, "ticket": r.ticket_id, "card": r.card}), r.created_at)
            for r in rows
        ]


class SqlConversations:
    def __init__(self, conn: AsyncConnection):
        self.conn = conn

    async def get(self, key: str) -> dict[str, Any]:
        state = await self.conn.scalar(_GET_STATE, {"key": key})
        return dict(state) if state else {}

    async def put(self, key: str, state: dict[str, Any], at: datetime) -> None:
        await self.conn.execute(_put_state(self.conn), {"key": key, "state": state, "updated_at": at})


class SqlClaims:
    """Exactly-once claims: the first transaction to insert a key owns it."""

    def __init__(self, conn: AsyncConnection):
        self.conn = conn

    async def claim(self, key: str, at: datetime) -> bool:
        won = await self.conn.execute(_claim(self.conn), {"key": key, "claimed_at": at})
        return won.scalar_one_or_none() is not None

    async def existing(self, keys: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(keys), 500):
            rows = await self.conn.execute(_EXISTING_CLAIMS, {"keys": keys[start:start + 500]})
            found.update(k for (k,) in rows)
        return found
