"""Migrations: upgrade from empty, match the table definitions, downgrade to nothing."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from storage.migrate import downgrade, upgrade
from storage.tables import metadata
from tests.support.db import on_connection


def _tables(conn) -> set[str]:
    return set(sa.inspect(conn).get_table_names())


def _diff(conn):
    return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)


def test_upgrade_matches_tables_and_downgrade_empties(database_url):
    # The fixture's database is already at head: migrations produced exactly tables.py.
    assert on_connection(database_url, _diff) == []
    expected = set(metadata.tables) | {"alembic_version"}
    assert on_connection(database_url, _tables) == expected
    downgrade(database_url, "base")
    assert on_connection(database_url, _tables) == {"alembic_version"}
    upgrade(database_url)
    assert on_connection(database_url, _tables) == expected
    upgrade(database_url)  # idempotent at head
