"""The due-ticket query is answered from the partial index, never by a scan (PERFORMANCE.md)."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from storage.repositories import due_query
from tests.support.db import on_connection


def _plan(conn) -> str:
    compiled = due_query(datetime(2026, 10, 8, tzinfo=timezone.utc)).compile(
        dialect=conn.dialect, compile_kwargs={"literal_binds": True}
    )
    if conn.dialect.name == "sqlite":
        conn.execute(sa.text("ANALYZE"))
        rows = conn.execute(sa.text("EXPLAIN QUERY PLAN " + str(compiled)))
        return "\n".join(str(r[-1]) for r in rows)
    # PostgreSQL picks a scan on an empty table; forbid it to prove the index can answer.
    conn.execute(sa.text("SET enable_seqscan = off"))
    return "\n".join(r[0] for r in conn.execute(sa.text("EXPLAIN " + str(compiled))))


def test_due_query_uses_the_next_due_index(database_url):
    plan = on_connection(database_url, _plan)
    assert "ix_tickets_next_due_at" in plan, plan
    assert "SCAN tickets\n" not in plan + "\n" and not plan.startswith("SCAN tickets"), plan
