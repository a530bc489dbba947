"""Opening the saga store: create the database if missing, migrate, hand back the engine."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from infra.stores.migrations import migrate
from infra.stores.sql import create_database_if_missing, make_engine

MIGRATIONS = Path(__file__).parent / "migrations"


async def open_saga_store(url: str, pool_size: int) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    await create_database_if_missing(url)
    engine = make_engine(url, pool_size=pool_size)
    await migrate(engine, MIGRATIONS)
    return engine
