"""Chinese working-day calendar and policy deadlines (DESIGN.md §5).

Sources, in order of precedence for a given year:

1. ``config/holidays.toml`` entry with ``complete = true``: the year's full State
   Council schedule (holidays + 调休 makeup workdays); the library is not consulted.
2. The ``chinese_calendar`` package (2004-2026 in 1.11.0), plus any per-day
   corrections listed for that year in the override file.
3. Neither: weekends-only (Mon-Fri are workdays). Such a year is *unconfirmed* and
   every deadline whose counted days touch it carries ``unconfirmed=True``.

Counting rule 次日起算: the day of receipt never counts, whatever the hour; the
deadline is ``office_end`` on the Nth working day after the day of receipt.

The module is pure (no I/O except ``WorkCalendar.from_file``) and thread-safe for
reads: lazily built tables are only ever filled with identical values.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping
from zoneinfo import ZoneInfo

import chinese_calendar

__all__ = [
    "DEFAULT_HOLIDAYS_PATH",
    "Deadline",
    "WorkCalendar",
    "format_deadline_cli",
    "unconfirmed_warning_zh",
]

DEFAULT_HOLIDAYS_PATH = Path(__file__).resolve().parents[2] / "config" / "holidays.toml"

# A real schedule never has more than ~10 consecutive days off; a longer run means a
# broken override file, and we would rather fail loudly than loop for ages.
_MAX_GAP_DAYS = 60
# Memo of (receipt ordinal, n) -> Deadline. Bounded so odd callers cannot grow it forever.
_MEMO_MAX = 100_000

_YEAR_KEYS = frozenset({"complete", "holidays", "workdays", "source"})
_TOP_KEYS = frozenset({"version", "years"})


@dataclass(frozen=True)
class Deadline:
    at: datetime  # aware, in the calendar's time zone (Asia/Shanghai)
    calendar_version: str
    unconfirmed: bool  # True if any day counted lies in an unconfirmed year
    unconfirmed_years: tuple[int, ...] = ()  # which ones, for warnings/alerts


@dataclass(frozen=True)
class _YearOverride:
    complete: bool
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str | None


@lru_cache(maxsize=None)
def _library_year(year: int) -> tuple[bool, ...] | None:
    """Workday flags for every day of `year` from chinese_calendar, or None if unsupported.

    Cached at module level: the library data is static and shared by all calendars.
    """
    first = date(year, 1, 1)
    try:
        chinese_calendar.is_workday(first)
    except NotImplementedError:
        return None
    ndays = (date(year + 1, 1, 1) - first).days
    return tuple(chinese_calendar.is_workday(first + timedelta(days=i)) for i in range(ndays))


def library_version() -> str:
    return getattr(chinese_calendar, "__version__", "unknown")


def _parse_date(value: Any, where: str) -> date:
    # datetime is a subclass of date: reject it, a time component here is a typo.
    if isinstance(value, datetime):
        raise ValueError(f"{where}: expected a date, got datetime {value!r}")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{where}: expected a date (YYYY-MM-DD), got {value!r}")


def _parse_overrides(data: Mapping[str, Any]) -> tuple[str, dict[int, _YearOverride]]:
    if not isinstance(data, Mapping):
        raise ValueError("holidays: expected a mapping")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise ValueError(f"holidays: unknown key(s) {sorted(unknown)}")
    version = data.get("version")
    if not isinstance(version, str) or not version.strip():
        raise ValueError("holidays: 'version' must be a non-empty string")
    years_raw = data.get("years", {})
    if not isinstance(years_raw, Mapping):
        raise ValueError("holidays: 'years' must be a table")

    years: dict[int, _YearOverride] = {}
    for key, entry in years_raw.items():
        try:
            year = int(key)
        except (TypeError, ValueError):
            raise ValueError(f"holidays: year key {key!r} is not a year") from None
        where = f"years.{year}"
        if year in years:
            raise ValueError(f"{where}: listed twice")
        if not isinstance(entry, Mapping):
            raise ValueError(f"{where}: expected a table")
        unknown = set(entry) - _YEAR_KEYS
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {sorted(unknown)}")
        complete = entry.get("complete", False)
        if not isinstance(complete, bool):
            raise ValueError(f"{where}.complete: expected true/false")
        source = entry.get("source")
        if source is not None and not isinstance(source, str):
            raise ValueError(f"{where}.source: expected a string")

        lists: dict[str, frozenset[date]] = {}
        for name in ("holidays", "workdays"):
            raw = entry.get(name, [])
            if not isinstance(raw, (list, tuple)):
                raise ValueError(f"{where}.{name}: expected a list of dates")
            days = [_parse_date(v, f"{where}.{name}") for v in raw]
            for d in days:
                if d.year != year:
                    raise ValueError(f"{where}.{name}: {d} is not in {year}")
            if len(set(days)) != len(days):
                raise ValueError(f"{where}.{name}: duplicate dates")
            lists[name] = frozenset(days)
        both = lists["holidays"] & lists["workdays"]
        if both:
            raise ValueError(f"{where}: {sorted(both)} listed as both holiday and workday")
        # Every year has at least 元旦; an empty complete year is a forgotten list,
        # and accepting it would silently confirm a weekends-only calendar.
        if complete and not lists["holidays"]:
            raise ValueError(f"{where}: complete = true but no holidays listed")
        years[year] = _YearOverride(complete, lists["holidays"], lists["workdays"], source)
    return version.strip(), years


def unconfirmed_warning_zh(years: Iterable[int]) -> str:
    """User-facing warning for deadlines computed on weekends only."""
    names = "、".join(f"{y}年" for y in sorted(set(years)))
    return f"警告：{names}的法定节假日安排尚未确认，该期限仅按周末计算，请以国务院公布的安排为准。"


class WorkCalendar:
    """Statutory working-day calendar with 调休, plus deadline arithmetic."""

    def __init__(
        self,
        *,
        holidays: Mapping[str, Any] | None = None,
        office_start: time = time(8, 30),
        office_end: time = time(17, 30),
        tz: str | tzinfo = "Asia/Shanghai",
    ) -> None:
        if not isinstance(office_start, time) or not isinstance(office_end, time):
            raise TypeError("office_start/office_end must be datetime.time")
        if office_start.tzinfo is not None or office_end.tzinfo is not None:
            raise ValueError("office hours must be naive times (local to tz)")
        if not office_start < office_end:
            raise ValueError("office_start must be before office_end")
        self.tz: tzinfo = ZoneInfo(tz) if isinstance(tz, str) else tz
        self.office_start = office_start
        self.office_end = office_end
        if holidays is None:
            # No override file: still traceable, by library version.
            self.version = f"chinesecalendar-{library_version()}"
            self._overrides: dict[int, _YearOverride] = {}
        else:
            self.version, self._overrides = _parse_overrides(holidays)
        self._flags: dict[int, bool] = {}  # date ordinal -> is workday
        self._confirmed: dict[int, bool] = {}  # year -> confirmed (also marks "loaded")
        self._memo: dict[tuple[int, int], Deadline] = {}

    @classmethod
    def from_file(cls, path: str | Path | None = None, **kw: Any) -> "WorkCalendar":
        """Build from a holidays TOML file (default: config/holidays.toml)."""
        if "holidays" in kw:
            raise TypeError("from_file() takes the holidays from the file")
        path = Path(path) if path is not None else DEFAULT_HOLIDAYS_PATH
        with path.open("rb") as fh:
            try:
                data = tomllib.load(fh)
            except tomllib.TOMLDecodeError as exc:
                raise ValueError(f"{path}: {exc}") from exc
        try:
            return cls(holidays=data, **kw)
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from exc

    def __repr__(self) -> str:
        return (
            f"WorkCalendar(version={self.version!r}, office={self.office_start:%H:%M}-"
            f"{self.office_end:%H:%M}, tz={self.tz})"
        )

    # ---- year tables -------------------------------------------------------------

    def _load_year(self, year: int) -> None:
        if year in self._confirmed:
            return
        override = self._overrides.get(year)
        first = date(year, 1, 1)
        base = first.toordinal()
        ndays = date(year + 1, 1, 1).toordinal() - base
        lib = None if (override is not None and override.complete) else _library_year(year)
        if lib is not None:
            flags = dict(zip(range(base, base + ndays), lib))
        else:
            # Weekend rule; used for complete override years and unconfirmed years.
            wd0 = first.weekday()
            flags = {base + i: (wd0 + i) % 7 < 5 for i in range(ndays)}
        if override is not None:
            for d in override.holidays:
                flags[d.toordinal()] = False
            for d in override.workdays:
                flags[d.toordinal()] = True
        # Fill flags before marking the year loaded, so readers never see a half table.
        self._flags.update(flags)
        self._confirmed[year] = lib is not None or (override is not None and override.complete)

    def _flag(self, ordinal: int) -> bool:
        f = self._flags.get(ordinal)
        if f is None:
            self._load_year(date.fromordinal(ordinal).year)
            f = self._flags[ordinal]
        return f

    # ---- normalisation -----------------------------------------------------------

    def _localize(self, t: datetime) -> datetime:
        """Naive -> interpreted in self.tz; aware -> converted to self.tz."""
        if not isinstance(t, datetime):
            raise TypeError(f"expected datetime, got {type(t).__name__}")
        tzi = t.tzinfo
        if tzi is self.tz:
            return t
        if tzi is None or tzi.utcoffset(t) is None:
            return t.replace(tzinfo=self.tz)
        return t.astimezone(self.tz)

    def _local_date(self, d: date) -> date:
        # A datetime is a date too; take its local calendar date, not its raw fields.
        if isinstance(d, datetime):
            return self._localize(d).date()
        if not isinstance(d, date):
            raise TypeError(f"expected date, got {type(d).__name__}")
        return d

    # ---- queries -----------------------------------------------------------------

    def is_workday(self, d: date) -> bool:
        return self._flag(self._local_date(d).toordinal())

    def is_confirmed(self, year: int) -> bool:
        self._load_year(year)
        return self._confirmed[year]

    def unconfirmed_years(self, years: Iterable[int]) -> list[int]:
        """Sorted years among `years` without a confirmed schedule (for start-up warnings)."""
        return sorted({y for y in years if not self.is_confirmed(y)})

    def library_differences(self) -> list[tuple[date, bool, bool]]:
        """(day, library says workday, this calendar says workday) for every day where the
        override file disagrees with the library. Empty means the file only restates it."""
        out = []
        for year in sorted(self._overrides):
            lib = _library_year(year)
            if lib is None:
                continue
            first = date(year, 1, 1)
            for i, lib_flag in enumerate(lib):
                d = first + timedelta(days=i)
                mine = self.is_workday(d)
                if mine != lib_flag:
                    out.append((d, lib_flag, mine))
        return out

    # ---- deadlines ---------------------------------------------------------------

    def add_workdays(self, received: datetime, n: int) -> Deadline:
        """Deadline = office_end of the n-th working day after the day of receipt."""
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError(f"n must be an int, got {type(n).__name__}")
        if n < 1:
            raise ValueError(f"n must be >= 1, got {n}")
        ordinal = self._localize(received).toordinal()
        key = (ordinal, n)
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        deadline = self._compute(ordinal, n)
        if len(self._memo) >= _MEMO_MAX:
            self._memo.clear()
        self._memo[key] = deadline
        return deadline

    def _compute(self, received_ordinal: int, n: int) -> Deadline:
        # Own count instead of chinese_calendar.find_workday, which is off by one
        # when the start day is not a workday.
        flags = self._flags
        o = received_ordinal
        remaining = n
        gap = 0
        while remaining:
            o += 1
            f = flags.get(o)
            if f is None:
                f = self._flag(o)
            if f:
                remaining -= 1
                gap = 0
            else:
                gap += 1
                if gap > _MAX_GAP_DAYS:
                    raise RuntimeError(
                        f"no working day in {_MAX_GAP_DAYS} days after "
                        f"{date.fromordinal(o - gap)}; check {self.version!r} calendar"
                    )
        first_year = date.fromordinal(received_ordinal + 1).year
        end = date.fromordinal(o)
        # Counted days are contiguous, so these are exactly the years they touch.
        bad = tuple(y for y in range(first_year, end.year + 1) if not self.is_confirmed(y))
        return Deadline(
            at=datetime.combine(end, self.office_end, tzinfo=self.tz),
            calendar_version=self.version,
            unconfirmed=bool(bad),
            unconfirmed_years=bad,
        )

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end] — the 次日起算 count, so that
        workdays_between(received_day, deadline_day) == n. Negative if end < start."""
        a = self._local_date(start).toordinal()
        b = self._local_date(end).toordinal()
        if b < a:
            return -self.workdays_between(date.fromordinal(b), date.fromordinal(a))
        flag = self._flag
        return sum(1 for o in range(a + 1, b + 1) if flag(o))

    # ---- office hours ------------------------------------------------------------

    def is_office_time(self, t: datetime) -> bool:
        """Working day and office_start <= local time < office_end."""
        lt = self._localize(t)
        return self._flag(lt.toordinal()) and self.office_start <= lt.time() < self.office_end

    def next_office_open(self, t: datetime) -> datetime:
        """`t` (in self.tz) if it is office time, else the next office_start on a workday.
        Used to hold reminders that would otherwise go out at night or on a holiday."""
        lt = self._localize(t)
        o = lt.toordinal()
        if self._flag(o):
            tod = lt.time()
            if tod < self.office_start:
                return datetime.combine(date.fromordinal(o), self.office_start, tzinfo=self.tz)
            if tod < self.office_end:
                return lt
        for _ in range(_MAX_GAP_DAYS + 1):
            o += 1
            if self._flag(o):
                return datetime.combine(date.fromordinal(o), self.office_start, tzinfo=self.tz)
        raise RuntimeError(f"no working day in {_MAX_GAP_DAYS} days after {lt.date()}")


def format_deadline_cli(calendar: WorkCalendar, received: datetime, n: int) -> str:
    """ISO 8601 deadline with offset; a Chinese warning line when the calendar is unconfirmed."""
    dl = calendar.add_workdays(received, n)
    out = dl.at.isoformat(timespec="seconds")
    if dl.unconfirmed:
        out += "\n" + unconfirmed_warning_zh(dl.unconfirmed_years)
    return out
