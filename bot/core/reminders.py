"""The reminder ladder: which rungs of a ticket's current deadline have fired, and for whom.

Pure: given a due ticket, the policy and an instant, it says what is owed. Claiming, wording
and sending live in handlers/reminders.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from enum import StrEnum

from bot.core.channels import DeadlinePolicy
from bot.core.ports import DueTicket
from bot.core.ticket import Status


class Rung(StrEnum):
    DUE_TODAY = "due_today"  # morning of the due day
    BEFORE = "before"  # N office hours before the deadline
    OVERDUE = "overdue"  # at the deadline: responsible person, their leader, 区政务服务办
    RATE = "rate"  # resolved: remind the requester to rate
    AUTO_CLOSE = "auto_close"  # resolved and never rated: close automatically


# Later rungs say more than earlier ones; a message that carries several names the last.
SEVERITY = [Rung.DUE_TODAY, Rung.BEFORE, Rung.OVERDUE, Rung.RATE, Rung.AUTO_CLOSE]


@dataclass(frozen=True)
class Ladder:
    before_hours: float = 2
    sweep_seconds: int = 60
    digest_time: time = time(9, 0)
    # A rung sent more than this after it could first have gone out was delayed by downtime.
    grace: timedelta = timedelta(minutes=10)

    @property
    def lookahead(self) -> timedelta:
        # The earliest rung fires at most a day (the due day's morning) or `before_hours` before
        # the deadline: this much look-ahead finds every ticket with a rung due now.
        return max(timedelta(days=1), timedelta(hours=self.before_hours))


@dataclass(frozen=True)
class Fired:
    ticket: DueTicket
    rung: Rung
    fire_at: datetime
    deadline: datetime
    late: bool  # it should have gone out earlier (the service was down)

    @property
    def key(self) -> str:
        """Exactly-once key: one claim per (ticket, deadline, rung)."""
        return f"rung:{self.ticket.id}:{self.deadline.astimezone(timezone.utc):%Y%m%dT%H%M%S}:{self.rung.value}"


def morning_of(policy: DeadlinePolicy, at: datetime) -> datetime:
    cal = policy.calendar
    local = at.astimezone(cal.tz)
    return datetime.combine(local.date(), cal.office_start, tzinfo=cal.tz)


def fired_rungs(due: DueTicket, now: datetime, policy: DeadlinePolicy, ladder: Ladder) -> list[Fired]:
    """The rungs of this ticket's current deadline whose time has come (claimed or not)."""
    deadline = due.next_due_at
    if due.status == Status.RESOLVED:
        assert due.resolved_at is not None
        rungs = [(Rung.RATE, morning_of(policy, deadline)), (Rung.AUTO_CLOSE, policy.auto_close_at(due.resolved_at))]
    else:
        rungs = [
            (Rung.DUE_TODAY, morning_of(policy, deadline)),
            (Rung.BEFORE, deadline - timedelta(hours=ladder.before_hours)),
            (Rung.OVERDUE, deadline),
        ]
    cal = policy.calendar
    fired = []
    for rung, fire_at in rungs:
        if fire_at > now:
            continue
        # The first moment it could have been sent: itself in office hours, else the next opening.
        sendable = cal.next_office_open(fire_at)
        fired.append(Fired(due, rung, fire_at, deadline, late=now - sendable > ladder.grace))
    return fired
