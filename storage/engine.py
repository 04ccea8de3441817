"""Engine creation: one place that knows SQLite's and PostgreSQL's connection quirks."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def is_sqlite(url: str | sa.URL) -> bool:
    return sa.make_url(url).get_backend_name() == "sqlite"


def ensure_sqlite_dir(url: str | sa.URL) -> None:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _sqlite_setup(sync_engine: sa.Engine) -> None:
    @event.listens_for(sync_engine, "connect")
    def on_connect(dbapi_conn, _record):
        # Take over transaction control from the driver so that BEGIN IMMEDIATE below is
        # the only BEGIN (the SQLAlchemy-documented recipe for pysqlite).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def on_begin(conn):
        # Writers queue at BEGIN instead of failing with "database is locked" when a read
        # transaction tries to upgrade to a write lock held by another connection. Sent on the
        # driver connection: it runs once per unit of work, on every message's path.
        conn.connection.dbapi_connection.execute("BEGIN IMMEDIATE")


def create_sync_engine(url: str) -> sa.Engine:
    """SQLite through the standard library driver (see storage/database.py for why)."""
    parsed = sa.make_url(url).set(drivername="sqlite")
    ensure_sqlite_dir(parsed)
    engine = sa.create_engine(parsed, connect_args={"timeout": 10, "check_same_thread": False})
    _sqlite_setup(engine)
    return engine


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """Async engine for server databases (PostgreSQL); SQLite uses create_sync_engine."""
    if is_sqlite(url):
        raise ValueError("SQLite runs on the sync driver: use create_sync_engine")
    return create_async_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10)
