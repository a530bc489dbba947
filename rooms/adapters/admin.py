"""Catalogue rows as operators read and write them, by id, on any catalogue table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from rooms.adapters.executor import Executor


async def get(db: Executor, table: sa.Table, row_id: str) -> dict[str, Any] | None:
    row = (await db.execute(sa.select(table).where(table.c.id == row_id))).mappings().first()
    return None if row is None else dict(row)


async def list_where(
    db: Executor, table: sa.Table, equal: Mapping[str, object], limit: int = 500
) -> list[dict[str, Any]]:
    query = sa.select(table).order_by(table.c.id).limit(limit)
    for column, value in equal.items():
        if value is not None:
            query = query.where(table.c[column] == value)
    return [dict(row) for row in (await db.execute(query)).mappings()]


async def insert(db: Executor, table: sa.Table, values: Mapping[str, Any]) -> None:
    await db.execute(table.insert().values(**values))


async def update(db: Executor, table: sa.Table, row_id: str, values: Mapping[str, Any]) -> bool:
    if not values:
        return await get(db, table, row_id) is not None
    result = await db.execute(table.update().where(table.c.id == row_id).values(**values))
    return bool(result.rowcount)  # type: ignore[attr-defined]
