"""Migrations: upgrade from empty, match the table definitions, downgrade to nothing."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from storage.engine import create_engine
from storage.migrate import downgrade, upgrade
from storage.tables import metadata


async def _inspect(url: str, fn):
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(fn)
    finally:
        await engine.dispose()


def _tables(conn) -> set[str]:
    return set(sa.inspect(conn).get_table_names())


def _diff(conn):
    return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)


def test_upgrade_matches_tables_and_downgrade_empties(database_url):
    # The fixture's database is already at head: migrations produced exactly tables.py.
    assert asyncio.run(_inspect(database_url, _diff)) == []
    expected = set(metadata.tables) | {"alembic_version"}
    assert asyncio.run(_inspect(database_url, _tables)) == expected
    downgrade(database_url, "base")
    assert asyncio.run(_inspect(database_url, _tables)) == {"alembic_version"}
    upgrade(database_url)
    assert asyncio.run(_inspect(database_url, _tables)) == expected
    upgrade(database_url)  # idempotent at head
