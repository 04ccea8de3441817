"""Unit of work: one database transaction around the repositories."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.messaging import SqlConversations, SqlMessageLog, SqlOutbox
from storage.repositories import SqlAuditRepository, SqlRosterRepository, SqlTicketRepository


class SqlUnitOfWork:
    """`async with SqlUnitOfWork(engine) as uow: ...; await uow.commit()`.

    Leaving the block without commit rolls back, so a failed action never leaves a
    half-written ticket.
    """

    def __init__(self, engine: AsyncEngine):
        self._engine = engine
        self._conn: AsyncConnection | None = None

    async def __aenter__(self) -> SqlUnitOfWork:
        # The connection autobegins a transaction on first use and again after a commit.
        self._conn = await self._engine.connect()
        self.tickets = SqlTicketRepository(self._conn)
        self.audit = SqlAuditRepository(self._conn)
        self.roster = SqlRosterRepository(self._conn)
        self.messages = SqlMessageLog(self._conn)
        self.outbox = SqlOutbox(self._conn)
        self.conversations = SqlConversations(self._conn)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._conn is not None
        try:
            if self._conn.in_transaction():
                await self._conn.rollback()
        finally:
            await self._conn.close()
            self._conn = None

    async def commit(self) -> None:
        assert self._conn is not None
        await self._conn.commit()

    async def rollback(self) -> None:
        assert self._conn is not None
        await self._conn.rollback()
