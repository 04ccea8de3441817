"""The database the app talks to: units of work, a health probe, and an orderly close.

Two implementations behind one interface:

* PostgreSQL (and any async driver): a pooled async engine, one connection per unit of work.
* SQLite: ONE synchronous connection used inline on the event loop, one unit of work at a time.
  Measured here, a statement costs ~25 µs through the sync driver and ~250 µs through aiosqlite
  (each call hops to its thread and back), and a WAL commit with synchronous=NORMAL ~10 µs
  against ~500 µs; several pooled writers on one SQLite file also queue in SQLite's busy
  back-off (seconds at p99). One inline writer avoids both. The price: a unit of work blocks
  the loop while it runs, which for a handful of local statements is well under a millisecond.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from storage.engine import create_engine, create_sync_engine, is_sqlite
from storage.fastpath import FastExecutor, is_hot
from storage.uow import SqlUnitOfWork, attach_repositories


class Database(ABC):
    """Interface of both implementations."""

    @abstractmethod
    def uow(self) -> Any:
        """A fresh unit of work: `async with db.uow() as uow`."""

    @abstractmethod
    async def ping(self) -> None:
        """Raise if the database cannot answer."""

    @abstractmethod
    async def dispose(self) -> None:
        """Close every connection."""


def open_database(url: str) -> Database:
    return InlineSqliteDatabase(url) if is_sqlite(url) else PooledDatabase(url)


class PooledDatabase(Database):
    def __init__(self, url: str):
        self.engine = create_engine(url)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine)

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


class InlineConnection:
    """The part of AsyncConnection's interface the repositories use, over a sync connection.

    Hot statements (storage/fastpath.py) skip SQLAlchemy's per-execution machinery.
    """

    def __init__(self, conn: Connection, fast: FastExecutor):
        self._conn = conn
        self._fast = fast
        self.dialect = conn.dialect

    async def execute(self, statement, parameters=None):
        if is_hot(statement):
            return self._fast.execute(statement, parameters)
        return self._conn.execute(statement, parameters)

    async def scalar(self, statement, parameters=None):
        if is_hot(statement):
            return self._fast.execute(statement, parameters).scalar()
        return self._conn.scalar(statement, parameters)


class InlineSqliteDatabase(Database):
    def __init__(self, url: str):
        self.engine = create_sync_engine(url)
        self._conn: Connection | None = None
        self._fast: FastExecutor | None = None
        # Units of work never interleave on the one connection, even if one awaits real I/O.
        self.lock = asyncio.Lock()

    def connection(self) -> Connection:
        if self._conn is None or self._conn.closed:
            self._conn = self.engine.connect()
            self._fast = FastExecutor(self._conn)
        return self._conn

    def inline(self) -> InlineConnection:
        conn = self.connection()
        assert self._fast is not None
        return InlineConnection(conn, self._fast)

    def uow(self) -> InlineUnitOfWork:
        return InlineUnitOfWork(self)

    async def ping(self) -> None:
        async with self.lock:
            conn = self.connection()
            conn.execute(sa.text("SELECT 1"))
            conn.rollback()

    async def dispose(self) -> None:
        async with self.lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
                self._fast = None
            self.engine.dispose()


class InlineUnitOfWork:
    def __init__(self, db: InlineSqliteDatabase):
        self._db = db
        self._conn: Connection | None = None
        self.holding = False  # see SqlUnitOfWork.hold_commits

    def hold_commits(self, hold: bool) -> None:
        self.holding = hold

    async def __aenter__(self) -> InlineUnitOfWork:
        await self._db.lock.acquire()
        try:
            inline = self._db.inline()
            self._conn = self._db.connection()
        except BaseException:
            self._db.lock.release()
            raise
        attach_repositories(self, inline)
        return self

    async def __aexit__(self, *exc: object) -> None:
        try:
            if self._conn is not None and self._conn.in_transaction():
                self._conn.rollback()
        finally:
            self._conn = None
            self._db.lock.release()

    async def commit(self) -> None:
        assert self._conn is not None
        if not self.holding:
            self._conn.commit()

    async def rollback(self) -> None:
        assert self._conn is not None
        self._conn.rollback()
