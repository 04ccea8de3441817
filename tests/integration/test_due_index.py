"""The due-ticket query is answered from the partial index, never by a scan (PERFORMANCE.md)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import sqlalchemy as sa

from storage.repositories import due_query
from storage.engine import create_engine


async def _plan(url: str) -> str:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.execute(sa.text("ANALYZE"))
            compiled = due_query(datetime(2026, 10, 8, tzinfo=timezone.utc)).compile(
                dialect=conn.dialect, compile_kwargs={"literal_binds": True}
            )
            prefix = "EXPLAIN QUERY PLAN " if conn.dialect.name == "sqlite" else "EXPLAIN "
            rows = await conn.execute(sa.text(prefix + str(compiled)))
            return "\n".join(" ".join(str(x) for x in row) for row in rows)
    finally:
        await engine.dispose()


def test_due_query_uses_the_next_due_index(database_url):
    plan = asyncio.run(_plan(database_url))
    if database_url.startswith("sqlite"):
        assert "USING INDEX ix_tickets_next_due_at" in plan, plan
        assert "SCAN tickets" not in plan.replace("SCAN tickets USING INDEX", ""), plan
    else:
        # PostgreSQL picks a scan on an empty table; forbid it to prove the index can answer.
        assert "ix_tickets_next_due_at" in _pg_plan_without_seqscan(database_url)


def _pg_plan_without_seqscan(url: str) -> str:
    async def run() -> str:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                await conn.execute(sa.text("SET enable_seqscan = off"))
                compiled = due_query(datetime(2026, 10, 8, tzinfo=timezone.utc)).compile(
                    dialect=conn.dialect, compile_kwargs={"literal_binds": True}
                )
                rows = await conn.execute(sa.text("EXPLAIN " + str(compiled)))
                return "\n".join(r[0] for r in rows)
        finally:
            await engine.dispose()

    return asyncio.run(run())
