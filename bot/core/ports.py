"""Ports the domain needs from storage; `storage/` implements them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Protocol, Sequence

from bot.core.org import Business, Department, Park, Person, Street, Zone
from bot.core.ticket import AuditEvent, Status, Ticket


@dataclass(frozen=True)
class DueTicket:
    id: int
    status: Status
    next_due_at: datetime
    helper_id: str
    departments: tuple[str, ...]


class TicketRepository(Protocol):
    async def add(self, ticket: Ticket) -> int: ...

    async def get(self, ticket_id: int) -> Ticket | None: ...

    async def save(self, ticket: Ticket) -> None:
        """Write back a loaded ticket; raises ConcurrentUpdateError if someone saved it first."""

    async def due_before(self, at: datetime, limit: int = 1000) -> list[DueTicket]: ...

    async def list_by(
        self,
        *,
        business_id: str | None = None,
        helper_ids: Sequence[str] | None = None,
        department: str | None = None,
        statuses: Iterable[Status] | None = None,
        limit: int = 50,
    ) -> list[Ticket]: ...

    async def count_by_status_and_channel(self) -> dict[tuple[str, str], int]: ...


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


class UnitOfWork(Protocol):
    tickets: TicketRepository
    audit: AuditRepository
    roster: RosterRepository

    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...
