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
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from contracts.topology import Topology
from orchestrator.adapters.rows import (
    history_rows,
    naive_utc,
    outbox_rows,
    saga_from_row,
    saga_row,
)
from orchestrator.adapters.tables import outbox, saga_history, sagas
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


class SagaStore:
    def __init__(self, engine: AsyncEngine, topology: Topology) -> None:
        self._engine = engine
        self._topology = topology
        self._skip_locked = engine.dialect.name != "sqlite"

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    async def ping(self) -> None:
        async with self._engine.connect() as connection:
            await connection.execute(sa.text("SELECT 1"))

    async def get(self, saga_id: str) -> Saga | None:
        async with self._engine.connect() as connection:
            return await _load(connection, sagas.c.saga_id == saga_id)

    async def get_by_key(self, agency_id: str, idempotency_key: str) -> Saga | None:
        async with self._engine.connect() as connection:
            return await _load(
                connection,
                sa.and_(sagas.c.agency_id == agency_id, sagas.c.idempotency_key == idempotency_key),
            )

    async def insert(
        self, decision: Decision, causation_id: str | None, now: datetime
    ) -> list[OutboxRow] | None:
        """Store a new saga; None when its id or idempotency key is already taken."""
        try:
            async with self._engine.begin() as connection:
                await connection.execute(sagas.insert().values(**saga_row(decision.saga)))
                return await self._write(connection, decision, causation_id, now)
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
        async with self._engine.begin() as connection:
            saga = await _load(connection, sagas.c.saga_id == saga_id)
            if saga is None:
                return None
            decision = decide(saga)
            if not await _update(connection, decision, saga.revision):
                raise VersionConflict(saga_id)  # leaving the block rolls back
            return Applied(
                saga, decision, await self._write(connection, decision, causation_id, now)
            )

    async def apply_due(
        self, now: datetime, limit: int, decide: Callable[[Saga], Decision]
    ) -> list[OutboxRow]:
        """Feed the timeouts of sagas whose deadline passed, each row locked once."""
        query = (
            sa.select(sagas)
            .where(sagas.c.next_deadline_at <= naive_utc(now))
            .order_by(sagas.c.next_deadline_at)
            .limit(limit)
        )
        if self._skip_locked:
            query = query.with_for_update(skip_locked=True)
        written: list[OutboxRow] = []
        async with self._engine.begin() as connection:
            for row in (await connection.execute(query)).mappings().all():
                saga = saga_from_row(row)
                decision = decide(saga)
                if await _update(connection, decision, saga.revision):
                    written += await self._write(connection, decision, None, now)
        return written

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
        async with self._engine.begin() as connection:
            await connection.execute(
                outbox.update()
                .where(outbox.c.message_id.in_(message_ids))
                .values(sent_at=naive_utc(now))
            )

    async def _write(
        self,
        connection: AsyncConnection,
        decision: Decision,
        causation_id: str | None,
        now: datetime,
    ) -> list[OutboxRow]:
        if history := history_rows(decision, now):
            await connection.execute(saga_history.insert(), history)
        messages = outbox_rows(decision, self._topology, causation_id, now)
        if messages:
            await connection.execute(outbox.insert(), messages)
        return messages


async def _load(connection: AsyncConnection, condition: sa.ColumnElement[bool]) -> Saga | None:
    row = (await connection.execute(sa.select(sagas).where(condition))).mappings().first()
    return None if row is None else saga_from_row(row)


async def _update(connection: AsyncConnection, decision: Decision, read_revision: int) -> bool:
    if decision.saga.revision == read_revision:
        return True  # nothing changed (a duplicate, a late reply): only history is written
    values = saga_row(decision.saga)
    del values["saga_id"]
    result = await connection.execute(
        sagas.update()
        .where(sagas.c.saga_id == decision.saga.saga_id, sagas.c.version == read_revision)
        .values(**values)
    )
    return result.rowcount == 1
