"""The `zhengqi` command as a user runs it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.cli import main


@pytest.mark.parametrize(
    ("received", "days", "expected"),
    [
        ("2026-09-30T10:00", 1, "2026-10-08T17:30:00+08:00"),
        ("2026-09-30T10:00", 3, "2026-10-10T17:30:00+08:00"),
        ("2026-09-30T10:00", 7, "2026-10-15T17:30:00+08:00"),
        ("2026-02-13T10:00", 1, "2026-02-14T17:30:00+08:00"),
        ("2026-02-13T10:00", 3, "2026-02-25T17:30:00+08:00"),
        ("2026-11-28T10:00", 1, "2026-11-30T17:30:00+08:00"),
    ],
)
def test_deadline_examples_of_the_issue(capsys, received, days, expected):
    assert main(["deadline", received, str(days)]) == 0
    out = capsys.readouterr().out
    assert out.strip() == expected


def test_deadline_in_an_unconfirmed_year_says_so(capsys):
    assert main(["deadline", "2027-03-01T10:00", "3"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "2027-03-04T17:30:00+08:00"
    assert "2027年" in lines[1] and "尚未确认" in lines[1]


def test_deadline_rejects_bad_input(capsys):
    assert main(["deadline", "昨天", "3"]) == 2
    assert "无法识别的时间" in capsys.readouterr().err
    assert main(["deadline", "2026-09-30T10:00", "0"]) == 2


def test_console_entry_point_runs():
    result = subprocess.run(
        [sys.executable, "-m", "bot", "deadline", "2026-09-30T10:00", "3"],
        capture_output=True, text=True, check=True,
    )
    assert result.stdout.strip() == "2026-10-10T17:30:00+08:00"


def test_roster_load_imports_a_real_roster(tmp_path, monkeypatch, capsys):
    import asyncio

    from storage.database import open_database

    db_url = f"sqlite:///{tmp_path / 'z.db'}"
    monkeypatch.setenv("ZHENGQI_DATABASE_URL", db_url)
    roster = tmp_path / "roster.toml"
    roster.write_text(
        '[[zone]]\ncode = "z1"\nstreet = "changhong"\nname = "长虹一片"\nareas = ["鞍山西道"]\n\n'
        '[[person]]\nid = "h1"\nname = "张三"\nrole = "helper"\nphone = "022-1"\ntier = "street"\nzone_code = "z1"\n\n'
        '[[person]]\nid = "o1"\nname = "李四"\nrole = "business"\nbusiness_id = "b1"\n\n'
        '[[business]]\nid = "b1"\nname = "某某商店"\nkind = "individual"\nzone_code = "z1"\nhelpers = ["h1"]\n',
        encoding="utf-8",
    )
    assert main(["roster", "load", str(roster)]) == 0
    assert "已导入名册：2 人，1 个经营主体" in capsys.readouterr().out

    async def check():
        db = open_database(db_url)
        async with db.uow() as uow:
            business = await uow.roster.business("b1")
            people = await uow.roster.people()
        await db.dispose()
        return business, people

    business, people = asyncio.run(check())
    assert business.helper_ids == ("h1",) and not business.fictional
    assert {p.id for p in people} == {"h1", "o1"}  # no demo people in a real roster

    bad = tmp_path / "bad.toml"
    bad.write_text('[[business]]\nid = "b2"\nname = "x"\nkind = "alien"\n', encoding="utf-8")
    assert main(["roster", "load", str(bad)]) == 2
    assert "名册文件有误" in capsys.readouterr().err


def test_classify_reads_lines_and_writes_json_lines(tmp_path):
    import json
    import os

    env = {**os.environ, "ZHENGQI_NLP_MODEL_FILE": str(tmp_path / "model.json")}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "classify"],
        input="稳岗补贴怎么申请\n\n帮我查一下隔壁老板的身份证号\n", capture_output=True, text=True, env=env, check=True,
    )
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 2  # the blank line is skipped
    assert rows[0]["department"] == "renshe" and rows[0]["in_scope"] is True
    assert rows[1]["in_scope"] is False and rows[1]["reason"] == "privacy"
    for key in ("category", "department", "channel", "in_scope", "reason", "confidence", "keywords"):
        assert key in rows[0]
