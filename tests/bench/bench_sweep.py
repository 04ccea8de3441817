"""Deadline sweep on SQLite: cost with 10^4 and 10^6 open tickets, and throughput when 10^4
reminders fall due at once.

Run: .venv/bin/python tests/bench/bench_sweep.py
Targets: the sweep over 10^6 open tickets costs at most 3x the one over 10^4 (the same 100
tickets are due in both; an index finds them), and at least 1,000 reminders/s are claimed and
handed to the outbox when 10^4 tickets are overdue together.
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

from bot.bootstrap import build_ladder, build_policy, seed  # noqa: E402
from bot.core.services import ServiceContext  # noqa: E402
from config.settings import Settings  # noqa: E402
from handlers.context import ChatContext, DepartmentDirectory  # noqa: E402
from handlers.reminders import sweep  # noqa: E402
from storage.database import open_database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

NOW = datetime(2026, 10, 12, 1, 0, tzinfo=timezone.utc)  # Monday 09:00 in Beijing
FMT = "%Y-%m-%d %H:%M:%S.%f"


def populate(path: Path, total: int, due: int) -> None:
    """`due` tickets past their deadline at NOW; the rest open with deadlines weeks ahead."""
    rng = random.Random(total)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")

    def rows():
        for i in range(total):
            if i < due:
                at = NOW - timedelta(hours=rng.randint(16, 40))
            else:
                at = NOW + timedelta(days=rng.randint(3, 60), minutes=rng.randint(0, 600))
            yield (
                "biz-01", "owner-01", "helper-changhong-1", f"诉求{i}", "new", "street", "[]", "[]", "", "", "", "",
                "", 0, 0, "", (NOW - timedelta(days=3)).replace(tzinfo=None).strftime(FMT),
                at.astimezone(timezone.utc).replace(tzinfo=None).strftime(FMT), "2026.1", 0, "[]", "[]", 1,
            )

    conn.executemany(
        "INSERT INTO tickets (business_id, requester_id, helper_id, text, status, channel, accepted_by, "
        "checked_in, solution, result, rating_comment, external_ref, reject_reason, return_count, "
        "reopen_count, extension_reason, received_at, next_due_at, calendar_version, "
        "calendar_unconfirmed, segments, notes, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?, ?, ?, ?, ?, ?)",
        rows(),
    )
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


async def setup(path: Path):
    settings = Settings(database_url=f"sqlite:///{path}", demo=True)
    db = open_database(settings.database_url)
    async with db.uow() as uow:
        await seed(uow, settings)
        departments = {d.code: d for d in await uow.roster.departments()}
    chat = ChatContext(
        services=ServiceContext(policy=build_policy(settings), clock=lambda: NOW),
        directory=DepartmentDirectory(departments),
    )
    return db, chat, build_ladder(settings)


async def seed_only(path: Path) -> None:
    db, _, _ = await setup(path)
    await db.dispose()


async def timed_sweeps(path: Path, rounds: int) -> tuple[float, int]:
    """Median time of a sweep that finds nothing new (claims done), and what the first one sent."""
    db, chat, ladder = await setup(path)
    try:
        first = await sweep(db.uow, chat, ladder, NOW)
        samples = []
        for _ in range(rounds):
            start = time.perf_counter()
            await sweep(db.uow, chat, ladder, NOW)
            samples.append(time.perf_counter() - start)
    finally:
        await db.dispose()
    return statistics.median(samples), len(first.sent)


async def burst(path: Path) -> tuple[int, float]:
    db, chat, ladder = await setup(path)
    try:
        start = time.perf_counter()
        report = await sweep(db.uow, chat, ladder, NOW)
        elapsed = time.perf_counter() - start
    finally:
        await db.dispose()
    return len(report.sent), elapsed


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        costs = {}
        for total in (10**4, 10**6):
            path = Path(tmp) / f"sweep_{total}.db"
            upgrade(f"sqlite:///{path}")
            asyncio.run(seed_only(path))
            start = time.perf_counter()
            populate(path, total, due=100)
            print(f"{total:>9,} open tickets (100 overdue) populated in {time.perf_counter() - start:.1f} s")
            cost, sent = asyncio.run(timed_sweeps(path, rounds=20))
            costs[total] = cost
            print(f"    sweep: {cost * 1e3:.2f} ms (first sweep sent {sent} reminders)")
        ratio = costs[10**6] / costs[10**4]
        print(f"sweep 10^6 / 10^4: {ratio:.2f}x (target <= 3x)")

        path = Path(tmp) / "burst.db"
        upgrade(f"sqlite:///{path}")
        asyncio.run(seed_only(path))
        populate(path, 10**4, due=10**4)
        sent, elapsed = asyncio.run(burst(path))
        rate = sent / elapsed
        print(f"10^4 overdue at once: {sent} reminders claimed and queued in {elapsed:.2f} s = {rate:,.0f}/s "
              f"(target >= 1,000/s)")
    ok = ratio <= 3 and rate >= 1000
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
