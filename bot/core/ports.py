"""Ports the domain needs from storage; `storage/` implements them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Protocol, Sequence

from bot.core.chat import Inbound, Outbound, Push
from bot.core.org import Business, Department, Park, Person, Street, Zone
from bot.core.ticket import AuditEvent, Status, Ticket


@dataclass(frozen=True)
class DueTicket:
    """What the deadline sweep and the overdue lists need of a ticket whose deadline is near."""

    id: int
    status: Status
    next_due_at: datetime
    helper_id: str
    departments: tuple[str, ...]
    business_id: str
    requester_id: str
    text: str
    resolved_at: datetime | None

    @property
    def overdue_counts(self) -> bool:
        # A resolved ticket's deadline is the requester's rating, not the service's: not overdue.
        return self.status != Status.RESOLVED


@dataclass(frozen=True)
class StoredPush:
    id: int
    person_id: str
    purpose: str
    message: Outbound
    created_at: datetime


class TicketRepository(Protocol):
    async def add(self, ticket: Ticket) -> int: ...

    async def get(self, ticket_id: int) -> Ticket | None: ...

    async def save(self, ticket: Ticket) -> None:
        """Write back a loaded ticket; raises ConcurrentUpdateError if someone saved it first."""

    async def due_before(self, at: datetime, limit: int = 1000) -> list[DueTicket]: ...

    async def overdue(self, at: datetime, limit: int = 1000) -> list[DueTicket]:
        """Tickets past a service deadline (excludes resolved tickets waiting for a rating)."""

    async def list_by(
        self,
        *,
        business_id: str | None = None,
        helper_ids: Sequence[str] | None = None,
        department: str | None = None,
        statuses: Iterable[Status] | None = None,
        limit: int = 50,
    ) -> list[Ticket]: ...

    async def count_by_status_and_channel(self, department: str | None = None) -> dict[tuple[str, str], int]: ...


class AuditRepository(Protocol):
    async def add(self, event: AuditEvent) -> None: ...

    async def for_ticket(self, ticket_id: int) -> list[AuditEvent]: ...


class RosterRepository(Protocol):
    async def person(self, person_id: str) -> Person | None: ...

    async def business(self, business_id: str) -> Business | None: ...

    async def department(self, code: str) -> Department | None: ...

    async def departments(self) -> list[Department]: ...

    async def people(self, *, role: str | None = None, department: str | None = None) -> list[Person]: ...

    async def is_empty(self) -> bool: ...

    async def identity(self, platform: str, platform_user_id: str) -> str | None:
        """The roster person bound to a platform account, if any."""

    async def person_by_identity(self, platform: str, platform_user_id: str) -> Person | None: ...

    async def bind_identity(self, platform: str, platform_user_id: str, person_id: str) -> None: ...

    async def zones(self) -> list[Zone]: ...

    async def parks(self) -> list[Park]: ...

    async def streets(self) -> list[Street]: ...

    async def load(
        self,
        *,
        streets: Iterable[Street] = (),
        zones: Iterable[Zone] = (),
        parks: Iterable[Park] = (),
        departments: Iterable[Department] = (),
        people: Iterable[Person] = (),
        businesses: Iterable[Business] = (),
    ) -> None:
        """Insert or update organisation data (idempotent by code / id)."""


class MessageLog(Protocol):
    async def record(self, inbound: Inbound) -> int | None:
        """Store an inbound message; None when the same platform message id was stored before."""

    async def replies_of(self, platform: str, message_id: str) -> list[Outbound] | None: ...

    async def finish(
        self, row_id: int, *, person_id: str | None, replies: list[Outbound], at: datetime, redact: str | None = None
    ) -> None: ...


class Outbox(Protocol):
    async def add(self, pushes: list[Push], at: datetime) -> None: ...

    async def for_person(self, person_id: str, after_id: int = 0, limit: int = 100) -> list[StoredPush]: ...

    async def latest_ticket_for(self, person_id: str) -> tuple[int, datetime] | None: ...


class Conversations(Protocol):
    async def get(self, key: str) -> dict: ...

    async def put(self, key: str, state: dict, at: datetime) -> None: ...


@dataclass(frozen=True)
class Correction:
    """A helper routed a ticket elsewhere than the classifier suggested: a lesson for it."""

    ticket_id: int
    text: str
    category: str | None
    suggested_department: str | None
    department: str
    actor_id: str
    created_at: datetime


class CorrectionLog(Protocol):
    async def add(self, correction: Correction) -> None: ...

    async def all(self) -> list[Correction]: ...


class Claims(Protocol):
    async def claim(self, key: str, at: datetime) -> bool:
        """True for exactly one caller per key, ever."""

    async def existing(self, keys: list[str]) -> set[str]: ...


class UnitOfWork(Protocol):
    tickets: TicketRepository
    audit: AuditRepository
    roster: RosterRepository
    messages: MessageLog
    outbox: Outbox
    conversations: Conversations
    claims: Claims
    corrections: CorrectionLog

    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...

    def hold_commits(self, hold: bool) -> None:
        """While held, commit() waits for the caller's final commit (one transaction per message)."""
