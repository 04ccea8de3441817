"""The one place that turns configuration files into domain objects and wires dependencies."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.core.channels import Channel, ChannelRule, DeadlinePolicy, office_time
from bot.core.org import (
    Business,
    BusinessKind,
    Department,
    HelperTier,
    Hub,
    Park,
    Person,
    Role,
    Street,
    Zone,
)
from bot.core.ports import UnitOfWork
from bot.core.reminders import Ladder
from bot.core.workdays import WorkCalendar, unconfirmed_warning_zh
from config.data import read_toml
from config.settings import Settings

log = logging.getLogger(__name__)


def build_policy(settings: Settings) -> DeadlinePolicy:
    data = read_toml(settings.policy_file)
    hours = data["office_hours"]
    calendar = WorkCalendar.from_file(
        settings.holidays_file,
        office_start=office_time(hours["start"]),
        office_end=office_time(hours["end"]),
        tz=hours.get("timezone", "Asia/Shanghai"),
    )
    rules = {
        Channel(c["id"]): ChannelRule(
            channel=Channel(c["id"]),
            name=c["name"],
            motto=c["motto"],
            answer_days=c.get("answer_days"),
            follow_up_days=c.get("follow_up_days"),
        )
        for c in data["channel"]
    }
    missing = set(Channel) - set(rules)
    if missing:
        raise ValueError(f"{settings.policy_file}: channels missing: {sorted(missing)}")
    tickets = data["tickets"]
    return DeadlinePolicy(
        calendar=calendar,
        rules=rules,
        rate_reminder_workdays=int(tickets["rate_reminder_workdays"]),
        auto_close_workdays=int(tickets["auto_close_workdays"]),
    )


def calendar_warnings(calendar: WorkCalendar, now: datetime) -> list[str]:
    """Loud start-up warnings for this year and next if nobody confirmed their holidays."""
    years = calendar.unconfirmed_years([now.year, now.year + 1])
    return [unconfirmed_warning_zh(years)] if years else []


@dataclass(frozen=True)
class OrgData:
    streets: list[Street]
    zones: list[Zone]
    parks: list[Park]
    departments: list[Department]
    people: list[Person]
    businesses: list[Business]

    def as_kwargs(self) -> dict[str, Any]:
        return dict(
            streets=self.streets,
            zones=self.zones,
            parks=self.parks,
            departments=self.departments,
            people=self.people,
            businesses=self.businesses,
        )


def read_departments(path: Path) -> list[Department]:
    return [
        Department(
            code=d["code"],
            name=d["name"],
            full_name=d["full_name"],
            working_group=bool(d["working_group"]),
            hub=Hub(d["hub"]) if d.get("hub") else None,
        )
        for d in read_toml(path)["department"]
    ]


def read_streets(path: Path) -> list[Street]:
    return [Street(code=s["code"], name=s["name"]) for s in read_toml(path)["street"]]


def read_roster(path: Path, *, fictional: bool) -> OrgData:
    """A roster file: zones, parks, people and businesses (see config/demo_roster.toml)."""
    data = read_toml(path)
    people = [
        Person(
            id=p["id"],
            name=p["name"],
            role=Role(p["role"]),
            phone=p.get("phone", ""),
            tier=HelperTier(p["tier"]) if p.get("tier") else None,
            zone_code=p.get("zone_code"),
            park_code=p.get("park_code"),
            department_code=p.get("department_code"),
            hub=Hub(p["hub"]) if p.get("hub") else None,
            business_id=p.get("business_id"),
            fictional=fictional,
        )
        for p in data.get("person", [])
    ]
    businesses = [
        Business(
            id=b["id"],
            name=b["name"],
            kind=BusinessKind(b["kind"]),
            credit_code=b.get("credit_code", ""),
            address=b.get("address", ""),
            zone_code=b.get("zone_code"),
            park_code=b.get("park_code"),
            helper_ids=tuple(b.get("helpers", ())),
            fictional=fictional,
        )
        for b in data.get("business", [])
    ]
    zones = [Zone(z["code"], z["street"], z["name"], tuple(z.get("areas", ()))) for z in data.get("zone", [])]
    parks = [Park(p["code"], p["street"], p["name"], tuple(p.get("areas", ()))) for p in data.get("park", [])]
    _check_roster(people, businesses, zones, parks)
    return OrgData([], zones, parks, [], people, businesses)


def _check_roster(people: list[Person], businesses: list[Business], zones: list[Zone], parks: list[Park]) -> None:
    ids = {p.id for p in people}
    if len(ids) != len(people):
        raise ValueError("roster: duplicate person id")
    helpers = {p.id for p in people if p.role == Role.HELPER}
    for b in businesses:
        # A file that lists helpers must name only those; one that lists none adds businesses
        # to helpers already in the database (the foreign key checks those).
        unknown = [h for h in b.helper_ids if helpers and h not in helpers]
        if unknown:
            raise ValueError(f"roster: business {b.id} names unknown helpers {unknown}")
    zone_codes = {z.code for z in zones}
    park_codes = {p.code for p in parks}
    for p in people:
        if p.zone_code and p.zone_code not in zone_codes:
            raise ValueError(f"roster: {p.id} in unknown zone {p.zone_code}")
        if p.park_code and p.park_code not in park_codes:
            raise ValueError(f"roster: {p.id} in unknown park {p.park_code}")


async def seed(uow: UnitOfWork, settings: Settings) -> str:
    """Load the real org data always; the fictional demo roster only in demo mode on an empty roster."""
    streets = read_streets(settings.streets_file)
    departments = read_departments(settings.departments_file)
    await uow.roster.load(streets=streets, departments=departments)
    outcome = "org data loaded"
    if settings.demo_mode and await uow.roster.is_empty():
        roster = read_roster(settings.demo_roster_file, fictional=True)
        await uow.roster.load(**roster.as_kwargs())
        outcome = f"demo roster loaded: {len(roster.people)} fictional people, {len(roster.businesses)} businesses"
    await uow.commit()
    return outcome


def read_policy_tickets(settings: Settings) -> dict[str, Any]:
    return read_toml(settings.policy_file)["tickets"]


def build_ladder(settings: Settings) -> Ladder:
    data = read_toml(settings.policy_file)["reminders"]
    return Ladder(
        before_hours=float(data["before_hours"]),
        sweep_seconds=int(data["sweep_seconds"]),
        digest_time=office_time(data["digest_time"]),
    )
