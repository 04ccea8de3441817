"""Settings: environment over file over defaults, and the demo-mode decision."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.bootstrap import build_policy, calendar_warnings, read_roster
from bot.core.org import Role
from config.settings import Settings


def test_environment_overrides_file(tmp_path, monkeypatch):
    config = tmp_path / "zhengqi.toml"
    config.write_text('port = 9000\nhost = "0.0.0.0"\n', encoding="utf-8")
    monkeypatch.setenv("ZHENGQI_CONFIG_FILE", str(config))
    monkeypatch.setenv("ZHENGQI_PORT", "9100")
    s = Settings()
    assert s.port == 9100 and s.host == "0.0.0.0"


def test_unknown_config_key_is_an_error(tmp_path, monkeypatch):
    config = tmp_path / "zhengqi.toml"
    config.write_text("prot = 9000\n", encoding="utf-8")
    monkeypatch.setenv("ZHENGQI_CONFIG_FILE", str(config))
    with pytest.raises(Exception):
        Settings()


def test_plain_urls_get_async_drivers():
    assert Settings(database_url="sqlite:///x.db").database_url == "sqlite+aiosqlite:///x.db"
    assert Settings(database_url="postgresql://u@h/db").database_url == "postgresql+asyncpg://u@h/db"


@pytest.mark.parametrize(
    ("kwargs", "demo", "sim"),
    [
        ({}, True, True),
        ({"wecom_corp_id": "ww1", "wecom_secret": "s"}, False, False),
        ({"dingtalk_client_id": "d", "dingtalk_client_secret": "s"}, False, False),
        ({"wecom_corp_id": "ww1", "wecom_secret": "s", "demo": True}, True, True),
        ({"wecom_corp_id": "ww1", "wecom_secret": "s", "sim_enabled": True}, False, True),
    ],
)
def test_demo_mode_follows_credentials(monkeypatch, kwargs, demo, sim):
    for key in list(__import__("os").environ):
        if key.startswith("ZHENGQI_"):
            monkeypatch.delenv(key)
    s = Settings(**kwargs)
    assert (s.demo_mode, s.simulator_on) == (demo, sim)


def test_policy_has_four_channels_with_policy_deadlines():
    policy = build_policy(Settings())
    assert {c.value: r.answer_days for c, r in policy.rules.items()} == {
        "street": 1, "department": 3, "district": 7, "city": None,
    }


def test_startup_warns_about_unconfirmed_next_year():
    policy = build_policy(Settings())
    warnings = calendar_warnings(policy.calendar, datetime(2026, 11, 26, tzinfo=timezone.utc))
    assert len(warnings) == 1 and "2027年" in warnings[0]


def test_demo_roster_covers_every_role_and_department():
    import tomllib

    s = Settings()
    roster = read_roster(s.demo_roster_file, fictional=True)
    departments = {d["code"] for d in tomllib.loads(s.departments_file.read_text("utf-8"))["department"]}
    coordinators = {p.department_code for p in roster.people if p.role == Role.COORDINATOR}
    leaders = {p.department_code for p in roster.people if p.role == Role.LEADER}
    assert coordinators == departments and leaders == departments
    tiers = {p.tier.value for p in roster.people if p.role == Role.HELPER}
    assert tiers == {"industry", "street", "park"}
    assert any(len(b.helper_ids) == 2 and b.park_code for b in roster.businesses)  # dual helpers
    assert {b.kind.value for b in roster.businesses} == {"enterprise", "individual"}
    assert {p.hub.value for p in roster.people if p.role == Role.HUB} == {"service_office", "grid_center"}
    assert all("演示" in b.name for b in roster.businesses)
    assert all(p.fictional for p in roster.people)


def test_working_group_is_exactly_the_policy_list():
    import tomllib

    s = Settings()
    depts = tomllib.loads(s.departments_file.read_text("utf-8"))["department"]
    members = [d["name"] for d in depts if d["working_group"]]
    assert members == [
        "区委网信办", "区网格中心", "区发改委", "区教育局", "区科技局", "区民政局", "区财政局", "区人社局",
        "区住建委", "区城管委", "区商务局", "区市场监管局", "区统计局", "区数据局", "区政务服务办", "区税务局",
        "区工商联",
    ]
    streets = tomllib.loads(s.streets_file.read_text("utf-8"))["street"]
    assert len(streets) == 12
