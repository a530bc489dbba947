"""Opening the rooms store: create the database, apply the migrations."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from infra.stores.migrations import migrate
from infra.stores.sql import create_database_if_missing, make_engine

MIGRATIONS = Path(__file__).parent / "migrations"


async def open_store(url: str, pool_size: int = 10) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    await create_database_if_missing(url)
    engine = make_engine(url, pool_size=pool_size)
    await migrate(engine, MIGRATIONS)
    return engine


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(sa.text("SELECT 1"))
