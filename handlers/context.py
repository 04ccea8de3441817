"""What a chat handler works with: the chat context (shared) and the per-message environment."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable

from bot.core.chat import Inbound, Result
from bot.core.org import Department, Person
from bot.core.ports import UnitOfWork
from bot.core.services import ServiceContext
from bot.core.ticket import Ticket
from handlers.commands import ParseContext, ParseError, now_date


@dataclass
class DepartmentDirectory:
    """Department lookup by what people type: 区人社局, 人社局, 人社, renshe..."""

    departments: dict[str, Department]
    _names: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        names: dict[str, set[str]] = {}

        def add(alias: str, code: str) -> None:
            if alias:
                names.setdefault(alias, set()).add(code)

        for d in self.departments.values():
            short = d.name.removeprefix("区委").removeprefix("区")
            for alias in (d.name, d.full_name, d.code, short):
                add(alias, d.code)
            for suffix in ("分局", "支队", "局", "委", "办", "联", "中心"):
                if short.endswith(suffix) and len(short) - len(suffix) >= 2:
                    add(short[: -len(suffix)], d.code)
            add(short[:2], d.code)
        # Ambiguous aliases (two departments share a prefix) are dropped rather than guessed.
        self._names = sorted(
            ((alias, next(iter(codes))) for alias, codes in names.items() if len(codes) == 1),
            key=lambda item: -len(item[0]),
        )

    def match_prefix(self, text: str) -> tuple[str, int] | None:
        for alias, code in self._names:
            if text.startswith(alias):
                return code, len(alias)
        return None

    def name(self, code: str | None) -> str:
        if code is None:
            return "（未定）"
        d = self.departments.get(code)
        return d.name if d else code

    def names(self, codes) -> str:
        return "、".join(self.name(c) for c in codes)


@dataclass
class ChatContext:
    services: ServiceContext
    directory: DepartmentDirectory
    classify: Callable[[str], Any] | None = None  # not needed by the scheduler or the CLI
    merge_window: timedelta = timedelta(minutes=10)

    @property
    def tz(self):
        return self.services.policy.calendar.tz


@dataclass
class Env:
    """Everything one message's handler needs; handlers never see the platform."""

    uow: UnitOfWork
    chat: ChatContext
    actor: Person | None  # None while an unknown writer registers
    inbound: Inbound
    state: dict[str, Any]
    result: Result = field(default_factory=Result)

    @property
    def ctx(self) -> ServiceContext:
        return self.chat.services

    @property
    def source(self) -> str:
        return f"{self.inbound.platform}:{self.inbound.message_id}"

    def now(self) -> datetime:
        return self.ctx.clock()

    def parse_context(self) -> ParseContext:
        return ParseContext(self.chat.directory.match_prefix, now_date(self.now(), self.chat.tz))

    async def ticket_or_last(self, ticket_id: int | None) -> int:
        """The ticket named, or the one the user last saw: in a reply to them or in a push."""
        if ticket_id is not None:
            return ticket_id
        candidates = []
        if self.state.get("last_ticket") is not None:
            candidates.append((datetime.fromisoformat(self.state["last_ticket_at"]), int(self.state["last_ticket"])))
        if self.actor is not None:
            pushed = await self.uow.outbox.latest_ticket_for(self.actor.id)
            if pushed is not None:
                candidates.append((pushed[1], pushed[0]))
        if not candidates:
            raise ParseError("请写明工单号，例如：#12。")
        return max(candidates)[1]

    def saw(self, ticket: Ticket | int) -> None:
        ticket_id = ticket if isinstance(ticket, int) else ticket.id
        self.state["last_ticket"] = ticket_id
        self.state["last_ticket_at"] = self.now().isoformat()

    def reply(self, text: str, ticket: Ticket | int | None = None, card=None) -> None:
        ticket_id = ticket if isinstance(ticket, int) or ticket is None else ticket.id
        if ticket_id is not None:
            self.saw(ticket_id)
        self.result.reply(text, ticket=ticket_id, card=card)

    def push(self, to: str, text: str, purpose: str, ticket: Ticket | None = None, card=None) -> None:
        if self.actor is not None and to == self.actor.id:
            return  # never notify people of what they just did themselves
        ticket_id = ticket.id if ticket is not None else None
        if any(p.to == to and p.message.text == text for p in self.result.pushes):
            return  # one person reached by two routes (e.g. helper and requester of an extension)
        self.result.push(to, text, purpose, ticket=ticket_id, card=card)
