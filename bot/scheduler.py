"""APScheduler wiring: the deadline sweep and the daily digest, owned by the app lifecycle."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import AsyncIterator, Callable

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.core.reminders import Ladder
from handlers.context import ChatContext
from handlers.reminders import send_digests, sweep

log = logging.getLogger(__name__)

SWEEP_JOB = "deadline-sweep"
DIGEST_JOB = "overdue-digest"


class DeadlineJobs:
    """The two named jobs. A lock keeps one run at a time in this process (claims keep it once
    across processes) and lets shutdown wait for a run in progress."""

    def __init__(self, uow_factory: Callable, chat: Callable[[], ChatContext], ladder: Ladder):
        self.uow_factory = uow_factory
        self.chat = chat
        self.ladder = ladder
        self.lock = asyncio.Lock()
        self.scheduler: AsyncIOScheduler | None = None

    def now(self) -> datetime:
        return self.chat().services.clock()

    async def run_sweep(self) -> None:
        async with self.lock:
            try:
                report = await sweep(self.uow_factory, self.chat(), self.ladder, self.now())
            except Exception:  # a failed sweep is retried by the next one; never kill the job
                log.exception("deadline sweep failed")
                return
        if report.sent or report.closed:
            log.info("deadline sweep: %d reminders, %d closed", len(report.sent), len(report.closed))

    async def run_digest(self) -> None:
        async with self.lock:
            try:
                await send_digests(self.uow_factory, self.chat(), self.ladder, self.now())
            except Exception:
                log.exception("overdue digest failed")


def scheduler_context(jobs_key: web.AppKey, make_jobs: Callable[[web.Application], DeadlineJobs]):
    async def context(app: web.Application) -> AsyncIterator[None]:
        jobs = make_jobs(app)
        app[jobs_key] = jobs
        tz = jobs.chat().tz
        scheduler = AsyncIOScheduler(timezone=tz)
        scheduler.add_job(
            jobs.run_sweep, IntervalTrigger(seconds=jobs.ladder.sweep_seconds, timezone=tz),
            id=SWEEP_JOB, name="到期提醒与超期督办", max_instances=1, coalesce=True,
            next_run_time=datetime.now(tz),  # catch up at once after a restart
        )
        scheduler.add_job(
            jobs.run_digest,
            CronTrigger(hour=jobs.ladder.digest_time.hour, minute=jobs.ladder.digest_time.minute, timezone=tz),
            id=DIGEST_JOB, name="每日超期汇总", max_instances=1, coalesce=True, misfire_grace_time=3600,
        )
        scheduler.start()
        jobs.scheduler = scheduler
        try:
            yield
        finally:
            scheduler.shutdown(wait=False)  # AsyncIOScheduler runs this on the loop's next turn
            await asyncio.sleep(0)
            async with jobs.lock:  # a run in progress finishes before the database closes
                pass

    return context
