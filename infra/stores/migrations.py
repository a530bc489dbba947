"""Alembic migrations applied at start-up, on the service's own async engine.

Processes that share a store (the agents' app and the dashboard, replicas) may start together:
on MySQL each takes a named lock first, so one migrates while the others wait and then find
the schema at its head. SQLite's `BEGIN IMMEDIATE` serializes them already.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

LOCK_SECONDS = 120


async def migrate(engine: AsyncEngine, script_location: Path) -> None:
    async with engine.begin() as connection:
        locks = connection.dialect.name in {"mysql", "mariadb"}
        if locks:
            await connection.execute(
                text("SELECT GET_LOCK(CONCAT('migrate:', DATABASE()), :seconds)"),
                {"seconds": LOCK_SECONDS},
            )
        try:
            await connection.run_sync(_upgrade, script_location)
        finally:
            if locks:
                await connection.execute(
                    text("SELECT RELEASE_LOCK(CONCAT('migrate:', DATABASE()))")
                )


def _upgrade(connection: Connection, script_location: Path) -> None:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
