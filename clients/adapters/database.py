"""Opening the clients store: create it if missing, migrate it, ping it."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from infra.stores.migrations import migrate
from infra.stores.sql import create_database_if_missing, make_engine

MIGRATIONS = Path(__file__).parent / "migrations"


async def open_store(url: str) -> AsyncEngine:
    """An engine on a migrated store, whose errors never carry the personal data they touched."""
    await _create_if_missing(url)
    engine = make_engine(url)
    # SQL errors quote their parameters (emails, names) by default; they reach logs that way.
    engine.sync_engine.hide_parameters = True
    await migrate(engine, MIGRATIONS)
    return engine


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(sa.select(1))


async def _create_if_missing(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        return
    await create_database_if_missing(url)
