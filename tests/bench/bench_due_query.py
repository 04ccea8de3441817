"""Due-ticket query on SQLite with 10^4 and 10^6 tickets, in one run.

Run: .venv/bin/python tests/bench/bench_due_query.py
The query is the one the service runs (storage.repositories.due_query) through the async
engine; the 10^6 case must cost at most 3x the 10^4 case (an index, not a scan). The same
query through plain sqlite3 is printed too, where the driver's fixed cost does not hide
the index. Exits 1 if the ratio is over 3.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a plain script

from storage.database import open_database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.repositories import due_query  # noqa: E402

NOW = datetime(2026, 10, 8, 9, 30, tzinfo=timezone.utc)
DUE = 100  # tickets past their deadline at NOW, whatever the table size


def populate(path: Path, total: int) -> None:
    """Realistic spread: most tickets finished (no deadline), the live ones due in the future."""
    rng = random.Random(total)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(
        "INSERT INTO businesses (id, name, kind, credit_code, address, fictional) "
        "VALUES ('b', 'bench', 'enterprise', '', '', 1)"
    )
    fmt = "%Y-%m-%d %H:%M:%S.%f"

    def rows():
        for i in range(total):
            if i < DUE:
                due = (NOW - timedelta(minutes=rng.randint(1, 5000))).replace(tzinfo=None).strftime(fmt)
                status = "forwarded"
            elif rng.random() < 0.7:
                due, status = None, "closed"
            else:
                due = (NOW + timedelta(minutes=rng.randint(1, 60 * 24 * 30))).replace(tzinfo=None).strftime(fmt)
                status = "handling"
            yield (
                "b", "o", "h", "诉求", status, "street", "[]", "[]", "", "", "", "", "", 0, 0, "",
                "2026-09-30 02:00:00.000000", due, "2026.1", 0, "[]", "[]", 1,
            )

    conn.executemany(
        "INSERT INTO tickets (business_id, requester_id, helper_id, text, status, channel, accepted_by, "
        "checked_in, solution, result, rating_comment, external_ref, reject_reason, return_count, "
        "reopen_count, extension_reason, received_at, next_due_at, calendar_version, "
        "calendar_unconfirmed, segments, notes, version) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows(),
    )
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


def time_raw(path: Path, rounds: int = 200) -> float:
    conn = sqlite3.connect(path)
    sql = (
        "SELECT id, status, next_due_at, helper_id FROM tickets WHERE next_due_at <= ? "
        "ORDER BY next_due_at LIMIT 1000"
    )
    arg = NOW.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        found = conn.execute(sql, (arg,)).fetchall()
        samples.append(time.perf_counter() - start)
    assert len(found) == DUE, len(found)
    conn.close()
    return statistics.median(samples)


async def time_service(path: Path, rounds: int = 200) -> float:
    db = open_database(f"sqlite:///{path}")
    samples = []
    try:
        for _ in range(rounds):
            async with db.uow() as uow:
                start = time.perf_counter()
                found = await uow.tickets.due_before(NOW)
                samples.append(time.perf_counter() - start)
        assert len(found) == DUE, len(found)
        conn = db.connection()
        plan = conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN "
            + str(due_query(NOW).compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        )
        detail = " | ".join(str(r[-1]) for r in plan)
        conn.rollback()
    finally:
        await db.dispose()
    print(f"    plan: {detail}")
    return statistics.median(samples)


def main() -> int:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for total in (10**4, 10**6):
            path = Path(tmp) / f"bench_{total}.db"
            upgrade(f"sqlite:///{path}")
            start = time.perf_counter()
            populate(path, total)
            print(f"{total:>9,} tickets ({DUE} due) populated in {time.perf_counter() - start:.1f} s")
            service = asyncio.run(time_service(path))
            raw = time_raw(path)
            results[total] = (service, raw)
            print(f"    due query via service: {service * 1e3:.3f} ms   via raw sqlite3: {raw * 1e3:.3f} ms")
    ratio = results[10**6][0] / results[10**4][0]
    raw_ratio = results[10**6][1] / results[10**4][1]
    print(f"due query 10^6 / 10^4: {ratio:.2f}x via service, {raw_ratio:.2f}x raw (target <= 3x)")
    ok = ratio <= 3 and raw_ratio <= 3
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
