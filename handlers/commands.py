"""Chat commands, each declared once: name, aliases, typed arguments, roles, summary, example.

The declaration drives parsing, the permission check by role, the 帮助 text and the usage line
shown on a mistake. Handlers register themselves with `@command(...)`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any, Awaitable, Callable, Iterable

from bot.core.org import Role


class Kind(Enum):
    TICKET = "ticket"  # optional #12; defaults to the ticket the user last saw
    DEPARTMENT = "department"
    DEPARTMENTS = "departments"
    DATE = "date"
    RATING = "rating"
    PLATFORM = "platform"
    REF = "ref"  # an external reference number
    TEXT = "text"  # the rest of the line


@dataclass(frozen=True)
class Arg:
    name: str
    kind: Kind
    label: str
    required: bool = True

    def usage(self) -> str:
        if self.kind == Kind.TICKET:
            return "[工单号]"
        if self.kind == Kind.DEPARTMENTS:
            return f"{self.label}…"
        return self.label if self.required else f"[{self.label}]"


Handler = Callable[..., Awaitable[None]]


@dataclass(frozen=True)
class Command:
    name: str
    aliases: tuple[str, ...]
    args: tuple[Arg, ...]
    roles: frozenset[Role]
    summary: str
    example: str
    handler: Handler
    # Business owners type free text; a command word must be followed by a separator for
    # them, so that "补充材料要哪些" stays a question instead of becoming 补充.
    strict_for_business: bool = True

    @property
    def words(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def usage(self) -> str:
        return " ".join([self.name, *(a.usage() for a in self.args)])

    @property
    def takes_ticket(self) -> bool:
        return any(a.kind == Kind.TICKET for a in self.args)


REGISTRY: list[Command] = []


def command(
    name: str,
    *,
    aliases: Iterable[str] = (),
    args: Iterable[Arg] = (),
    roles: Iterable[Role],
    summary: str,
    example: str,
) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        cmd = Command(name, tuple(aliases), tuple(args), frozenset(roles), summary, example, fn)
        clash = {w for c in REGISTRY for w in c.words} & set(cmd.words)
        if clash:
            raise ValueError(f"command word declared twice: {clash}")
        REGISTRY.append(cmd)
        return fn

    return register


def ticket_arg() -> Arg:
    return Arg("ticket_id", Kind.TICKET, "工单号", required=False)


# -- parsing -------------------------------------------------------------------------------------


class ParseError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


SEPARATORS = " \t\u3000:：,，、;；"
_SEP = re.compile(r"[\s:：,，、;；]+")
_TICKET = re.compile(r"[#＃]\s*(\d{1,9})|(\d{1,9})(?=[\s:：,，、;；]|$)")
_DATE = re.compile(
    r"(?P<rel>大后天|今天|明天|后天)"
    r"|(?:(?P<y>\d{4})\s*[-/.年]\s*)?(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?"
)
_RELATIVE_DAYS = {"今天": 0, "明天": 1, "后天": 2, "大后天": 3}
_RATING = re.compile(r"([1-5１-５一二三四五])\s*(?:分|星)?")
_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-/]{2,63}")
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5}


def find_command(text: str, role: Role, commands: Iterable[Command]) -> tuple[Command, str] | None:
    """The command a message starts with, and the rest of the message."""
    stripped = text.strip()
    candidates = sorted(((w, c) for c in commands for w in c.words), key=lambda wc: -len(wc[0]))
    for word, cmd in candidates:
        if not stripped.startswith(word):
            continue
        rest = stripped[len(word):]
        if role == Role.BUSINESS and cmd.strict_for_business and rest and rest[0] not in SEPARATORS + "#＃0123456789":
            continue
        return cmd, rest.strip(SEPARATORS)
    return None


def suggest(text: str, commands: Iterable[Command]) -> str | None:
    words = [w for c in commands for w in c.words]
    head = text.strip()[:6]
    for size in (4, 3, 2):
        match = difflib.get_close_matches(head[:size], words, n=1, cutoff=0.5)
        if match:
            return match[0]
    return None


@dataclass
class ParseContext:
    """What argument parsing needs from outside: department names and today's date."""

    resolve_department: Callable[[str], tuple[str, int] | None]  # prefix match → (code, length)
    today: date


def parse_args(cmd: Command, rest: str, pc: ParseContext) -> dict[str, Any]:
    values: dict[str, Any] = {}
    args = list(cmd.args)
    for i, arg in enumerate(args):
        rest = rest.lstrip(SEPARATORS)
        following = args[i + 1].kind if i + 1 < len(args) else None
        if arg.kind == Kind.TICKET:
            values[arg.name], rest = _take_ticket(rest, following)
        elif arg.kind == Kind.DEPARTMENT:
            found = pc.resolve_department(rest)
            if found is None:
                raise ParseError(f"请写明{arg.label}名称，例如：区人社局。" if not rest else f"没有找到名为「{_first_word(rest)}」的部门。")
            values[arg.name], rest = found[0], rest[found[1]:]
        elif arg.kind == Kind.DEPARTMENTS:
            codes: list[str] = []
            while True:
                rest = rest.lstrip(SEPARATORS)
                found = pc.resolve_department(rest) if rest else None
                if found is None:
                    break
                codes.append(found[0])
                rest = rest[found[1]:]
            if not codes:
                raise ParseError(f"请写明{arg.label}，例如：区市场监管局 区城管委。")
            if rest.strip(SEPARATORS) and following is None:
                raise ParseError(f"没有找到名为「{_first_word(rest)}」的部门。")
            values[arg.name] = tuple(codes)
        elif arg.kind == Kind.DATE:
            values[arg.name], rest = _take_date(rest, pc.today, arg)
        elif arg.kind == Kind.RATING:
            m = _RATING.match(rest)
            if not m:
                raise ParseError("请给出 1 到 5 的评分。")
            digit = m.group(1)
            values[arg.name] = _CN_DIGITS.get(digit) or int(digit.translate(str.maketrans("１２３４５", "12345")))
            rest = rest[m.end():]
        elif arg.kind == Kind.PLATFORM:
            for platform in ("12345", "津产发"):
                if rest.startswith(platform):
                    values[arg.name], rest = platform, rest[len(platform):]
                    break
            else:
                raise ParseError("请写明提级渠道：12345 或 津产发。")
        elif arg.kind == Kind.REF:
            m = _REF.match(rest)
            values[arg.name], rest = (m.group(0), rest[m.end():]) if m else ("", rest)
        elif arg.kind == Kind.TEXT:
            if following == Kind.DATE:
                values[arg.name], rest = _split_trailing_date(rest)
            else:
                values[arg.name], rest = rest.strip(), ""
            if arg.required and not values[arg.name]:
                raise ParseError(f"请写上{arg.label}。")
    return values


def _first_word(text: str) -> str:
    return _SEP.split(text.strip(SEPARATORS), maxsplit=1)[0][:20]


def _take_ticket(rest: str, following: Kind | None) -> tuple[int | None, str]:
    m = _TICKET.match(rest)
    if not m:
        return None, rest
    if m.group(1) is None and following in (Kind.RATING, Kind.PLATFORM, Kind.DATE):
        return None, rest  # a bare number here is the rating / 12345 / a date, not a ticket
    return int(m.group(1) or m.group(2)), rest[m.end():]


def _make_date(m: re.Match[str], today: date) -> date:
    if m.group("rel"):
        return today + timedelta(days=_RELATIVE_DAYS[m.group("rel")])
    year = int(m.group("y")) if m.group("y") else today.year
    try:
        value = date(year, int(m.group("m")), int(m.group("d")))
    except ValueError as exc:
        raise ParseError(f"日期「{m.group(0)}」不存在，请检查。") from exc
    if not m.group("y") and value < today:
        value = date(year + 1, value.month, value.day)  # "1月5日" written in December
    return value


def _take_date(rest: str, today: date, arg: Arg) -> tuple[date | None, str]:
    m = _DATE.match(rest)
    if not m:
        if arg.required:
            raise ParseError(f"请写明{arg.label}，例如：2026-10-20 或 10月20日。")
        return None, rest
    return _make_date(m, today), rest[m.end():]


def _split_trailing_date(rest: str) -> tuple[str, str]:
    """答复 <solution> <date>: the date is the last date in the line."""
    # "今天" inside the solution is words, not the date: a relative day counts only at the end.
    matches = [
        m for m in _DATE.finditer(rest) if not m.group("rel") or not rest[m.end():].strip(SEPARATORS + "。.")
    ]
    if not matches:
        return rest.strip(SEPARATORS), ""
    last = matches[-1]
    return (rest[: last.start()] + rest[last.end():]).strip(SEPARATORS), rest[last.start(): last.end()]


def help_text(role: Role, commands: Iterable[Command]) -> str:
    mine = [c for c in commands if role in c.roles]
    lines = ["可用指令（不写工单号时，默认指您最近查看的工单）："]
    for c in mine:
        alias = f"（也可用：{'、'.join(c.aliases)}）" if c.aliases else ""
        lines.append(f"· {c.usage()} — {c.summary}{alias}\n  例：{c.example}")
    return "\n".join(lines)


def usage_reply(cmd: Command, message: str) -> str:
    return f"{message}\n用法：{cmd.usage()}\n例如：{cmd.example}"


def now_date(at: datetime, tz) -> date:
    return at.astimezone(tz).date()
