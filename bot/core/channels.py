"""The policy's four handling channels and the deadlines they impose."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Mapping

from bot.core.workdays import Deadline, WorkCalendar


class Channel(StrEnum):
    STREET = "street"  # 街道园区渠道「即时办理」
    DEPARTMENT = "department"  # 部门直通渠道「协调解决」
    DISTRICT = "district"  # 区级统筹渠道「会商解决」
    CITY = "city"  # 市区联动渠道「提级解决」


@dataclass(frozen=True)
class ChannelRule:
    channel: Channel
    name: str  # 街道园区渠道
    motto: str  # 即时办理
    # Working days to answer with a solution and an estimated completion date; None for the
    # city channel, where the district only tracks the external reference.
    answer_days: int | None
    # For channels without a district deadline: working days between follow-ups.
    follow_up_days: int | None = None

    @property
    def label(self) -> str:
        return f"{self.name}「{self.motto}」"


@dataclass(frozen=True)
class DeadlinePolicy:
    """Turns a channel segment's start into its deadline, on the statutory calendar."""

    calendar: WorkCalendar
    rules: Mapping[Channel, ChannelRule]
    rate_reminder_workdays: int = 1
    auto_close_workdays: int = 5

    def rule(self, channel: Channel) -> ChannelRule:
        return self.rules[channel]

    def segment_deadline(self, channel: Channel, start: datetime) -> Deadline:
        rule = self.rules[channel]
        days = rule.answer_days if rule.answer_days is not None else rule.follow_up_days
        if not days:
            raise ValueError(f"channel {channel} has neither answer_days nor follow_up_days")
        return self.calendar.add_workdays(start, days)

    def end_of_day(self, d: date) -> datetime:
        """A promised date means the end of office hours of that day."""
        return datetime.combine(d, self.calendar.office_end, tzinfo=self.calendar.tz)

    def workday_end(self, d: date) -> datetime:
        """End of office hours of `d`, or of the next working day when `d` is a rest day:
        a deadline never falls on a weekend or holiday."""
        cal = self.calendar
        while not cal.is_workday(d):
            d += timedelta(days=1)
        return self.end_of_day(d)

    def rating_due(self, resolved: datetime) -> datetime:
        """When a resolved ticket's requester is reminded to rate (the watched deadline)."""
        return self.calendar.add_workdays(resolved, self.rate_reminder_workdays).at

    def auto_close_at(self, resolved: datetime) -> datetime:
        return self.calendar.add_workdays(resolved, self.auto_close_workdays).at

    def triage_deadline(self, received: datetime) -> Deadline:
        # A new ticket sits in the street segment until the helper routes it: the helper owes
        # the requester a first answer within the street channel's deadline.
        return self.segment_deadline(Channel.STREET, received)


def office_time(value: str) -> time:
    hour, minute = value.split(":")
    return time(int(hour), int(minute))
