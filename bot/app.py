"""aiohttp application factory: owns every async resource through cleanup contexts."""

from __future__ import annotations

import logging
from typing import AsyncIterator

import sqlalchemy as sa
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.bootstrap import build_policy, calendar_warnings, seed
from bot.core.services import ServiceContext, utc_now
from config.settings import Settings
from storage.engine import create_engine
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

SETTINGS = web.AppKey("settings", Settings)
ENGINE = web.AppKey("engine", AsyncEngine)
UOW = web.AppKey("uow", UnitOfWorkFactory)
CONTEXT = web.AppKey("context", ServiceContext)


async def _database(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    engine = create_engine(settings.database_url)
    app[ENGINE] = engine
    app[UOW] = UnitOfWorkFactory(engine)
    async with app[UOW]() as uow:
        log.info("%s", await seed(uow, settings))
    yield
    await engine.dispose()


async def healthz(request: web.Request) -> web.Response:
    try:
        async with request.app[ENGINE].connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
    except Exception as exc:  # any failure means "not healthy"; the reason goes to the log
        log.warning("health check failed: %s", exc)
        return web.json_response({"status": "error", "database": "unavailable"}, status=503)
    return web.json_response({"status": "ok", "database": "ok", "demo": request.app[SETTINGS].demo_mode})


def create_app(settings: Settings, *, context: ServiceContext | None = None) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024)
    app[SETTINGS] = settings
    policy = build_policy(settings)
    app[CONTEXT] = context or ServiceContext(policy=policy, clock=utc_now)
    for warning in calendar_warnings(policy.calendar, utc_now()):
        log.warning("%s", warning)
    app.cleanup_ctx.append(_database)
    app.router.add_get("/healthz", healthz)
    return app
