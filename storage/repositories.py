"""SQL implementations of the domain's repositories, over one async connection."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import date, datetime
from typing import Any, Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.channels import Channel
from bot.core.errors import ConcurrentUpdateError
from bot.core.org import Business, BusinessKind, Department, HelperTier, Hub, Park, Person, Role, Street, Zone
from bot.core.ports import Correction, DueTicket
from bot.core.ticket import Action, AuditEvent, Segment, Status, Ticket
from storage import tables as t
from storage.fastpath import hot

_TICKET_SCALARS = [
    f.name for f in fields(Ticket) if f.name not in {"id", "segments", "departments", "notes", "version"}
]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _segment_to_json(s: Segment) -> dict[str, Any]:
    return {
        "channel": s.channel.value,
        "started_at": _iso(s.started_at),
        "due_at": _iso(s.due_at),
        "departments": list(s.departments),
        "reason": s.reason,
        "original_due_at": _iso(s.original_due_at),
        "ended_at": _iso(s.ended_at),
    }


def _segment_from_json(d: dict[str, Any]) -> Segment:
    def dt(v: str | None) -> datetime | None:
        return datetime.fromisoformat(v) if v else None

    return Segment(
        channel=Channel(d["channel"]),
        started_at=datetime.fromisoformat(d["started_at"]),
        due_at=dt(d.get("due_at")),
        departments=tuple(d.get("departments", ())),
        reason=d.get("reason", ""),
        original_due_at=dt(d.get("original_due_at")),
        ended_at=dt(d.get("ended_at")),
    )


def _ticket_values(ticket: Ticket) -> dict[str, Any]:
    values = {name: getattr(ticket, name) for name in _TICKET_SCALARS}
    values["status"] = ticket.status.value
    values["channel"] = ticket.channel.value
    values["accepted_by"] = list(ticket.accepted_by)
    values["checked_in"] = list(ticket.checked_in)
    values["segments"] = [_segment_to_json(s) for s in ticket.segments]
    values["notes"] = list(ticket.notes)
    return values


def _ticket_from_row(row: sa.Row, departments: tuple[str, ...]) -> Ticket:
    m = row._mapping
    kwargs = {name: m[name] for name in _TICKET_SCALARS}
    kwargs["status"] = Status(m["status"])
    kwargs["channel"] = Channel(m["channel"])
    kwargs["accepted_by"] = tuple(m["accepted_by"])
    kwargs["checked_in"] = tuple(m["checked_in"])
    return Ticket(
        id=m["id"],
        departments=departments,
        segments=[_segment_from_json(s) for s in m["segments"]],
        notes=list(m["notes"]),
        version=m["version"],
        **kwargs,
    )


# Statements built once: building a SQLAlchemy statement per call costs more than running it.
_INSERT_TICKET = hot(sa.insert(t.tickets).returning(t.tickets.c.id))
_GET_TICKET = hot(sa.select(t.tickets).where(t.tickets.c.id == sa.bindparam("ticket_id")))
_SAVE_TICKET = hot(
    sa.update(t.tickets)
    .where(t.tickets.c.id == sa.bindparam("_id"), t.tickets.c.version == sa.bindparam("_version"))
    .values(version=t.tickets.c.version + 1)
)
_INSERT_TICKET_DEPARTMENT = hot(sa.insert(t.ticket_departments))
_DELETE_TICKET_DEPARTMENTS = hot(sa.delete(t.ticket_departments).where(
    t.ticket_departments.c.ticket_id == sa.bindparam("ticket_id")
))
_TICKET_DEPARTMENTS_OF_ONE = hot(
    sa.select(t.ticket_departments.c.ticket_id, t.ticket_departments.c.department_code)
    .where(t.ticket_departments.c.ticket_id == sa.bindparam("ticket_id"))
    .order_by(t.ticket_departments.c.position)
)
_TICKET_DEPARTMENTS = (
    sa.select(t.ticket_departments.c.ticket_id, t.ticket_departments.c.department_code)
    .where(t.ticket_departments.c.ticket_id.in_(sa.bindparam("ids", expanding=True)))
    .order_by(t.ticket_departments.c.ticket_id, t.ticket_departments.c.position)
)
_INSERT_AUDIT = hot(sa.insert(t.audit_events))


def due_query(at: datetime, limit: int = 1000) -> sa.Select:
    """Tickets whose next deadline is at or before `at`: answered by ix_tickets_next_due_at."""
    c = t.tickets.c
    return (
        sa.select(c.id, c.status, c.next_due_at, c.helper_id, c.business_id, c.requester_id, c.text, c.resolved_at)
        .where(c.next_due_at <= at)
        .order_by(c.next_due_at)
        .limit(limit)
    )


class SqlTicketRepository:
    def __init__(self, conn: AsyncConnection):
        self.conn = conn
        # Departments as last read or written in this unit of work: unchanged ones are not rewritten.
        self._stored_departments: dict[int, tuple[str, ...]] = {}

    async def add(self, ticket: Ticket) -> int:
        values = _ticket_values(ticket)
        values["version"] = 1
        ticket.id = (await self.conn.execute(_INSERT_TICKET, values)).scalar_one()
        ticket.version = 1
        await self._write_departments(ticket.id, ticket.departments)
        return ticket.id

    async def get(self, ticket_id: int) -> Ticket | None:
        row = (await self.conn.execute(_GET_TICKET, {"ticket_id": ticket_id})).first()
        if row is None:
            return None
        depts = await self._departments_of([ticket_id])
        return _ticket_from_row(row, depts.get(ticket_id, ()))

    async def save(self, ticket: Ticket) -> None:
        assert ticket.id is not None
        values = _ticket_values(ticket)
        result = await self.conn.execute(_SAVE_TICKET, {**values, "_id": ticket.id, "_version": ticket.version})
        if result.rowcount != 1:
            raise ConcurrentUpdateError(ticket.id)
        ticket.version += 1
        if self._stored_departments.get(ticket.id) != ticket.departments:
            await self.conn.execute(_DELETE_TICKET_DEPARTMENTS, {"ticket_id": ticket.id})
            await self._write_departments(ticket.id, ticket.departments)

    async def _write_departments(self, ticket_id: int, departments: tuple[str, ...]) -> None:
        self._stored_departments[ticket_id] = departments
        if departments:
            await self.conn.execute(
                _INSERT_TICKET_DEPARTMENT,
                [
                    {"ticket_id": ticket_id, "department_code": code, "position": i}
                    for i, code in enumerate(departments)
                ],
            )

    async def _departments_of(self, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
        if not ids:
            return {}
        if len(ids) == 1:  # the common case (one ticket), on the fast path
            rows = await self.conn.execute(_TICKET_DEPARTMENTS_OF_ONE, {"ticket_id": ids[0]})
        else:
            rows = await self.conn.execute(_TICKET_DEPARTMENTS, {"ids": list(ids)})
        out: dict[int, list[str]] = {}
        for ticket_id, code in rows:
            out.setdefault(ticket_id, []).append(code)
        found = {k: tuple(v) for k, v in out.items()}
        for ticket_id in ids:
            self._stored_departments[ticket_id] = found.get(ticket_id, ())
        return found

    async def due_before(self, at: datetime, limit: int = 1000) -> list[DueTicket]:
        rows = (await self.conn.execute(due_query(at, limit))).all()
        depts = await self._departments_of([r.id for r in rows])
        return [
            DueTicket(
                r.id, Status(r.status), r.next_due_at, r.helper_id, depts.get(r.id, ()),
                r.business_id, r.requester_id, r.text, r.resolved_at,
            )
            for r in rows
        ]

    async def overdue(self, at: datetime, limit: int = 1000) -> list[DueTicket]:
        # Resolved tickets are few at any time: filtering them here keeps one indexed query.
        return [d for d in await self.due_before(at, limit) if d.overdue_counts]

    async def list_by(
        self,
        *,
        business_id: str | None = None,
        helper_ids: Sequence[str] | None = None,
        department: str | None = None,
        statuses: Iterable[Status] | None = None,
        limit: int = 50,
    ) -> list[Ticket]:
        c = t.tickets.c
        query = sa.select(t.tickets)
        if business_id is not None:
            query = query.where(c.business_id == business_id)
        if helper_ids is not None:
            served = sa.select(t.business_helpers.c.business_id).where(
                t.business_helpers.c.helper_id.in_(list(helper_ids))
            )
            query = query.where(sa.or_(c.helper_id.in_(list(helper_ids)), c.business_id.in_(served)))
        if department is not None:
            query = query.where(
                c.id.in_(
                    sa.select(t.ticket_departments.c.ticket_id).where(
                        t.ticket_departments.c.department_code == department
                    )
                )
            )
        if statuses is not None:
            query = query.where(c.status.in_([s.value for s in statuses]))
        rows = (await self.conn.execute(query.order_by(c.id.desc()).limit(limit))).all()
        depts = await self._departments_of([r.id for r in rows])
        return [_ticket_from_row(r, depts.get(r.id, ())) for r in rows]

    async def count_by_status_and_channel(self, department: str | None = None) -> dict[tuple[str, str], int]:
        c = t.tickets.c
        query = sa.select(c.status, c.channel, sa.func.count()).group_by(c.status, c.channel)
        if department is not None:
            query = query.where(
                c.id.in_(
                    sa.select(t.ticket_departments.c.ticket_id).where(
                        t.ticket_departments.c.department_code == department
                    )
                )
            )
        rows = await self.conn.execute(query)
        return {(status, channel): n for status, channel, n in rows}


class SqlAuditRepository:
    def __init__(self, conn: AsyncConnection):
        self.conn = conn

    async def add(self, event: AuditEvent) -> None:
        await self.conn.execute(
            _INSERT_AUDIT,
            {
                "ticket_id": event.ticket_id,
                "at": event.at,
                "actor_id": event.actor_id,
                "action": event.action.value,
                "from_status": event.from_status.value if event.from_status else None,
                "to_status": event.to_status.value,
                "detail": _jsonable(event.detail),
                "source_message_id": event.source_message_id,
            },
        )

    async def for_ticket(self, ticket_id: int) -> list[AuditEvent]:
        c = t.audit_events.c
        rows = await self.conn.execute(sa.select(t.audit_events).where(c.ticket_id == ticket_id).order_by(c.id))
        return [
            AuditEvent(
                ticket_id=r.ticket_id,
                at=r.at,
                actor_id=r.actor_id,
                action=Action(r.action),
                from_status=Status(r.from_status) if r.from_status else None,
                to_status=Status(r.to_status),
                detail=r.detail,
                source_message_id=r.source_message_id,
            )
            for r in rows
        ]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _person_from_row(r: sa.Row) -> Person:
    return Person(
        id=r.id,
        name=r.name,
        role=Role(r.role),
        phone=r.phone,
        tier=HelperTier(r.tier) if r.tier else None,
        zone_code=r.zone_code,
        park_code=r.park_code,
        department_code=r.department_code,
        hub=Hub(r.hub) if r.hub else None,
        business_id=r.business_id,
        fictional=r.fictional,
    )


def _department_from_row(r: sa.Row) -> Department:
    return Department(r.code, r.name, r.full_name, r.working_group, Hub(r.hub) if r.hub else None)


_PERSON = hot(sa.select(t.people).where(t.people.c.id == sa.bindparam("person_id")))
_PERSON_BY_IDENTITY = hot(
    sa.select(t.people)
    .join(t.identities, t.identities.c.person_id == t.people.c.id)
    .where(t.identities.c.platform == sa.bindparam("platform"),
           t.identities.c.platform_user_id == sa.bindparam("user_id"))
)
# A business and its helpers in one round trip: one row per helper (or one with NULL).
_BUSINESS = hot(
    sa.select(t.businesses, t.business_helpers.c.helper_id)
    .outerjoin(t.business_helpers, t.business_helpers.c.business_id == t.businesses.c.id)
    .where(t.businesses.c.id == sa.bindparam("business_id"))
    .order_by(t.business_helpers.c.position)
)


class SqlRosterRepository:
    def __init__(self, conn: AsyncConnection):
        self.conn = conn
        # Identity map for this unit of work: one message reads the same people several times.
        self._people: dict[str, Person | None] = {}
        self._businesses: dict[str, Business | None] = {}

    async def person(self, person_id: str) -> Person | None:
        if person_id not in self._people:
            row = (await self.conn.execute(_PERSON, {"person_id": person_id})).first()
            self._people[person_id] = _person_from_row(row) if row else None
        return self._people[person_id]

    async def person_by_identity(self, platform: str, platform_user_id: str) -> Person | None:
        row = (await self.conn.execute(_PERSON_BY_IDENTITY, {"platform": platform, "user_id": platform_user_id})).first()
        if row is None:
            return None
        person = _person_from_row(row)
        self._people[person.id] = person
        return person

    async def people(self, *, role: str | None = None, department: str | None = None) -> list[Person]:
        query = sa.select(t.people).order_by(t.people.c.id)
        if role is not None:
            query = query.where(t.people.c.role == role)
        if department is not None:
            query = query.where(t.people.c.department_code == department)
        return [_person_from_row(r) for r in await self.conn.execute(query)]

    async def business(self, business_id: str) -> Business | None:
        if business_id not in self._businesses:
            self._businesses[business_id] = await self._read_business(business_id)
        return self._businesses[business_id]

    async def _read_business(self, business_id: str) -> Business | None:
        rows = (await self.conn.execute(_BUSINESS, {"business_id": business_id})).all()
        if not rows:
            return None
        row = rows[0]
        return Business(
            id=row.id,
            name=row.name,
            kind=BusinessKind(row.kind),
            credit_code=row.credit_code,
            address=row.address,
            zone_code=row.zone_code,
            park_code=row.park_code,
            helper_ids=tuple(r.helper_id for r in rows if r.helper_id is not None),
            fictional=row.fictional,
        )

    async def department(self, code: str) -> Department | None:
        row = (await self.conn.execute(sa.select(t.departments).where(t.departments.c.code == code))).first()
        return _department_from_row(row) if row else None

    async def departments(self) -> list[Department]:
        rows = await self.conn.execute(sa.select(t.departments).order_by(t.departments.c.code))
        return [_department_from_row(r) for r in rows]

    async def is_empty(self) -> bool:
        count = await self.conn.scalar(sa.select(sa.func.count()).select_from(t.people))
        return not count

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
        self._people.clear()
        self._businesses.clear()
        await self._upsert(t.streets, "code", [{"code": s.code, "name": s.name} for s in streets])
        await self._upsert(
            t.zones, "code",
            [{"code": z.code, "street_code": z.street_code, "name": z.name, "areas": list(z.areas)} for z in zones],
        )
        await self._upsert(
            t.parks, "code",
            [{"code": p.code, "street_code": p.street_code, "name": p.name, "areas": list(p.areas)} for p in parks],
        )
        await self._upsert(
            t.departments, "code",
            [
                {"code": d.code, "name": d.name, "full_name": d.full_name,
                 "working_group": d.working_group, "hub": d.hub.value if d.hub else None}
                for d in departments
            ],
        )
        await self._upsert(
            t.people, "id",
            [
                {"id": p.id, "name": p.name, "role": p.role.value, "phone": p.phone,
                 "tier": p.tier.value if p.tier else None, "zone_code": p.zone_code,
                 "park_code": p.park_code, "department_code": p.department_code,
                 "hub": p.hub.value if p.hub else None, "business_id": p.business_id,
                 "fictional": p.fictional}
                for p in people
            ],
        )
        businesses = list(businesses)
        await self._upsert(
            t.businesses, "id",
            [
                {"id": b.id, "name": b.name, "kind": b.kind.value, "credit_code": b.credit_code,
                 "address": b.address, "zone_code": b.zone_code, "park_code": b.park_code,
                 "fictional": b.fictional}
                for b in businesses
            ],
        )
        for b in businesses:
            await self.conn.execute(sa.delete(t.business_helpers).where(t.business_helpers.c.business_id == b.id))
            if b.helper_ids:
                await self.conn.execute(
                    sa.insert(t.business_helpers),
                    [{"business_id": b.id, "helper_id": h, "position": i} for i, h in enumerate(b.helper_ids)],
                )

    async def identity(self, platform: str, platform_user_id: str) -> str | None:
        c = t.identities.c
        return await self.conn.scalar(
            sa.select(c.person_id).where(c.platform == platform, c.platform_user_id == platform_user_id)
        )

    async def bind_identity(self, platform: str, platform_user_id: str, person_id: str) -> None:
        await self._upsert_row(
            t.identities,
            {"platform": platform, "platform_user_id": platform_user_id},
            {"person_id": person_id},
        )

    async def zones(self) -> list[Zone]:
        rows = await self.conn.execute(sa.select(t.zones).order_by(t.zones.c.code))
        return [Zone(r.code, r.street_code, r.name, tuple(r.areas)) for r in rows]

    async def parks(self) -> list[Park]:
        rows = await self.conn.execute(sa.select(t.parks).order_by(t.parks.c.code))
        return [Park(r.code, r.street_code, r.name, tuple(r.areas)) for r in rows]

    async def streets(self) -> list[Street]:
        rows = await self.conn.execute(sa.select(t.streets).order_by(t.streets.c.code))
        return [Street(r.code, r.name) for r in rows]

    async def _upsert_row(self, table: sa.Table, key: dict[str, Any], values: dict[str, Any]) -> None:
        where = [table.c[k] == v for k, v in key.items()]
        updated = await self.conn.execute(sa.update(table).where(*where).values(values))
        if updated.rowcount == 0:
            await self.conn.execute(sa.insert(table).values({**key, **values}))

    async def _upsert(self, table: sa.Table, key: str, rows: list[dict[str, Any]]) -> None:
        # Portable upsert: organisation data is small and loaded rarely.
        for row in rows:
            await self._upsert_row(table, {key: row[key]}, {k: v for k, v in row.items() if k != key})


_INSERT_CORRECTION = hot(sa.insert(t.classifier_corrections))


class SqlCorrectionLog:
    def __init__(self, conn: AsyncConnection):
        self.conn = conn

    async def add(self, correction: Correction) -> None:
        await self.conn.execute(_INSERT_CORRECTION, asdict(correction))

    async def all(self) -> list[Correction]:
        c = t.classifier_corrections.c
        rows = await self.conn.execute(sa.select(t.classifier_corrections).order_by(c.id))
        return [
            Correction(r.ticket_id, r.text, r.category, r.suggested_department, r.department, r.actor_id, r.created_at)
            for r in rows
        ]
