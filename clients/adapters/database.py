"""Opening the clients store: create it if missing, migrate it, ping it."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from infra.stores.migrations import migrate
from infra.stores.sql import create_database_if_missing, make_engine

MIGRATIONS = Path(__file__).parent / "migrations"


async def open_store(url: str) -> AsyncEngine:
    """An engine on a migrated store, whose errors never carry the personal data they touched."""
    await create_database_if_missing(url)
    engine = make_engine(url)  # hides statement parameters: errors never quote personal data
    await migrate(engine, MIGRATIONS)
    return engine


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(sa.select(1))
