"""The saga store: a saga's new state, its history and its outbox commit together.

Concurrent transitions of one saga (two replies at once) are kept apart by the `version`
column: an update names the version it read, and a writer that lost the race gets nothing
written and starts again from the stored saga.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from infra import tracing
from infra.stores.driver_sql import DriverSql, DriverTransaction, insert_statement
from orchestrator.adapters.rows import (
    history_rows,
    naive_utc,
    outbox_rows,
    saga_from_row,
    saga_row,
)
from orchestrator.adapters.tables import outbox, saga_history, sagas
from orchestrator.adapters.traces import latest_traceparents
from orchestrator.domain.messages import Decision
from orchestrator.domain.model import Saga

OutboxRow = dict[str, Any]


class VersionConflict(RuntimeError):
    """Another writer changed the saga between our read and our write; nothing was written."""


@dataclass(frozen=True)
class Applied:
    """A transition stored: the saga as read, the decision taken, the outbox rows written."""

    before: Saga
    decision: Decision
    rows: list[OutboxRow]


# Every column list and conversion below is read from the tables (tables.py), never repeated.
SAGA_COLUMNS = tuple(column.name for column in sagas.columns)
JSON_COLUMNS = frozenset(c.name for c in sagas.columns if isinstance(c.type, sa.JSON))
INSTANT_COLUMNS = frozenset(c.name for c in sagas.columns if isinstance(c.type, sa.DateTime))
HISTORY_COLUMNS = tuple(c.name for c in saga_history.columns if c.name != "id")
OUTBOX_COLUMNS = tuple(column.name for column in outbox.columns)
UPDATED_COLUMNS = tuple(name for name in SAGA_COLUMNS if name != "saga_id")

SELECT_SAGA = f"SELECT {', '.join(SAGA_COLUMNS)} FROM sagas WHERE saga_id = %s"
SELECT_SAGA_BY_KEY = (
    f"SELECT {', '.join(SAGA_COLUMNS)} FROM sagas WHERE agency_id = %s AND idempotency_key = %s"
)
INSERT_SAGA = insert_statement("sagas", SAGA_COLUMNS)
UPDATE_SAGA = (
    f"UPDATE sagas SET {', '.join(f'{name} = %s' for name in UPDATED_COLUMNS)} "
    "WHERE saga_id = %s AND version = %s"
)
INSERT_HISTORY = insert_statement("saga_history", HISTORY_COLUMNS)
INSERT_OUTBOX = insert_statement("outbox", OUTBOX_COLUMNS)


class SagaStore:
    """The message handlers' reads and writes go straight to the driver (`DriverSql`); the
    periodic sweeps and the operators' queries go through SQLAlchemy Core."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._sql = DriverSql(engine)
        self._skip_locked = not self._sql.is_sqlite

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    async def ping(self) -> None:
        async with self._sql.transaction() as transaction:
            await transaction.rows("SELECT 1")

    async def get(self, saga_id: str) -> Saga | None:
        async with self._sql.transaction() as transaction:
            return await self._load(transaction, SELECT_SAGA, (saga_id,))

    async def get_by_key(self, agency_id: str, idempotency_key: str) -> Saga | None:
        async with self._sql.transaction() as transaction:
            return await self._load(transaction, SELECT_SAGA_BY_KEY, (agency_id, idempotency_key))

    async def insert(
        self, decision: Decision, causation_id: str | None, now: datetime
    ) -> list[OutboxRow] | None:
        """Store a new saga; None when its id or idempotency key is already taken."""
        try:
            async with self._sql.transaction() as transaction:
                values = self._saga_values(decision.saga)
                await transaction.execute(INSERT_SAGA, [values[name] for name in SAGA_COLUMNS])
                return await self._write(transaction, decision, causation_id, now)
        except IntegrityError:
            return None

    async def insert_batch(
        self, items: Sequence[tuple[Decision, str | None]], now: datetime
    ) -> list[list[OutboxRow]] | None:
        """Store several new sagas in one transaction (one multi-row insert each for the sagas,
        their history and their outbox): each one's outbox rows; None, having written nothing,
        when any of their ids or idempotency keys is already taken (the caller then stores
        them one by one, and the repeat finds the saga it repeats)."""
        try:
            async with self._sql.transaction() as transaction:
                await transaction.execute_many(
                    INSERT_SAGA,
                    [
                        [values[name] for name in SAGA_COLUMNS]
                        for values in (self._saga_values(d.saga) for d, _ in items)
                    ],
                )
                await self._insert_history(transaction, [d for d, _ in items], now)
                rows = [outbox_rows(decision, cause, now) for decision, cause in items]
                await self._insert_outbox(transaction, [row for one in rows for row in one])
                return rows
        except IntegrityError:
            return None

    async def apply(
        self,
        saga_id: str,
        decide: Callable[[Saga], Decision],
        causation_id: str | None,
        now: datetime,
    ) -> Applied | None:
        """Read a saga, decide and store its transition in one transaction (one connection,
        one commit); None when there is no such saga. Raises VersionConflict, having written
        nothing, when another writer changed the saga in between."""
        async with self._sql.transaction() as transaction:
            saga = await self._load(transaction, SELECT_SAGA, (saga_id,))
            if saga is None:
                return None
            decision = decide(saga)
            if not await self._update(transaction, decision, saga.revision):
                raise VersionConflict(saga_id)  # leaving the block rolls back
            return Applied(
                saga, decision, await self._write(transaction, decision, causation_id, now)
            )

    async def apply_batch(
        self, items: Sequence[tuple[str, Callable[[Saga], Decision], str | None]], now: datetime
    ) -> list[Applied | Exception | None]:
        """Several transitions, of one saga or many, in one transaction: every saga read in one
        query, each item decided in order on the saga as the items before it left it, each
        changed saga written once (at the revision read), the history and the outbox rows in
        one multi-row insert each. Per item: what was applied, None for a saga the store does
        not have, or the exception its decision raised (nothing of that item is written).
        Raises VersionConflict, having written nothing, when another writer changed one of the
        sagas in between."""
        ids = list(dict.fromkeys(saga_id for saga_id, _, _ in items))
        marks = ", ".join(["%s"] * len(ids))
        query = f"SELECT {', '.join(SAGA_COLUMNS)} FROM sagas WHERE saga_id IN ({marks})"
        results: list[Applied | Exception | None] = []
        async with self._sql.transaction() as transaction:
            current = {
                saga.saga_id: saga for saga in map(self._saga, await transaction.rows(query, ids))
            }
            read_revisions = {saga_id: saga.revision for saga_id, saga in current.items()}
            written: list[tuple[Decision, str | None]] = []
            for saga_id, decide, causation_id in items:
                saga = current.get(saga_id)
                if saga is None:
                    results.append(None)
                    continue
                try:
                    decision = decide(saga)
                except Exception as exc:  # this item alone; the caller deals with it
                    results.append(exc)
                    continue
                current[saga_id] = decision.saga
                written.append((decision, causation_id))
                rows = outbox_rows(decision, causation_id, now)
                results.append(Applied(saga, decision, rows))
            for saga_id, revision in read_revisions.items():
                if not await self._update(transaction, Decision(current[saga_id]), revision):
                    raise VersionConflict(saga_id)  # leaving the block rolls back
            await self._insert_history(transaction, [d for d, _ in written], now)
            messages = [
                row for result in results if isinstance(result, Applied) for row in result.rows
            ]
            await self._insert_outbox(transaction, messages)
        return results

    async def apply_due(
        self, now: datetime, limit: int, decide: Callable[[Saga], Decision]
    ) -> list[Applied]:
        """Feed the timeouts of sagas whose deadline passed, each row locked once."""
        query = (
            f"SELECT {', '.join(SAGA_COLUMNS)} FROM sagas WHERE next_deadline_at <= %s "
            "ORDER BY next_deadline_at LIMIT %s"
        )
        if self._skip_locked:
            query += " FOR UPDATE SKIP LOCKED"
        applied: list[Applied] = []
        async with self._sql.transaction() as transaction:
            due = [
                self._saga(row)
                for row in await transaction.rows(query, (self._sql.instant(now), limit))
            ]
            traces = await latest_traceparents(transaction, [saga.saga_id for saga in due])
            for saga in due:
                # In the saga's own trace: where its time went includes the deadline it passed.
                with tracing.resumed_span(
                    "saga deadline passed", traces.get(saga.saga_id), saga.saga_id
                ):
                    decision = decide(saga)
                    if await self._update(transaction, decision, saga.revision):
                        rows = await self._write(transaction, decision, None, now)
                        applied.append(Applied(saga, decision, rows))
        return applied

    async def unsent(self, before: datetime, limit: int = 500) -> list[OutboxRow]:
        query = (
            sa.select(outbox)
            .where(outbox.c.sent_at.is_(None), outbox.c.created_at <= naive_utc(before))
            .order_by(outbox.c.created_at)
            .limit(limit)
        )
        async with self._engine.connect() as connection:
            return [dict(r) for r in (await connection.execute(query)).mappings().all()]

    async def count_by_state(self) -> dict[str, int]:
        query = sa.select(sagas.c.state, sa.func.count()).group_by(sagas.c.state)
        async with self._engine.connect() as connection:
            return {state: count for state, count in (await connection.execute(query)).all()}

    async def mark_sent(self, message_ids: Sequence[str], now: datetime) -> None:
        if not message_ids:
            return
        placeholders = ", ".join(["%s"] * len(message_ids))
        async with self._sql.transaction() as transaction:
            await transaction.execute(
                f"UPDATE outbox SET sent_at = %s WHERE message_id IN ({placeholders})",
                [self._sql.instant(now), *message_ids],
            )

    async def _write(
        self,
        transaction: DriverTransaction,
        decision: Decision,
        causation_id: str | None,
        now: datetime,
    ) -> list[OutboxRow]:
        await self._insert_history(transaction, [decision], now)
        messages = outbox_rows(decision, causation_id, now)
        await self._insert_outbox(transaction, messages)
        return messages

    async def _insert_history(
        self, transaction: DriverTransaction, decisions: Sequence[Decision], now: datetime
    ) -> None:
        sql = self._sql
        history = [row for decision in decisions for row in history_rows(decision, now)]
        if history:
            await transaction.execute_many(
                INSERT_HISTORY,
                [
                    [
                        sql.json(row[name]) if name == "payload" else _plain(sql, row[name])
                        for name in HISTORY_COLUMNS
                    ]
                    for row in history
                ],
            )

    async def _insert_outbox(
        self, transaction: DriverTransaction, messages: Sequence[OutboxRow]
    ) -> None:
        if messages:
            sql = self._sql
            await transaction.execute_many(
                INSERT_OUTBOX,
                [[_plain(sql, row[name]) for name in OUTBOX_COLUMNS] for row in messages],
            )

    async def _load(
        self, transaction: DriverTransaction, query: str, args: Sequence[Any]
    ) -> Saga | None:
        found = await transaction.rows(query, args)
        return self._saga(found[0]) if found else None

    def _saga(self, found: Sequence[Any]) -> Saga:
        row = dict(zip(SAGA_COLUMNS, found, strict=True))
        for name in JSON_COLUMNS:
            row[name] = self._sql.read_json(row[name])
        for name in INSTANT_COLUMNS:
            row[name] = self._sql.read_instant(row[name])
        return saga_from_row(row)

    async def _update(
        self, transaction: DriverTransaction, decision: Decision, read_revision: int
    ) -> bool:
        """Store the decided saga if it is still at the revision read; False if it moved on."""
        if decision.saga.revision == read_revision:
            return True  # nothing changed (a duplicate, a late reply): only history is written
        values = self._saga_values(decision.saga)
        changed = await transaction.execute(
            UPDATE_SAGA,
            [*(values[name] for name in UPDATED_COLUMNS), decision.saga.saga_id, read_revision],
        )
        return changed == 1

    def _saga_values(self, saga: Saga) -> dict[str, Any]:
        values = saga_row(saga)
        for name in JSON_COLUMNS:
            values[name] = self._sql.json(values[name])
        for name in INSTANT_COLUMNS:
            values[name] = self._sql.instant(values[name])
        return values


def _plain(sql: DriverSql, value: Any) -> Any:
    return sql.instant(value) if isinstance(value, datetime) else value
