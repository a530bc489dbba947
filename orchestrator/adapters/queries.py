"""Read-side queries of the saga store for operators: lists, one saga, its history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from orchestrator.adapters.rows import aware, naive_utc
from orchestrator.adapters.tables import saga_history, saga_search

# Read through `saga_search`: the sagas table with its computed search columns.
sagas = saga_search
SUMMARY_COLUMNS = (
    sagas.c.saga_id,
    sagas.c.kind,
    sagas.c.definition_version,
    sagas.c.state,
    sagas.c.phase,
    sagas.c.agency_id,
    sagas.c.agent_id,
    sagas.c.client_id,
    sagas.c.hotel_id,
    sagas.c.created_at,
    sagas.c.updated_at,
    sagas.c.next_deadline_at,
    sagas.c.failure_reason,
    sagas.c.data,  # ids, stay and prices only: what a bookings list shows
    sagas.c.steps,  # when each step was decided: when a booking was first confirmed
)


@dataclass(frozen=True)
class SagaFilter:
    state: str | None = None
    hotel_ids: tuple[str, ...] = ()
    client_ids: tuple[str, ...] = ()
    agency_id: str | None = None
    agent_id: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    kind: str | None = None
    confirmation_code: str | None = None  # as stored: upper case
    stay_from: date | None = None  # stays that overlap [stay_from, stay_to)
    stay_to: date | None = None

    def conditions(self) -> list[sa.ColumnElement[bool]]:
        equal = {
            sagas.c.state: self.state,
            sagas.c.confirmation_code: self.confirmation_code,
            sagas.c.agency_id: self.agency_id,
            sagas.c.agent_id: self.agent_id,
            sagas.c.kind: self.kind,
        }
        conditions = [column == value for column, value in equal.items() if value is not None]
        if self.hotel_ids:
            conditions.append(sagas.c.hotel_id.in_(self.hotel_ids))
        if self.client_ids:
            conditions.append(sagas.c.client_id.in_(self.client_ids))
        if self.stay_from is not None:  # the stay ends after the range starts
            conditions.append(sagas.c.stay_check_out > self.stay_from.isoformat())
        if self.stay_to is not None:  # and starts before it ends
            conditions.append(sagas.c.stay_check_in < self.stay_to.isoformat())
        if self.created_from is not None:
            conditions.append(sagas.c.created_at >= naive_utc(self.created_from))
        if self.created_to is not None:
            conditions.append(sagas.c.created_at < naive_utc(self.created_to))
        return conditions


def _summary(row: Any) -> dict[str, Any]:
    summary = dict(row)
    for key in ("created_at", "updated_at", "next_deadline_at"):
        summary[key] = aware(summary[key])
    return summary


async def list_sagas(
    engine: AsyncEngine, where: SagaFilter, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    conditions = where.conditions()
    page = (
        sa.select(*SUMMARY_COLUMNS)
        .where(*conditions)
        .order_by(sagas.c.created_at.desc(), sagas.c.saga_id)
        .limit(limit)
        .offset(offset)
    )
    total = sa.select(sa.func.count()).select_from(sagas).where(*conditions)
    async with engine.connect() as connection:
        rows = (await connection.execute(page)).mappings().all()
        count = (await connection.execute(total)).scalar_one()
    return [_summary(r) for r in rows], int(count)


async def history(engine: AsyncEngine, saga_id: str) -> list[dict[str, Any]]:
    query = (
        sa.select(saga_history).where(saga_history.c.saga_id == saga_id).order_by(saga_history.c.id)
    )
    async with engine.connect() as connection:
        rows = (await connection.execute(query)).mappings().all()
    return [{**dict(r), "at": aware(r["at"])} for r in rows]
