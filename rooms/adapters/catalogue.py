"""Catalogue reads the domain needs: hotels, room types, their rooms and rates."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from rooms.adapters import night_rates as night_rate_rows
from rooms.adapters.executor import Executor
from rooms.adapters.tables import hotels, rates, room_types, rooms
from rooms.domain.model import Hotel, Rate, RoomType
from rooms.domain.pricing import NO_OVERRIDES


@dataclass(frozen=True)
class SellableType:
    """A room type with its hotel, its seasonal rates and the nightly overrides of the nights
    it was read for (`night_prices`)."""

    hotel: Hotel
    room_type: RoomType
    rates: tuple[Rate, ...]
    night_prices: Mapping[date, Decimal] = field(default_factory=lambda: NO_OVERRIDES)


@dataclass(frozen=True)
class SearchFilter:
    hotel_id: str | None = None
    min_capacity: int = 1
    # Whether a hotel (its city, its country code) is in the place searched: judged here, not
    # in SQL, which folds neither accents nor country names alike on every store.
    in_place: Callable[[str, str], bool] | None = None


@dataclass(frozen=True)
class Sellables:
    types: list[SellableType]
    # Some hotel of the group is in the place searched, whatever its rooms take.
    place_known: bool


def _hotel_of(row: sa.RowMapping) -> Hotel:
    return Hotel(
        id=row["hotel_id"],
        name=row["hotel_name"],
        city=row["city"],
        country=row["country"],
        time_zone=row["time_zone"],
        currency=row["currency"],
    )


def _room_type_of(row: sa.RowMapping) -> RoomType:
    return RoomType(
        id=row["room_type_id"],
        hotel_id=row["hotel_id"],
        name=row["room_type_name"],
        capacity=row["capacity"],
    )


def _sellable_query() -> sa.Select[tuple[object, ...]]:
    return sa.select(
        hotels.c.id.label("hotel_id"),
        hotels.c.name.label("hotel_name"),
        hotels.c.city,
        hotels.c.country,
        hotels.c.time_zone,
        hotels.c.currency,
        room_types.c.id.label("room_type_id"),
        room_types.c.name.label("room_type_name"),
        room_types.c.capacity,
    ).select_from(room_types.join(hotels))


async def sellable_types(
    db: Executor, where: SearchFilter, check_in: date, check_out: date
) -> Sellables:
    """The types matching `where`, with the overrides of the nights [check_in, check_out), and
    whether the place searched has a hotel of the group, from one read of the catalogue."""
    query = _sellable_query()
    if where.hotel_id:
        query = query.where(hotels.c.id == where.hotel_id)
    rows = (await db.execute(query.order_by(hotels.c.id, room_types.c.id))).mappings().all()
    if where.in_place is not None:
        rows = [row for row in rows if where.in_place(row["city"], row["country"])]
    place_known = bool(rows)
    rows = [row for row in rows if row["capacity"] >= where.min_capacity]
    type_ids = [row["room_type_id"] for row in rows]
    rates_of = await rates_by_type(db, type_ids)
    overrides_of = await night_rate_rows.by_type(db, type_ids, check_in, check_out)
    types = [
        SellableType(
            _hotel_of(row),
            _room_type_of(row),
            rates_of.get(row["room_type_id"], ()),
            overrides_of.get(row["room_type_id"], NO_OVERRIDES),
        )
        for row in rows
    ]
    return Sellables(types, place_known)


def _rate_of(row: sa.RowMapping) -> Rate:
    return Rate(
        start_month=row["start_month"],
        end_month=row["end_month"],
        weekday_price=Decimal(row["weekday_price"]),
        weekend_price=Decimal(row["weekend_price"]),
    )


async def rates_by_type(
    db: Executor, room_type_ids: Collection[str]
) -> dict[str, tuple[Rate, ...]]:
    if not room_type_ids:
        return {}
    # In id order, as a hold reads them, so ties between seasons break the same way.
    query = sa.select(rates).where(rates.c.room_type_id.in_(room_type_ids)).order_by(rates.c.id)
    found: defaultdict[str, list[Rate]] = defaultdict(list)
    for row in (await db.execute(query)).mappings():
        found[row["room_type_id"]].append(_rate_of(row))
    return {room_type_id: tuple(found_rates) for room_type_id, found_rates in found.items()}


async def room_types_of_rooms(db: Executor, room_type_ids: Collection[str]) -> dict[str, str]:
    """Every room of the given types, as room id -> room type id."""
    if not room_type_ids:
        return {}
    query = sa.select(rooms.c.id, rooms.c.room_type_id).where(
        rooms.c.room_type_id.in_(room_type_ids)
    )
    return {room_id: room_type_id for room_id, room_type_id in await db.execute(query)}
