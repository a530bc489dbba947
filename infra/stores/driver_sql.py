"""Statements straight on the database driver, for the hot paths of the message handlers.

Under load, SQLAlchemy's work around each statement (cache keys, compilation, parameter and
result processing, a greenlet hop per driver call) cost several times the statement itself:
a read and an insert in one transaction took 1.3 ms of CPU through SQLAlchemy Core and 0.22 ms
on asyncmy directly. The engine still owns the pool, the URL, the dialect and the migrations;
this module only borrows its connections. SQL is written once with `%s` placeholders and runs
on MySQL (asyncmy) and on embedded SQLite (aiosqlite). Driver errors are raised as SQLAlchemy's
(`IntegrityError`, `OperationalError`, ...), so callers and the consumers' transient-error
retries treat them as before, and a connection that failed is invalidated, never reused.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import asyncmy.errors
import sqlalchemy.exc
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from infra import tracing
from infra.stores.sql import SQLITE_BEGIN

Row = tuple[Any, ...]
SQLITE_INSTANT = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's own storage format for SQLite DATETIME
# Most specific first: each driver error is raised as the SQLAlchemy error of the same name.
ERROR_NAMES = (
    "IntegrityError",
    "DataError",
    "ProgrammingError",
    "OperationalError",
    "InterfaceError",
    "DatabaseError",
)
ErrorMap = list[tuple[type[BaseException], type[sqlalchemy.exc.DBAPIError]]]
CONNECTION_ERRORS = (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError)


class DriverTransaction:
    """Statements on one driver connection, inside a transaction its owner ends."""

    def __init__(self, driver: Any, sqlite: bool, errors: ErrorMap) -> None:
        self._driver = driver
        self._sqlite = sqlite
        self._errors = errors
        self.system = "sqlite" if sqlite else "mysql"  # the database, as traces name it

    @property
    def is_sqlite(self) -> bool:
        return self._sqlite

    def param(self, value: Any) -> Any:
        """A Python value as this driver's parameter, stored as SQLAlchemy stores it: an instant
        as `DriverSql.instant`, a list or dict as JSON text, and on SQLite a date as ISO text and
        a Decimal as a float (SQLAlchemy's Numeric on SQLite; `read_money` rounds it back)."""
        if isinstance(value, datetime):
            return _instant(value, self._sqlite)
        if isinstance(value, list | dict):
            return json.dumps(value)
        if self._sqlite and isinstance(value, date):
            return value.isoformat()
        if self._sqlite and isinstance(value, Decimal):
            return float(value)
        return value

    async def rows(self, sql: str, args: Sequence[Any] = ()) -> list[Row]:
        try:
            with tracing.statement(sql, self.system):
                if self._sqlite:
                    async with self._driver.execute(_qmark(sql), args) as cursor:
                        return list(await cursor.fetchall())
                async with self._driver.cursor() as cursor:
                    await cursor.execute(sql, args)
                    return list(await cursor.fetchall())
        except Exception as exc:
            raise _translated(self._errors, exc) from exc

    async def execute(self, sql: str, args: Sequence[Any] = ()) -> int:
        """Run one statement; the number of rows it matched."""
        try:
            with tracing.statement(sql, self.system):
                if self._sqlite:
                    async with self._driver.execute(_qmark(sql), args) as cursor:
                        return int(cursor.rowcount)
                async with self._driver.cursor() as cursor:
                    return int(await cursor.execute(sql, args))
        except Exception as exc:
            raise _translated(self._errors, exc) from exc

    async def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """One statement for many rows (asyncmy sends a multi-row INSERT)."""
        try:
            with tracing.statement(sql, self.system):
                if self._sqlite:
                    await self._driver.executemany(_qmark(sql), list(rows))
                    return
                async with self._driver.cursor() as cursor:
                    await cursor.executemany(sql, list(rows))
        except Exception as exc:
            raise _translated(self._errors, exc) from exc


class DriverSql:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        self._errors = _driver_errors(sqlite3 if self._sqlite else asyncmy.errors)

    @property
    def is_sqlite(self) -> bool:
        return self._sqlite

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[DriverTransaction]:
        """A connection of its own, committed when the block ends cleanly."""
        async with self._engine.connect() as connection:
            driver: Any = (await connection.get_raw_connection()).driver_connection
            try:
                transaction = DriverTransaction(driver, self._sqlite, self._errors)
                if self._sqlite:
                    # The engine's SQLite driver begins no transaction by itself (make_engine).
                    await transaction.execute(SQLITE_BEGIN)
                yield transaction
                with tracing.statement("COMMIT", transaction.system):
                    await driver.commit()
            except BaseException as exc:
                try:
                    await driver.rollback()
                except Exception:
                    await connection.invalidate()  # a connection that cannot roll back
                else:
                    if isinstance(exc, CONNECTION_ERRORS):
                        await connection.invalidate()
                raise

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[DriverTransaction]:
        """A connection of its own for reads, with no transaction begun: SQLite reads each
        statement on its own (no write lock taken), and the transaction MySQL opens by itself
        is rolled back as the pool takes the connection back."""
        async with self._engine.connect() as connection:
            driver: Any = (await connection.get_raw_connection()).driver_connection
            try:
                yield DriverTransaction(driver, self._sqlite, self._errors)
            except CONNECTION_ERRORS:
                await connection.invalidate()
                raise

    async def within(self, connection: AsyncConnection) -> DriverTransaction:
        """Statements inside the transaction SQLAlchemy runs on `connection`."""
        driver: Any = (await connection.get_raw_connection()).driver_connection
        return DriverTransaction(driver, self._sqlite, self._errors)

    def instant(self, value: datetime | None) -> Any:
        """A parameter for an instant column: naive UTC (SQLite: SQLAlchemy's text form).
        A naive value is taken as UTC already."""
        return None if value is None else _instant(value, self._sqlite)

    @staticmethod
    def read_instant(value: datetime | str | None) -> datetime | None:
        """An instant column's value as an aware UTC datetime."""
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC)

    @staticmethod
    def json(value: Any) -> str:
        return json.dumps(value)

    @staticmethod
    def read_json(value: str | bytes | Any) -> Any:
        return json.loads(value) if isinstance(value, str | bytes) else value


def read_day(value: date | str) -> date:
    """A DATE column's value (SQLite keeps ISO text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def read_money(value: Decimal | float | str) -> Decimal:
    """A NUMERIC(_, 2) column's value: MySQL gives a Decimal, SQLite a float or an int, read
    back as SQLAlchemy does, to the column's two decimal places."""
    return value if isinstance(value, Decimal) else Decimal(f"{float(value):.2f}")


def _instant(value: datetime, sqlite: bool) -> Any:
    naive = value if value.tzinfo is None else value.astimezone(UTC).replace(tzinfo=None)
    return naive.strftime(SQLITE_INSTANT) if sqlite else naive


def insert_statement(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"


def _driver_errors(module: Any) -> ErrorMap:
    return [(getattr(module, name), getattr(sqlalchemy.exc, name)) for name in ERROR_NAMES]


def _translated(errors: ErrorMap, exc: Exception) -> Exception:
    for driver_error, ours in errors:
        if isinstance(exc, driver_error):
            # No parameters: they may hold personal data, and errors end up in logs.
            return ours("(driver statement)", None, exc)
    return exc


def _qmark(sql: str) -> str:
    return sql.replace("%s", "?")
