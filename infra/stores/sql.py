"""Async SQL engines: MySQL through asyncmy, or embedded SQLite through aiosqlite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext import asyncio as sqlalchemy_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def make_engine(url: str | URL, pool_size: int = 10) -> AsyncEngine:
    # Looked up at each call: when tracing, the SQLAlchemy instrumentation replaces it there.
    create_async_engine = sqlalchemy_asyncio.create_async_engine
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_async_engine(parsed, connect_args={"timeout": 30}, hide_parameters=True)
        event.listen(engine.sync_engine, "connect", _sqlite_connected)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    return create_async_engine(
        parsed,
        pool_size=pool_size,
        max_overflow=pool_size,
        # No ping before each checkout: it was a round trip per transaction. A connection the
        # server dropped fails its statement, is discarded with the pool's other connections,
        # and the consumer's transient-error retry runs the work again on a fresh one.
        pool_recycle=1800,
        isolation_level="READ COMMITTED",
        # Statement parameters may hold personal data; errors and logs must not repeat them.
        hide_parameters=True,
    )


# SQLite transactions are begun here, not by the sqlite3 driver. In its legacy mode the driver
# emits BEGIN only before INSERT, UPDATE or DELETE: reads ran outside the transaction, and a
# SAVEPOINT opened before any write began the transaction itself, so releasing it committed
# on its own and a later rollback did not undo it. BEGIN IMMEDIATE takes the write lock at
# once (waiting up to busy_timeout): with a deferred BEGIN, a transaction that read and then
# wrote would fail at once with "database is locked" whenever another one wrote in between.
SQLITE_BEGIN = "BEGIN IMMEDIATE"


def _sqlite_connected(dbapi_connection: Any, _record: object) -> None:
    dbapi_connection.isolation_level = None  # the driver emits no BEGIN; COMMIT/ROLLBACK work
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    connection.exec_driver_sql(SQLITE_BEGIN)


async def create_database_if_missing(url: str | URL) -> None:
    """Create the MySQL database named in `url`, or the folder of a SQLite file."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        return
    if not parsed.database:
        return
    server = create_async_engine(parsed.set(database=""), pool_size=1)
    try:
        async with server.begin() as connection:
            await connection.execute(
                text(
                    f"CREATE DATABASE IF NOT EXISTS `{parsed.database}` "
                    "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                )
            )
    finally:
        await server.dispose()


async def drop_database(url: str | URL) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" or not parsed.database:
        return
    server = create_async_engine(parsed.set(database=""), pool_size=1)
    try:
        async with server.begin() as connection:
            await connection.execute(text(f"DROP DATABASE IF EXISTS `{parsed.database}`"))
    finally:
        await server.dispose()
