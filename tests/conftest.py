"""Shared fixtures: every storage test runs on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import AsyncIterator, Iterator

import pytest

from bot.bootstrap import build_policy, seed
from bot.core.services import ServiceContext
from config.settings import Settings
from storage.database import open_database
from storage.migrate import upgrade
from tests.support.postgres import PostgresServer, find_bin_dir

IN_CI = os.environ.get("CI") == "true"
_counter = itertools.count()


@pytest.fixture(scope="session")
def postgres_root_url() -> Iterator[str | None]:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        if IN_CI:
            pytest.fail("PostgreSQL server binaries are missing in CI: .ci/run must install them")
        yield None
        return
    server = PostgresServer(bin_dir)
    url = server.start()
    try:
        yield url
    finally:
        server.stop()


async def _pg_exec(root_url: str, sql: str) -> None:
    import asyncpg

    dsn = root_url.replace("postgresql+asyncpg://", "postgresql://") + "/postgres"
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def migrated_templates(postgres_root_url, tmp_path_factory) -> dict[str, str]:
    """Migrate once per backend; each test then starts from a copy of that database."""
    templates: dict[str, str] = {}
    sqlite_file = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{sqlite_file}")
    templates["sqlite"] = str(sqlite_file)
    if postgres_root_url:
        asyncio.run(_pg_exec(postgres_root_url, "CREATE DATABASE zhengqi_template"))
        upgrade(f"{postgres_root_url}/zhengqi_template")
        templates["postgresql"] = "zhengqi_template"
    return templates


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, migrated_templates, postgres_root_url, tmp_path) -> str:
    """A fresh, migrated database on each backend."""
    if request.param == "sqlite":
        target = tmp_path / "test.db"
        shutil.copyfile(migrated_templates["sqlite"], target)
        return f"sqlite+aiosqlite:///{target}"
    if not postgres_root_url:
        pytest.skip("PostgreSQL server binaries not installed on this machine (CI installs them)")
    name = f"zhengqi_t{os.getpid()}_{next(_counter)}"
    asyncio.run(_pg_exec(postgres_root_url, f"CREATE DATABASE {name} TEMPLATE zhengqi_template"))
    return f"{postgres_root_url}/{name}"


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    # The scheduler runs on real time; tests that need it drive sweeps with the fake clock.
    return Settings(
        database_url=database_url, demo=True, scheduler_enabled=False, nlp_model_file=tmp_path / "nlp_model.json"
    )


class FakeClock:
    """A controllable clock (aware UTC)."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, value: datetime) -> None:
        self.now = value


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 9, 30, 2, 0, tzinfo=timezone.utc))  # 10:00 in Beijing


@pytest.fixture
def policy(settings):
    return build_policy(settings)


@pytest.fixture
def ctx(policy, clock) -> ServiceContext:
    return ServiceContext(policy=policy, clock=clock)


@pytest.fixture
async def uow_factory(settings) -> AsyncIterator:
    db = open_database(settings.database_url)
    async with db.uow() as uow:
        await seed(uow, settings)
    try:
        yield db.uow
    finally:
        await db.dispose()
