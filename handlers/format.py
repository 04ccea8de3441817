"""Chinese wording shared by the handlers: dates, deadlines, ticket summaries."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.core.ticket import STATUS_LABELS, Ticket

WEEKDAYS = "一二三四五六日"


def local(dt: datetime, tz: ZoneInfo) -> datetime:
    return dt.astimezone(tz)


def day(d: date) -> str:
    """10月8日（周四）"""
    return f"{d.month}月{d.day}日（周{WEEKDAYS[d.weekday()]}）"


def moment(dt: datetime, tz: ZoneInfo) -> str:
    """10月8日（周四）17:30"""
    t = local(dt, tz)
    return f"{day(t.date())}{t:%H:%M}"


def deadline_sentence(ticket: Ticket, tz: ZoneInfo) -> str:
    if ticket.answer_due_at is None:
        return "该诉求已提级至市级平台办理，服务员将持续跟进并及时告知您进展。"
    sentence = f"将于{moment(ticket.answer_due_at, tz)}前答复解决方案和预计完成时间。"
    if ticket.calendar_unconfirmed:
        sentence += "（该期限涉及尚未公布的节假日安排，如遇放假将顺延。）"
    return sentence


def ticket_ref(ticket_id: int | None) -> str:
    return f"#{ticket_id}"


def status_label(ticket: Ticket) -> str:
    return STATUS_LABELS[ticket.status]


def shorten(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
