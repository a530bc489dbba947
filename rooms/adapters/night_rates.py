"""Nightly rate overrides of room types: set, removed and read over a range of nights."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from rooms.adapters.executor import Executor
from rooms.adapters.tables import night_rates
from rooms.domain.pricing import nights_of


def _in_range(start: date, end: date) -> sa.ColumnElement[bool]:
    return sa.and_(night_rates.c.night >= start, night_rates.c.night < end)


async def set_price(db: Executor, room_type_id: str, start: date, end: date, price: Decimal) -> int:
    """Every night of [start, end) sells at `price` (replacing any override there)."""
    await remove(db, room_type_id, start, end)
    rows = [
        {"room_type_id": room_type_id, "night": night, "price": price}
        for night in nights_of(start, end)
    ]
    await db.execute(night_rates.insert(), rows)
    return len(rows)


async def remove(db: Executor, room_type_id: str, start: date, end: date) -> int:
    """The nights of [start, end) go back to the seasonal rate; returns how many had a price."""
    result = await db.execute(
        night_rates.delete().where(
            night_rates.c.room_type_id == room_type_id, _in_range(start, end)
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def by_type(
    db: Executor, room_type_ids: Collection[str], start: date, end: date
) -> dict[str, dict[date, Decimal]]:
    """The overrides of [start, end) of each type that has any: type -> night -> price."""
    if not room_type_ids:
        return {}
    query = sa.select(night_rates).where(
        night_rates.c.room_type_id.in_(room_type_ids), _in_range(start, end)
    )
    found: defaultdict[str, dict[date, Decimal]] = defaultdict(dict)
    for row in (await db.execute(query)).mappings():
        found[row["room_type_id"]][row["night"]] = Decimal(row["price"])
    return dict(found)
