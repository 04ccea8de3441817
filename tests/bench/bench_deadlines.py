"""Throughput of WorkCalendar.add_workdays.

Run: .venv/bin/python tests/bench/bench_deadlines.py [--calls N] [--target R]
Prints deadlines/s, a baseline (bare `datetime + timedelta` over the same inputs,
measured in the same run so machine speed cancels out) and their ratio. Exits 1 if
the warm rate is below the target (default 50,000/s).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a plain script

from bot.core.workdays import WorkCalendar  # noqa: E402

SH = ZoneInfo("Asia/Shanghai")


def make_inputs(count: int, seed: int = 2026) -> list[tuple[datetime, int]]:
    """Receipts spread over 2025-2026 at random minutes, n in (1, 3, 7); a mix of naive,
    Shanghai-aware and UTC-aware datetimes as callers will pass them."""
    rng = random.Random(seed)
    start = datetime(2025, 1, 1)
    span_min = 2 * 365 * 24 * 60 - 1
    out = []
    for i in range(count):
        t = start + timedelta(minutes=rng.randint(0, span_min))
        kind = i % 4
        if kind == 1:
            t = t.replace(tzinfo=SH)
        elif kind == 2:
            t = t.replace(tzinfo=SH).astimezone(timezone.utc)
        out.append((t, rng.choice((1, 3, 7))))
    return out


def rate(fn, inputs) -> float:
    t0 = time.perf_counter()
    fn(inputs)
    return len(inputs) / (time.perf_counter() - t0)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=300_000)
    ap.add_argument("--target", type=float, default=50_000.0)
    args = ap.parse_args()

    inputs = make_inputs(args.calls)

    def baseline(items):
        td = timedelta
        for t, n in items:
            t + td(days=n)

    def cold(items):
        # Fresh calendar: year tables built lazily, memo empty at start.
        cal = WorkCalendar.from_file()
        add = cal.add_workdays
        for t, n in items:
            add(t, n)

    cal = WorkCalendar.from_file()

    def warm(items):
        add = cal.add_workdays
        for t, n in items:
            add(t, n)

    def uncached(items):
        # The counting loop alone, bypassing the memo (year tables already built).
        compute = cal._compute
        loc = cal._localize
        for t, n in items:
            compute(loc(t).toordinal(), n)

    warm(inputs[:1000])  # build tables
    r_base = max(rate(baseline, inputs) for _ in range(3))
    r_cold = rate(cold, inputs[: min(len(inputs), 20_000)])
    r_uncached = max(rate(uncached, inputs) for _ in range(3))
    r_warm = max(rate(warm, inputs) for _ in range(3))

    print(f"calendar version        {cal.version}")
    print(f"calls per run           {len(inputs):,}")
    print(f"baseline date+timedelta {r_base:12,.0f} /s")
    print(f"add_workdays (cold)     {r_cold:12,.0f} /s   first 20k calls on a fresh calendar")
    print(f"add_workdays (no memo)  {r_uncached:12,.0f} /s   ratio to baseline {r_uncached / r_base:.3f}")
    print(f"add_workdays (warm)     {r_warm:12,.0f} /s   ratio to baseline {r_warm / r_base:.3f}")
    ok = r_warm >= args.target
    print(f"target                  {args.target:12,.0f} /s   {'OK' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
