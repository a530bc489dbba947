"""The three store operations of a booking, as plain SQL and one document, for the floor, the
Celery and the Temporal baselines, and what they share to reach the stores. They use the same
tables as the rooms and clients services (made by the same migrations), so every system does
the same work on the same schema.

Parameters use the `%s` style that both asyncmy and PyMySQL take.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import asyncmy
from sqlalchemy.engine import make_url

from tests.bench.workload import BookingRequest

DUPLICATE_KEY = 1062  # MySQL/MariaDB ER_DUP_ENTRY

# Rooms of the type free on every night of [check_in, check_out), in a stable order.
FREE_ROOMS = (
    "SELECT r.id FROM rooms r WHERE r.room_type_id = %s AND NOT EXISTS ("
    "SELECT 1 FROM room_nights n WHERE n.room_id = r.id AND n.night >= %s AND n.night < %s"
    ") ORDER BY r.id"
)
# One row per night; the primary key (room_id, night) refuses a night already taken.
TAKE_NIGHT = "INSERT INTO room_nights (room_id, night, hold_id) VALUES (%s, %s, %s)"
HELD_BY = "SELECT room_id FROM room_nights WHERE hold_id = %s LIMIT 1"
RELEASE = "DELETE FROM room_nights WHERE hold_id = %s"
CLIENT_STATUS = "SELECT status FROM clients WHERE id = %s"
HOLDING_IDS = "SELECT DISTINCT hold_id FROM room_nights"

RESERVATIONS = "reservations"


def reservation_document(request: BookingRequest, booking_id: str, room_id: str) -> dict[str, Any]:
    return {
        "_id": booking_id,
        "client_id": request.client_id,
        "hotel_id": request.hotel_id,
        "room_type_id": request.room_type_id,
        "room_id": room_id,
        "check_in": request.check_in.isoformat(),
        "check_out": request.check_out.isoformat(),
        "status": "confirmed",
    }


def booking_request(data: Mapping[str, Any]) -> BookingRequest:
    """A booking request from its JSON form (dates as ISO text), as the baselines carry it."""
    return BookingRequest(
        booking_key=data["booking_key"],
        kind=data["kind"],
        client_id=data["client_id"],
        hotel_id=data["hotel_id"],
        room_type_id=data["room_type_id"],
        check_in=date.fromisoformat(data["check_in"]),
        check_out=date.fromisoformat(data["check_out"]),
        guests=data["guests"],
    )


def nights_of(check_in: str, check_out: str) -> list[date]:
    """Every night of [check_in, check_out), from ISO dates."""
    first, end = date.fromisoformat(check_in), date.fromisoformat(check_out)
    return [first + timedelta(days=n) for n in range((end - first).days)]


async def open_pool(db_url: str, size: int, autocommit: bool) -> Any:
    """An asyncmy pool on a baseline's database, isolated as the platform's engines are."""
    url = make_url(db_url)
    return await asyncmy.create_pool(
        minsize=1,
        maxsize=size,
        host=url.host or "127.0.0.1",
        port=url.port or 3306,
        user=url.username or "root",
        password=url.password or "",
        database=url.database,
        autocommit=autocommit,
        # As the platform's engines: no gap locks between concurrent holds.
        init_command="SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
    )


async def holding_ids(rooms_url: str) -> list[str]:
    """The holds that have nights in a baseline's rooms database, read after its run."""
    url = make_url(rooms_url)
    connection = await asyncmy.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 3306,
        user=url.username or "root",
        password=url.password or "",
        database=url.database,
    )
    try:
        async with connection.cursor() as cursor:
            await cursor.execute(HOLDING_IDS)
            return [str(row[0]) for row in await cursor.fetchall()]
    finally:
        await connection.ensure_closed()
