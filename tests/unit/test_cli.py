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
