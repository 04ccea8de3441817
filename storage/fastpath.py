"""A lean executor for the hot statements on the inline SQLite connection.

SQLAlchemy compiles each hot statement once (SQL text, parameter order, the column types'
bind and result processors); afterwards it runs straight on the sqlite3 cursor. Measured here:
~75 µs per statement through SQLAlchemy's execution machinery, ~10 µs this way, on the path
every chat message takes. Only statements registered with `hot()` (built once at import, no
expanding IN parameters) take this path; everything else, and PostgreSQL, uses SQLAlchemy.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any, Iterator

from sqlalchemy.engine import Connection

_HOT: set[int] = set()
_KEEP: list[Any] = []  # hot statements live for the process: ids are never reused


def hot(statement):
    """Register a module-level statement for the fast path; returns it unchanged."""
    _HOT.add(id(statement))
    _KEEP.append(statement)
    return statement


def is_hot(statement) -> bool:
    return id(statement) in _HOT


class _Plan:
    __slots__ = ("sql", "order", "processors", "defaults", "row", "result_processors")

    def __init__(self, statement, dialect, keys: tuple[str, ...]):
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        self.sql = compiled.string
        self.order = tuple(compiled.positiontup or ())
        bind_processors = compiled._bind_processors
        self.processors = tuple(bind_processors.get(name) for name in self.order)
        # Literal values bound by the statement itself (LIMIT 1, version + 1...).
        self.defaults = {
            name: bind.value for name, bind in compiled.binds.items() if bind.value is not None and not bind.required
        }
        columns = compiled._result_columns
        self.row = _row_type(tuple(c.keyname for c in columns)) if columns else None
        self.result_processors = tuple(c.type._cached_result_processor(dialect, None) for c in columns)

    def arguments(self, params: dict[str, Any]) -> list[Any]:
        out = []
        for name, process in zip(self.order, self.processors):
            value = params[name] if name in params else self.defaults[name]
            out.append(process(value) if process is not None and value is not None else value)
        return out

    def make_row(self, raw: tuple):
        return self.row(*(p(v) if p is not None else v for p, v in zip(self.result_processors, raw)))


def _row_type(names: tuple[str, ...]):
    base = namedtuple("Row", names, rename=True)

    class Row(base):  # type: ignore[misc, valid-type]
        __slots__ = ()

        @property
        def _mapping(self) -> dict[str, Any]:
            return dict(zip(names, self))

    return Row


class FastResult:
    """The part of SQLAlchemy's Result the repositories use."""

    __slots__ = ("_rows", "rowcount")

    def __init__(self, rows: list | None, rowcount: int):
        self._rows = rows or []
        self.rowcount = rowcount

    def __iter__(self) -> Iterator:
        return iter(self._rows)

    def all(self) -> list:
        return list(self._rows)

    def first(self):
        return self._rows[0] if self._rows else None

    def scalar(self):
        return self._rows[0][0] if self._rows else None

    def scalar_one_or_none(self):
        if len(self._rows) > 1:
            raise ValueError("more than one row")
        return self.scalar()

    def scalar_one(self):
        if len(self._rows) != 1:
            raise ValueError(f"expected one row, got {len(self._rows)}")
        return self._rows[0][0]


class FastExecutor:
    def __init__(self, conn: Connection):
        self._conn = conn
        self._plans: dict[tuple[int, tuple[str, ...]], _Plan] = {}

    def _plan(self, statement, keys: tuple[str, ...]) -> _Plan:
        key = (id(statement), keys)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = _Plan(statement, self._conn.dialect, keys)
        return plan

    def execute(self, statement, parameters=None) -> FastResult:
        if not self._conn.in_transaction():
            self._conn.begin()  # through SQLAlchemy, so BEGIN IMMEDIATE and commit() stay its job
        cursor = self._conn.connection.dbapi_connection.cursor()
        try:
            if isinstance(parameters, list):
                keys = tuple(sorted(parameters[0]))
                plan = self._plan(statement, keys)
                cursor.executemany(plan.sql, [plan.arguments(p) for p in parameters])
                return FastResult(None, cursor.rowcount)
            params = parameters or {}
            plan = self._plan(statement, tuple(sorted(params)))
            cursor.execute(plan.sql, plan.arguments(params))
            if plan.row is None:
                return FastResult(None, cursor.rowcount)
            rows = [plan.make_row(r) for r in cursor.fetchall()]
            return FastResult(rows, cursor.rowcount)
        finally:
            cursor.close()
