"""Working-day calendar and 次日起算 deadlines (DESIGN.md §5)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from bot.core.workdays import (
    DEFAULT_HOLIDAYS_PATH,
    Deadline,
    WorkCalendar,
    format_deadline_cli,
    unconfirmed_warning_zh,
)

SH = ZoneInfo("Asia/Shanghai")


def d(s: str) -> date:
    return date.fromisoformat(s)


def dt(s: str) -> datetime:
    """Naive local datetime, e.g. '2026-09-30 10:00'."""
    return datetime.fromisoformat(s)


def at(s: str, hh: int = 17, mm: int = 30) -> datetime:
    return datetime.combine(d(s), time(hh, mm), tzinfo=SH)


def span(a: str, b: str) -> list[date]:
    a_, b_ = d(a), d(b)
    return [a_ + timedelta(days=i) for i in range((b_ - a_).days + 1)]


# The 2026 schedule as published (国务院办公厅关于2026年部分节假日安排的通知),
# typed here independently of config/holidays.toml so a typo in either shows up.
HOLIDAY_BLOCKS_2026 = {
    "元旦": ("2026-01-01", "2026-01-03"),
    "春节": ("2026-02-15", "2026-02-23"),
    "清明": ("2026-04-04", "2026-04-06"),
    "劳动节": ("2026-05-01", "2026-05-05"),
    "端午": ("2026-06-19", "2026-06-21"),
    "中秋": ("2026-09-25", "2026-09-27"),
    "国庆": ("2026-10-01", "2026-10-07"),
}
HOLIDAYS_2026 = {x for a, b in HOLIDAY_BLOCKS_2026.values() for x in span(a, b)}
MAKEUP_2026 = {d(s) for s in ("2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10")}


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar.from_file()


@pytest.fixture(scope="module")
def libcal() -> WorkCalendar:
    return WorkCalendar()


def due(cal: WorkCalendar, received: str, n: int) -> datetime:
    return cal.add_workdays(dt(received), n).at


# ---- the shipped override file -----------------------------------------------------


def test_shipped_file_has_version_and_complete_2026(cal):
    assert DEFAULT_HOLIDAYS_PATH.name == "holidays.toml"
    assert cal.version == "2026.1"
    entry = cal._overrides[2026]
    assert entry.complete
    assert entry.holidays == HOLIDAYS_2026
    assert entry.workdays == MAKEUP_2026


def test_shipped_file_agrees_with_library_for_2026(cal):
    # The file restates 2026; any disagreement with the library means a typo somewhere.
    assert cal.library_differences() == []


def test_library_2026_matches_published_schedule():
    day = d("2026-01-01")
    while day.year == 2026:
        expected = day in MAKEUP_2026 or (day.weekday() < 5 and day not in HOLIDAYS_2026)
        assert chinese_calendar.is_workday(day) == expected, day
        day += timedelta(days=1)


def test_2026_has_248_workdays(cal, libcal):
    # 261 weekdays - 19 holidays on weekdays + 6 makeup days.
    assert cal.workdays_between(d("2025-12-31"), d("2026-12-31")) == 248
    assert libcal.workdays_between(d("2025-12-31"), d("2026-12-31")) == 248


# ---- coverage / confirmation -------------------------------------------------------


def test_library_coverage_is_2004_to_2026(libcal):
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(d("2027-01-04"))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(d("2003-12-31"))
    assert all(libcal.is_confirmed(y) for y in range(2004, 2027))
    assert not libcal.is_confirmed(2003)
    assert not libcal.is_confirmed(2027)


def test_unconfirmed_years(cal):
    assert cal.unconfirmed_years([2028, 2025, 2026, 2027, 2027]) == [2027, 2028]
    assert cal.unconfirmed_years(range(2025, 2027)) == []


def test_library_only_calendar_version_names_the_library(libcal):
    assert libcal.version.startswith("chinesecalendar-")
    assert libcal.add_workdays(dt("2026-03-02 10:00"), 1).calendar_version == libcal.version


# ---- the brief's examples ----------------------------------------------------------


@pytest.mark.parametrize(
    "received,n,expected",
    [
        ("2026-09-30 10:00", 1, "2026-10-08"),
        ("2026-09-30 10:00", 3, "2026-10-10"),  # makeup Saturday
        ("2026-09-30 10:00", 7, "2026-10-15"),
        ("2026-02-13 10:00", 1, "2026-02-14"),  # makeup Saturday
        ("2026-02-13 10:00", 3, "2026-02-25"),  # 2/14 W, 2/15-2/23 off, 2/24 W, 2/25 W
        ("2026-11-28 10:00", 1, "2026-11-30"),  # Saturday -> Monday
        ("2026-11-27 10:00", 1, "2026-11-30"),  # Friday -> Monday
        ("2026-11-23 10:00", 1, "2026-11-24"),  # Monday -> Tuesday
    ],
)
def test_brief_examples(cal, libcal, received, n, expected):
    for c in (cal, libcal):
        dl = c.add_workdays(dt(received), n)
        assert dl.at == at(expected)
        assert dl.at.utcoffset() == timedelta(hours=8)
        assert dl.calendar_version == c.version
        assert dl.unconfirmed is False
        assert dl.unconfirmed_years == ()


def test_deadline_is_frozen(cal):
    dl = cal.add_workdays(dt("2026-03-02 10:00"), 1)
    assert isinstance(dl, Deadline)
    with pytest.raises(AttributeError):
        dl.at = at("2026-03-04")  # type: ignore[misc]


# ---- 2026 holiday blocks and makeup days -------------------------------------------


@pytest.mark.parametrize("name", list(HOLIDAY_BLOCKS_2026))
def test_every_day_of_each_2026_block_is_off(cal, name):
    a, b = HOLIDAY_BLOCKS_2026[name]
    assert not any(cal.is_workday(x) for x in span(a, b))


@pytest.mark.parametrize("day", sorted(MAKEUP_2026))
def test_makeup_days_are_workdays(cal, day):
    assert day.weekday() >= 5  # all fall on a weekend
    assert cal.is_workday(day)
    # Received the evening before -> due that very weekend day.
    assert cal.add_workdays(datetime.combine(day - timedelta(days=1), time(20, 0)), 1).at == at(day.isoformat())


@pytest.mark.parametrize(
    "received,n,expected",
    [
        # 元旦 1/1-1/3, 1/4 Sun workday
        ("2025-12-31 16:00", 1, "2026-01-04"),  # year boundary, lands on makeup Sunday
        ("2025-12-31 16:00", 2, "2026-01-05"),
        ("2025-12-30 16:00", 1, "2025-12-31"),
        ("2026-01-01 10:00", 1, "2026-01-04"),
        ("2026-01-03 10:00", 1, "2026-01-04"),
        ("2026-01-04 10:00", 1, "2026-01-05"),
        # 春节 2/15-2/23, 2/14 Sat and 2/28 Sat workdays
        ("2026-02-12 10:00", 1, "2026-02-13"),
        ("2026-02-13 10:00", 2, "2026-02-24"),
        ("2026-02-14 10:00", 1, "2026-02-24"),
        ("2026-02-15 10:00", 1, "2026-02-24"),
        ("2026-02-23 10:00", 1, "2026-02-24"),
        ("2026-02-27 10:00", 1, "2026-02-28"),
        ("2026-02-27 10:00", 2, "2026-03-02"),
        ("2026-02-28 10:00", 1, "2026-03-02"),
        # 清明 4/4-4/6
        ("2026-04-03 10:00", 1, "2026-04-07"),
        ("2026-04-06 10:00", 1, "2026-04-07"),
        # 劳动节 5/1-5/5, 5/9 Sat workday
        ("2026-04-30 10:00", 1, "2026-05-06"),
        ("2026-05-03 10:00", 1, "2026-05-06"),
        ("2026-05-08 10:00", 1, "2026-05-09"),
        ("2026-05-08 10:00", 2, "2026-05-11"),
        # 端午 6/19-6/21
        ("2026-06-18 10:00", 1, "2026-06-22"),
        ("2026-06-20 10:00", 1, "2026-06-22"),
        # 中秋 9/25-9/27, 9/20 Sun workday (for 国庆)
        ("2026-09-18 10:00", 1, "2026-09-20"),
        ("2026-09-18 10:00", 2, "2026-09-21"),
        ("2026-09-19 10:00", 1, "2026-09-20"),
        ("2026-09-24 10:00", 1, "2026-09-28"),
        ("2026-09-26 10:00", 1, "2026-09-28"),
        # 国庆 10/1-10/7, 10/10 Sat workday
        ("2026-09-29 10:00", 1, "2026-09-30"),
        ("2026-09-29 10:00", 2, "2026-10-08"),
        ("2026-10-07 10:00", 1, "2026-10-08"),
        ("2026-10-09 10:00", 1, "2026-10-10"),
        ("2026-10-09 10:00", 2, "2026-10-12"),
        ("2026-10-10 10:00", 1, "2026-10-12"),
    ],
)
def test_holiday_block_edges(cal, received, n, expected):
    dl = cal.add_workdays(dt(received), n)
    assert dl.at == at(expected)
    assert not dl.unconfirmed


def test_ordinary_weekend_is_off(cal):
    assert not cal.is_workday(d("2026-03-07"))  # Saturday
    assert not cal.is_workday(d("2026-03-08"))  # Sunday
    assert cal.is_workday(d("2026-03-09"))


# ---- receipt time, time zones ------------------------------------------------------


def test_receipt_hour_never_counts(cal):
    # 00:01 and 23:59 on the same day give the same deadline: the whole day is skipped.
    assert due(cal, "2026-03-02 00:01", 1) == at("2026-03-03")
    assert due(cal, "2026-03-02 23:59", 1) == at("2026-03-03")
    assert due(cal, "2026-03-02 17:31", 1) == at("2026-03-03")
    # One minute after midnight is the next day.
    assert due(cal, "2026-03-03 00:01", 1) == at("2026-03-04")
    assert due(cal, "2026-03-03 00:00", 1) == at("2026-03-04")


def test_received_on_holiday(cal):
    assert due(cal, "2026-10-03 09:00", 1) == at("2026-10-08")
    assert due(cal, "2026-10-03 09:00", 3) == at("2026-10-10")
    assert due(cal, "2026-02-18 23:59", 1) == at("2026-02-24")


def test_find_workday_trap_is_avoided(cal):
    # find_workday(1, non-workday) treats the first workday after the holiday as day 0
    # and returns the second one; received on a holiday, day 1 is the first workday.
    assert chinese_calendar.find_workday(1, d("2026-10-03")) == d("2026-10-09")
    assert cal.add_workdays(dt("2026-10-03 10:00"), 1).at.date() == d("2026-10-08")
    assert chinese_calendar.find_workday(1, d("2026-11-28")) == d("2026-12-01")
    assert cal.add_workdays(dt("2026-11-28 10:00"), 1).at.date() == d("2026-11-30")


def test_naive_is_shanghai_and_aware_is_converted(cal):
    naive = dt("2026-03-02 23:30")
    utc_same = datetime(2026, 3, 2, 15, 30, tzinfo=timezone.utc)  # 23:30 in Shanghai
    utc_next = datetime(2026, 3, 2, 16, 30, tzinfo=timezone.utc)  # 00:30 on 3/3 in Shanghai
    assert cal.add_workdays(naive, 1).at == at("2026-03-03")
    assert cal.add_workdays(utc_same, 1).at == at("2026-03-03")
    assert cal.add_workdays(utc_next, 1).at == at("2026-03-04")
    ny = datetime(2026, 3, 2, 12, 0, tzinfo=ZoneInfo("America/New_York"))  # 3/3 01:00 Shanghai
    assert cal.add_workdays(ny, 1).at == at("2026-03-04")
    out = cal.add_workdays(utc_next, 1).at
    assert out.tzinfo == SH and out.utcoffset() == timedelta(hours=8)


def test_memo_does_not_mix_up_receipt_days(cal):
    # Same instant-of-day, different days: results must differ (memo key is the local day).
    a = cal.add_workdays(dt("2026-09-30 10:00"), 1)
    b = cal.add_workdays(dt("2026-10-09 10:00"), 1)
    assert a.at == at("2026-10-08") and b.at == at("2026-10-10")
    assert cal.add_workdays(dt("2026-09-30 23:00"), 1) is a


# ---- reference cross-check ---------------------------------------------------------


def _reference(received: date, n: int) -> date:
    day, left = received, n
    while left:
        day += timedelta(days=1)
        if chinese_calendar.is_workday(day):
            left -= 1
    return day


def test_matches_reference_over_2025_2026(cal):
    day = d("2025-01-01")
    while day <= d("2026-11-30"):  # leave room so no count runs into 2027
        for n in (1, 2, 3, 5, 7, 10, 15):
            got = cal.add_workdays(datetime.combine(day, time(11, 0)), n)
            assert got.at.date() == _reference(day, n), (day, n)
            assert cal.workdays_between(day, got.at.date()) == n
        day += timedelta(days=1)


# ---- unconfirmed years -------------------------------------------------------------


def test_crossing_into_unconfirmed_year_is_flagged(cal):
    ok = cal.add_workdays(dt("2026-12-30 10:00"), 1)
    assert ok.at == at("2026-12-31") and not ok.unconfirmed
    # 2027-01-01 is a Friday: weekends-only counts it (the real schedule surely won't).
    dl = cal.add_workdays(dt("2026-12-31 10:00"), 1)
    assert dl.at == at("2027-01-01")
    assert dl.unconfirmed is True
    assert dl.unconfirmed_years == (2027,)


@pytest.mark.parametrize(
    "received,n,expected",
    [
        ("2027-09-30 10:00", 1, "2027-10-01"),  # Fri, no 国庆 known
        ("2027-10-01 10:00", 1, "2027-10-04"),  # Fri -> Mon
        ("2027-10-02 10:00", 3, "2027-10-06"),
        ("2030-01-04 10:00", 1, "2030-01-07"),  # Fri -> Mon
        ("2030-02-01 10:00", 7, "2030-02-12"),  # Chinese New Year 2030 ignored: weekends only
    ],
)
def test_unconfirmed_year_weekends_only(cal, received, n, expected):
    dl = cal.add_workdays(dt(received), n)
    assert dl.at == at(expected)
    assert dl.unconfirmed is True
    assert dl.unconfirmed_years == (int(expected[:4]),)
    assert dl.calendar_version == "2026.1"


def test_unconfirmed_year_queries_do_not_raise(cal):
    assert cal.is_workday(d("2027-10-01"))  # Friday, unknown holiday
    assert not cal.is_workday(d("2027-10-02"))  # Saturday
    assert not cal.is_confirmed(2030)
    assert cal.workdays_between(d("2029-12-31"), d("2030-12-31")) == 261


def test_long_count_across_years_names_each_unconfirmed_year(cal):
    dl = cal.add_workdays(dt("2026-12-01 10:00"), 600)
    assert dl.unconfirmed_years == (2027, 2028, 2029)
    assert "2027年、2028年、2029年" in format_deadline_cli(cal, dt("2026-12-01 10:00"), 600)


# ---- override dict / file ----------------------------------------------------------


def test_override_corrects_a_library_day(libcal):
    cal = WorkCalendar(
        holidays={
            "version": "test-1",
            "years": {2025: {"holidays": [d("2025-03-03")], "workdays": ["2025-03-08"]}},
        }
    )
    assert libcal.is_workday(d("2025-03-03")) and not libcal.is_workday(d("2025-03-08"))
    assert not cal.is_workday(d("2025-03-03"))  # Monday made a holiday
    assert cal.is_workday(d("2025-03-08"))  # Saturday made a workday
    assert cal.is_workday(d("2025-10-11"))  # rest of the library year untouched (makeup Sat)
    assert not cal.is_workday(d("2025-10-08"))
    assert cal.is_confirmed(2025)
    dl = cal.add_workdays(dt("2025-02-28 10:00"), 1)  # Fri; 3/1-3/2 weekend, 3/3 off
    assert dl.at == at("2025-03-04") and dl.calendar_version == "test-1" and not dl.unconfirmed
    assert cal.add_workdays(dt("2025-03-07 10:00"), 1).at == at("2025-03-08")
    assert libcal.add_workdays(dt("2025-02-28 10:00"), 1).at == at("2025-03-03")
    assert cal.library_differences() == [(d("2025-03-03"), True, False), (d("2025-03-08"), False, True)]


def test_complete_entry_confirms_a_year_the_library_lacks():
    cal = WorkCalendar(
        holidays={
            "version": "2027.0-test",
            "years": {
                "2027": {
                    "complete": True,
                    "holidays": [d("2027-01-01"), d("2027-01-02"), d("2027-01-03")],
                    "workdays": [d("2027-01-09")],
                }
            },
        }
    )
    assert cal.is_confirmed(2027)
    assert cal.unconfirmed_years([2026, 2027, 2028]) == [2028]
    dl = cal.add_workdays(dt("2026-12-31 10:00"), 1)
    assert dl.at == at("2027-01-04") and not dl.unconfirmed
    assert cal.add_workdays(dt("2027-01-08 10:00"), 1).at == at("2027-01-09")


def test_complete_entry_replaces_library_year():
    # complete = true means the list is the whole truth for that year.
    cal = WorkCalendar(holidays={"version": "x", "years": {2026: {"complete": True, "holidays": ["2026-01-01"]}}})
    assert cal.is_workday(d("2026-10-01"))
    assert not cal.is_workday(d("2026-10-10"))
    assert cal.library_differences()  # and it is visible


def test_from_file_reads_toml(tmp_path):
    p = tmp_path / "h.toml"
    p.write_text(
        'version = "9.9"\n[years.2025]\nholidays = [2025-03-03]\n'
        '[years.2027]\ncomplete = true\nholidays = [2027-01-01]\nworkdays = []\n',
        encoding="utf-8",
    )
    cal = WorkCalendar.from_file(p, office_end=time(17, 0))
    assert cal.version == "9.9"
    assert not cal.is_workday(d("2025-03-03"))
    assert cal.is_confirmed(2027) and not cal.is_workday(d("2027-01-01"))
    assert cal.add_workdays(dt("2025-02-28 09:00"), 1).at == at("2025-03-04", 17, 0)


@pytest.mark.parametrize(
    "data,msg",
    [
        ({"years": {}}, "version"),
        ({"version": "", "years": {}}, "version"),
        ({"version": "1", "yeras": {}}, "unknown"),
        ({"version": "1", "years": {2026: {"holiday": ["2026-01-01"]}}}, "unknown"),
        ({"version": "1", "years": {2026: {"holidays": ["2025-12-31"]}}}, "not in 2026"),
        ({"version": "1", "years": {2026: {"holidays": ["2026-13-01"]}}}, "expected a date"),
        ({"version": "1", "years": {2026: {"holidays": [datetime(2026, 1, 1)]}}}, "datetime"),
        ({"version": "1", "years": {2026: {"holidays": ["2026-01-01"], "workdays": ["2026-01-01"]}}}, "both"),
        ({"version": "1", "years": {2027: {"complete": True, "workdays": ["2027-01-09"]}}}, "no holidays"),
        ({"version": "1", "years": {2027: {"complete": "yes"}}}, "complete"),
        ({"version": "1", "years": {"next": {}}}, "not a year"),
        ({"version": "1", "years": {2026: {"holidays": ["2026-01-01", "2026-01-01"]}}}, "duplicate"),
    ],
)
def test_bad_override_data_is_rejected(data, msg):
    with pytest.raises(ValueError, match=msg):
        WorkCalendar(holidays=data)


def test_bad_file_error_names_the_file(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text('version = "1"\n[years.2026]\nholidays = [2025-01-01]\n', encoding="utf-8")
    with pytest.raises(ValueError, match="bad.toml"):
        WorkCalendar.from_file(p)
    p.write_text("version = \n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.toml"):
        WorkCalendar.from_file(p)


# ---- argument checking -------------------------------------------------------------


@pytest.mark.parametrize("n,exc", [(0, ValueError), (-1, ValueError), (1.0, TypeError), (True, TypeError), ("1", TypeError)])
def test_bad_n(cal, n, exc):
    with pytest.raises(exc):
        cal.add_workdays(dt("2026-03-02 10:00"), n)


def test_received_must_be_datetime(cal):
    with pytest.raises(TypeError):
        cal.add_workdays(d("2026-03-02"), 1)  # type: ignore[arg-type]


def test_bad_office_hours():
    with pytest.raises(ValueError):
        WorkCalendar(office_start=time(17, 30), office_end=time(8, 30))
    with pytest.raises(ValueError):
        WorkCalendar(office_start=time(9, 0), office_end=time(9, 0))


def test_broken_calendar_fails_loudly_instead_of_looping():
    # A (wrong) complete year with 70+ days off in a row.
    data = {"version": "broken", "years": {2027: {"complete": True, "holidays": [str(x) for x in span("2027-01-01", "2027-03-31")]}}}
    cal = WorkCalendar(holidays=data)
    with pytest.raises(RuntimeError, match="no working day"):
        cal.add_workdays(dt("2026-12-31 10:00"), 2)
    with pytest.raises(RuntimeError, match="no working day"):
        cal.next_office_open(dt("2027-01-01 10:00"))


# ---- office hours ------------------------------------------------------------------


@pytest.mark.parametrize(
    "t,expected",
    [
        ("2026-03-02 08:29", False),
        ("2026-03-02 08:30", True),
        ("2026-03-02 12:00", True),
        ("2026-03-02 17:29", True),
        ("2026-03-02 17:30", False),  # office_end is exclusive
        ("2026-03-07 10:00", False),  # ordinary Saturday
        ("2026-10-10 10:00", True),  # makeup Saturday
        ("2026-10-05 10:00", False),  # holiday Monday
        ("2027-10-01 10:00", True),  # unconfirmed year: weekends only
    ],
)
def test_is_office_time(cal, t, expected):
    assert cal.is_office_time(dt(t)) is expected


def test_is_office_time_converts_aware(cal):
    # 01:00 UTC = 09:00 Shanghai on a Monday.
    assert cal.is_office_time(datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc))
    # 10:00 UTC = 18:00 Shanghai.
    assert not cal.is_office_time(datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc))


@pytest.mark.parametrize(
    "t,expected",
    [
        ("2026-03-02 10:15", at("2026-03-02", 10, 15)),  # in hours: unchanged
        ("2026-03-02 07:00", at("2026-03-02", 8, 30)),  # before opening: same morning
        ("2026-03-02 17:30", at("2026-03-03", 8, 30)),
        ("2026-03-02 23:59", at("2026-03-03", 8, 30)),
        ("2026-03-06 18:00", at("2026-03-09", 8, 30)),  # Friday night -> Monday
        ("2026-09-30 18:00", at("2026-10-08", 8, 30)),  # across 国庆
        ("2026-10-09 20:00", at("2026-10-10", 8, 30)),  # makeup Saturday morning
        ("2026-02-13 19:00", at("2026-02-14", 8, 30)),
        ("2026-02-14 19:00", at("2026-02-24", 8, 30)),
    ],
)
def test_next_office_open(cal, t, expected):
    got = cal.next_office_open(dt(t))
    assert got == expected
    assert got.tzinfo == SH


def test_next_office_open_aware_input_returns_shanghai(cal):
    t = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)  # 10:00 Shanghai
    got = cal.next_office_open(t)
    assert got == t and got.tzinfo == SH and got.hour == 10


def test_custom_office_hours():
    c = WorkCalendar.from_file(office_start=time(9, 0), office_end=time(17, 0))
    assert c.add_workdays(dt("2026-09-30 10:00"), 1).at == at("2026-10-08", 17, 0)
    assert c.next_office_open(dt("2026-03-02 08:45")) == at("2026-03-02", 9, 0)
    assert not c.is_office_time(dt("2026-03-02 17:10"))


# ---- workdays_between --------------------------------------------------------------


def test_workdays_between(cal):
    assert cal.workdays_between(d("2026-03-02"), d("2026-03-02")) == 0
    assert cal.workdays_between(d("2026-03-02"), d("2026-03-03")) == 1  # Mon -> Tue
    assert cal.workdays_between(d("2026-03-06"), d("2026-03-09")) == 1  # Fri -> Mon
    assert cal.workdays_between(d("2026-09-30"), d("2026-10-15")) == 7
    assert cal.workdays_between(d("2026-10-15"), d("2026-09-30")) == -7
    assert cal.workdays_between(d("2026-09-30"), d("2026-10-07")) == 0
    assert cal.workdays_between(d("2026-02-13"), d("2026-02-28")) == 6  # 14, 24-27, 28


def test_workdays_between_takes_local_date_of_datetimes(cal):
    # 2026-03-02 16:30 UTC is already 3/3 in Shanghai.
    t = datetime(2026, 3, 2, 16, 30, tzinfo=timezone.utc)
    assert cal.workdays_between(d("2026-03-02"), t) == 1
    assert cal.is_workday(datetime(2026, 10, 9, 16, 30, tzinfo=timezone.utc))  # 10/10 local


# ---- CLI formatting ----------------------------------------------------------------


def test_format_deadline_cli_confirmed(cal):
    assert format_deadline_cli(cal, dt("2026-09-30 10:00"), 1) == "2026-10-08T17:30:00+08:00"
    assert format_deadline_cli(cal, dt("2026-02-13 10:00"), 3) == "2026-02-25T17:30:00+08:00"


def test_format_deadline_cli_unconfirmed(cal):
    out = format_deadline_cli(cal, dt("2026-12-31 10:00"), 1)
    assert out.splitlines() == [
        "2027-01-01T17:30:00+08:00",
        "警告：2027年的法定节假日安排尚未确认，该期限仅按周末计算，请以国务院公布的安排为准。",
    ]


def test_unconfirmed_warning_text():
    assert unconfirmed_warning_zh([2028, 2027, 2028]).startswith("警告：2027年、2028年的法定节假日安排尚未确认")
