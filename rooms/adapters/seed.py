"""Load the demo group into the store; running it again adds only what is missing."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from rooms.adapters.seed_data import HOTELS, ROOM_TYPES, SeedHotel, SeedRoomType
from rooms.adapters.tables import hotels, rates, room_types, rooms

HIGH_SEASON_FACTOR = Decimal("1.3")
WEEKEND_FACTOR = Decimal("1.15")


def _price(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _hotel_row(hotel: SeedHotel) -> dict[str, Any]:
    return {
        "id": hotel.id,
        "name": hotel.name,
        "address": hotel.address,
        "city": hotel.city,
        "country": hotel.country,
        "continent": hotel.continent,
        "time_zone": hotel.time_zone,
        "currency": hotel.currency,
        "stars": hotel.stars,
        **_voucher_details(hotel),
    }


def _voucher_details(hotel: SeedHotel) -> dict[str, Any]:
    return {
        "phone": hotel.phone,
        "check_in_time": hotel.check_in_time,
        "check_out_time": hotel.check_out_time,
        "free_cancellation_hours": hotel.free_cancellation_hours,
    }


def _rate_rows(hotel: SeedHotel, kind: SeedRoomType, room_type_id: str) -> list[dict[str, Any]]:
    base = hotel.base_price * kind.price_factor
    high = base * HIGH_SEASON_FACTOR
    start, end = hotel.high_season
    return [
        {
            "id": f"{room_type_id}-{season}",
            "room_type_id": room_type_id,
            "season": season,
            "start_month": first,
            "end_month": last,
            "weekday_price": _price(price),
            "weekend_price": _price(price * WEEKEND_FACTOR),
        }
        for season, first, last, price in (("year", 1, 12, base), ("high", start, end, high))
    ]


def _room_rows(kind: SeedRoomType, room_type_id: str, type_index: int) -> Iterator[dict[str, Any]]:
    for n in range(kind.rooms):
        floor = 1 + n // 4 + 2 * type_index
        number = f"{floor}{n % 4 + 1:02d}"
        yield {
            "id": f"{room_type_id}-{number}",
            "room_type_id": room_type_id,
            "number": number,
            "floor": floor,
        }


def demo_rows() -> dict[sa.Table, list[dict[str, Any]]]:
    rows: dict[sa.Table, list[dict[str, Any]]] = {hotels: [], room_types: [], rooms: [], rates: []}
    for hotel in HOTELS:
        rows[hotels].append(_hotel_row(hotel))
        for type_index, kind in enumerate(ROOM_TYPES):
            room_type_id = f"{hotel.id}-{kind.suffix}"
            rows[room_types].append(
                {
                    "id": room_type_id,
                    "hotel_id": hotel.id,
                    "name": kind.name,
                    "capacity": kind.capacity,
                    "beds": kind.beds,
                    "amenities": list(kind.amenities),
                }
            )
            rows[rooms].extend(_room_rows(kind, room_type_id, type_index))
            rows[rates].extend(_rate_rows(hotel, kind, room_type_id))
    return rows


async def _insert_missing(
    connection: AsyncConnection, table: sa.Table, rows: list[dict[str, Any]]
) -> int:
    existing = set((await connection.execute(sa.select(table.c.id))).scalars())
    missing = [row for row in rows if row["id"] not in existing]
    if missing:
        await connection.execute(table.insert(), missing)
    return len(missing)


async def _fill_voucher_details(connection: AsyncConnection) -> None:
    """Demo hotels seeded before hotels had a phone (migration 0005) get theirs, and their
    times; a hotel given a phone since is left as it is."""
    blank = sa.select(hotels.c.id).where(
        hotels.c.phone == "", hotels.c.id.in_([hotel.id for hotel in HOTELS])
    )
    ids = set((await connection.execute(blank)).scalars())
    for hotel in (hotel for hotel in HOTELS if hotel.id in ids):
        details = hotels.update().where(hotels.c.id == hotel.id, hotels.c.phone == "")
        await connection.execute(details.values(**_voucher_details(hotel)))


async def seed(engine: AsyncEngine) -> dict[str, int]:
    """Insert the demo group's missing rows; returns how many rows each table gained."""
    added: dict[str, int] = {}
    async with engine.begin() as connection:
        # Parents first, so foreign keys hold at every insert.
        for table, rows in demo_rows().items():
            added[table.name] = await _insert_missing(connection, table, rows)
        await _fill_voucher_details(connection)
    return added
