"""Platform-neutral chat types: what comes in from any platform and what goes out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

MAX_TEXT = 2000  # characters of one inbound message we accept; longer is refused politely


@dataclass(frozen=True)
class Inbound:
    platform: str  # "wecom" | "dingtalk" | "sim"
    conversation_id: str
    sender_id: str  # the platform's user id
    text: str
    message_id: str  # the platform's message id: the deduplication key
    at: datetime


@dataclass(frozen=True)
class Button:
    label: str
    command: str  # sent back as a message from the person who clicks


@dataclass(frozen=True)
class Card:
    title: str
    lines: tuple[str, ...] = ()
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class Outbound:
    text: str
    ticket: int | None = None
    card: Card | None = None

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "ticket": self.ticket, "card": card_to_json(self.card)}


@dataclass(frozen=True)
class Push:
    """A message to someone other than the sender, delivered through the outbox."""

    to: str  # person id
    message: Outbound
    purpose: str  # e.g. "forward", "answer": with the ticket, makes the push unique


@dataclass
class Result:
    replies: list[Outbound] = field(default_factory=list)
    pushes: list[Push] = field(default_factory=list)

    def reply(self, text: str, *, ticket: int | None = None, card: Card | None = None) -> Result:
        self.replies.append(Outbound(text, ticket, card))
        return self

    def push(self, to: str, text: str, purpose: str, *, ticket: int | None = None, card: Card | None = None) -> Result:
        self.pushes.append(Push(to, Outbound(text, ticket, card), purpose))
        return self


def card_to_json(card: Card | None) -> dict[str, Any] | None:
    if card is None:
        return None
    return {
        "title": card.title,
        "lines": list(card.lines),
        "buttons": [{"label": b.label, "command": b.command} for b in card.buttons],
    }


def card_from_json(data: dict[str, Any] | None) -> Card | None:
    if not data:
        return None
    return Card(
        title=data["title"],
        lines=tuple(data.get("lines", ())),
        buttons=tuple(Button(b["label"], b["command"]) for b in data.get("buttons", ())),
    )


def outbound_from_json(data: dict[str, Any]) -> Outbound:
    return Outbound(data["text"], data.get("ticket"), card_from_json(data.get("card")))
