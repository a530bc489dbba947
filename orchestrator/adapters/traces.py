"""Each saga's traces, read from its outbox: every outgoing message keeps the traceparent of its
cause (`outbox.traceparent`, infra/tracing.py), so the saga's first one names the trace that
started it, and its latest one is where work no message caused (a passed deadline, an
operator's action) joins it. Nothing is read when the orchestrator does not trace."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from infra import tracing
from infra.stores.driver_sql import DriverTransaction
from orchestrator.adapters.tables import outbox


async def latest_traceparents(
    statements: DriverTransaction, saga_ids: Sequence[str]
) -> dict[str, str]:
    """The traceparent of each saga's latest outgoing message that has one."""
    if not tracing.enabled() or not saga_ids:
        return {}
    marks = ", ".join(["%s"] * len(saga_ids))
    query = (
        f"SELECT saga_id, traceparent FROM outbox WHERE saga_id IN ({marks}) "
        "AND traceparent IS NOT NULL ORDER BY created_at"
    )
    return dict(await statements.rows(query, saga_ids))


async def latest_traceparent(engine: AsyncEngine, saga_id: str) -> str | None:
    """The traceparent of the saga's latest outgoing message (an operator's action joins it)."""
    if not tracing.enabled():
        return None
    return await _one_traceparent(engine, saga_id, outbox.c.created_at.desc())


async def first_trace_id(engine: AsyncEngine, saga_id: str) -> str | None:
    """The id of the trace the saga started in: its first outgoing message's, whether or not
    the orchestrator traces now (a trace recorded before stays worth a link)."""
    traceparent = await _one_traceparent(engine, saga_id, outbox.c.created_at)
    return None if traceparent is None else tracing.trace_id_of(traceparent)


async def _one_traceparent(
    engine: AsyncEngine, saga_id: str, order: sa.ColumnElement[object]
) -> str | None:
    query = (
        sa.select(outbox.c.traceparent)
        .where(outbox.c.saga_id == saga_id, outbox.c.traceparent.is_not(None))
        .order_by(order)
        .limit(1)
    )
    async with engine.connect() as connection:
        found: str | None = (await connection.execute(query)).scalar()
    return found
