"""The service skeleton: health check, demo/real roster decision, start-up from an empty database."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlalchemy import event

from bot.app import create_app
from config.settings import Settings


async def test_healthz_checks_the_database(aiohttp_client, settings):
    client = await aiohttp_client(create_app(settings))
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok", "database": "ok", "demo": True}


async def test_the_root_address_opens_the_simulator_in_demo_mode(aiohttp_client, settings):
    client = await aiohttp_client(create_app(settings))
    response = await client.get("/", allow_redirects=False)
    assert response.status == 302 and response.headers["Location"] == "/sim"


async def test_the_root_address_says_what_the_service_is_without_the_simulator(aiohttp_client, settings):
    client = await aiohttp_client(create_app(settings.model_copy(update={"sim_enabled": False})))
    response = await client.get("/")
    assert response.status == 200
    assert "企业微信或钉钉" in await response.text()
    assert (await client.get("/sim")).status == 404


async def test_healthz_reports_a_dead_database(aiohttp_client, settings):
    app = create_app(settings)
    client = await aiohttp_client(app)
    from bot.app import DB

    # The database goes away: open connections close, and new ones are refused.
    db = app[DB]
    await db.dispose()
    event.listen(getattr(db.engine, "sync_engine", db.engine), "do_connect", _refuse)
    response = await client.get("/healthz")
    assert response.status == 503
    assert (await response.json())["database"] == "unavailable"


def _refuse(*_a, **_k):
    raise OSError("database is gone")


async def test_demo_mode_loads_fictional_roster_once(aiohttp_client, settings):
    from bot.app import UOW

    app = create_app(settings)
    await aiohttp_client(app)
    async with app[UOW]() as uow:
        people = await uow.roster.people()
        departments = await uow.roster.departments()
    assert len(people) == 94 and all(p.fictional for p in people)
    assert len(departments) == 25


async def test_credentials_mean_no_fictional_people(aiohttp_client, database_url, tmp_path):
    from bot.app import UOW

    real = Settings(database_url=database_url, wecom_corp_id="ww123", wecom_secret="s3cret",
                    nlp_model_file=tmp_path / "nlp_model.json")
    assert real.demo_mode is False and real.simulator_on is False
    app = create_app(real)
    await aiohttp_client(app)
    async with app[UOW]() as uow:
        assert await uow.roster.people() == []
        assert len(await uow.roster.departments()) == 25  # real org data is always there


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_migrates_an_empty_database_answers_and_shuts_down(tmp_path: Path):
    port = _free_port()
    db = tmp_path / "fresh" / "zhengqi.db"
    env = {**os.environ, "ZHENGQI_DATABASE_URL": f"sqlite:///{db}", "ZHENGQI_NLP_MODEL_FILE": str(tmp_path / "m.json")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        body = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = json.loads(r.read())
            except OSError:
                time.sleep(0.2)
        assert body == {"status": "ok", "database": "ok", "demo": True}
        assert db.exists()
    finally:
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, output
    assert f"http://127.0.0.1:{port}" in output
    assert "演示模式" in output
