"""Run a synchronous function on a connection to either backend (for schema inspection)."""

from __future__ import annotations

import asyncio
from typing import Any, Callable

from sqlalchemy.engine import Connection

from storage.engine import create_engine, create_sync_engine, is_sqlite


def on_connection(url: str, fn: Callable[[Connection], Any]) -> Any:
    if is_sqlite(url):
        engine = create_sync_engine(url)
        try:
            with engine.connect() as conn:
                return fn(conn)
        finally:
            engine.dispose()

    async def run() -> Any:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(fn)
        finally:
            await engine.dispose()

    return asyncio.run(run())
