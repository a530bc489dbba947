"""A hotel's room types and rooms as its managers act on them, checked to be the hotel's."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import sqlalchemy as sa

from rooms.adapters.executor import Executor
from rooms.adapters.tables import hotels, room_types, rooms
from rooms.domain.model import Hotel, RoomType


@dataclass(frozen=True)
class Room:
    room_id: str
    room_type_id: str
    number: str
    floor: int


async def hotel(db: Executor, hotel_id: str) -> Hotel | None:
    query = sa.select(
        hotels.c.id,
        hotels.c.name,
        hotels.c.city,
        hotels.c.country,
        hotels.c.time_zone,
        hotels.c.currency,
    ).where(hotels.c.id == hotel_id)
    row = (await db.execute(query)).first()
    return None if row is None else Hotel(*row)


async def types_of_hotel(db: Executor, hotel_id: str) -> list[RoomType]:
    query = (
        sa.select(room_types.c.id, room_types.c.hotel_id, room_types.c.name, room_types.c.capacity)
        .where(room_types.c.hotel_id == hotel_id)
        .order_by(room_types.c.name, room_types.c.id)
    )
    return [RoomType(*row) for row in await db.execute(query)]


async def currency_of_type_in_hotel(db: Executor, hotel_id: str, room_type_id: str) -> str | None:
    """The hotel's currency if `room_type_id` is one of its types, else None."""
    query = (
        sa.select(hotels.c.currency)
        .select_from(room_types.join(hotels))
        .where(room_types.c.id == room_type_id, hotels.c.id == hotel_id)
    )
    currency: str | None = (await db.execute(query)).scalar()
    return currency


async def rooms_of_types(db: Executor, room_type_ids: Collection[str]) -> list[Room]:
    """The rooms of the given types, by floor and number."""
    if not room_type_ids:
        return []
    query = (
        sa.select(rooms.c.id, rooms.c.room_type_id, rooms.c.number, rooms.c.floor)
        .where(rooms.c.room_type_id.in_(room_type_ids))
        .order_by(rooms.c.floor, rooms.c.number, rooms.c.id)
    )
    return [Room(*row) for row in await db.execute(query)]
