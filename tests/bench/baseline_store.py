"""The three store operations of a booking, as plain SQL and one document, for the floor and
the Celery baseline. They use the same tables as the rooms and clients services (made by the
same migrations), so every system does the same work on the same schema.

Parameters use the `%s` style that both asyncmy and PyMySQL take.
"""

from __future__ import annotations

from typing import Any

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
