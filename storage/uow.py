"""Unit of work: one database transaction around the repositories."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.messaging import SqlClaims, SqlConversations, SqlMessageLog, SqlOutbox
from storage.repositories import (
    SqlAuditRepository,
    SqlCorrectionLog,
    SqlRosterRepository,
    SqlTicketRepository,
)


def attach_repositories(uow, conn) -> None:
    """The repositories of a unit of work, all on its one connection."""
    uow.tickets = SqlTicketRepository(conn)
    uow.audit = SqlAuditRepository(conn)
    uow.roster = SqlRosterRepository(conn)
    uow.messages = SqlMessageLog(conn)
    uow.outbox = SqlOutbox(conn)
    uow.conversations = SqlConversations(conn)
    uow.claims = SqlClaims(conn)
    uow.corrections = SqlCorrectionLog(conn)


class SqlUnitOfWork:
    """`async with SqlUnitOfWork(engine) as uow: ...; await uow.commit()`.

    Leaving the block without commit rolls back, so a failed action never leaves a
    half-written ticket.
    """

    def __init__(self, engine: AsyncEngine):
        self._engine = engine
        self._conn: AsyncConnection | None = None
        self.holding = False

    def hold_commits(self, hold: bool) -> None:
        """While held, commit() does nothing: the service calls of one chat message then commit
        together with its replies and pushes, or not at all (rollback() still rolls back)."""
        self.holding = hold

    async def __aenter__(self) -> SqlUnitOfWork:
        # The connection autobegins a transaction on first use and again after a commit.
        self._conn = await self._engine.connect()
        attach_repositories(self, self._conn)
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
        if not self.holding:
            await self._conn.commit()

    async def rollback(self) -> None:
        assert self._conn is not None
        await self._conn.rollback()
