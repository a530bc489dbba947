"""Reservations as MongoDB documents.

Amounts are strings and dates ISO strings: exact on every server (the MongoDB-protocol
server used in development has no Decimal128), and ISO dates sort and compare as dates.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from reservations.domain.model import (
    HotelSnapshot,
    NightPrice,
    Reservation,
    ReservationStatus,
    RoomSnapshot,
    StatusChange,
)

Document = dict[str, Any]


def to_document(reservation: Reservation) -> Document:
    return {
        "_id": reservation.reservation_id,
        "confirmation_code": reservation.confirmation_code,
        "saga_id": reservation.saga_id,
        "client_id": reservation.client_id,
        "agency_id": reservation.agency_id,
        "hotel": {"id": reservation.hotel.hotel_id, "name": reservation.hotel.name},
        "room": {
            "room_type_id": reservation.room.room_type_id,
            "room_type_name": reservation.room.room_type_name,
            "room_id": reservation.room.room_id,
            "room_number": reservation.room.room_number,
        },
        "stay": {
            "check_in": reservation.check_in.isoformat(),
            "check_out": reservation.check_out.isoformat(),
            "nights": reservation.nights,
        },
        "guests": reservation.guests,
        "nightly_prices": [
            {"night": price.night.isoformat(), "price": _amount(price.price)}
            for price in reservation.nightly_prices
        ],
        "total": _amount(reservation.total),
        "currency": reservation.currency,
        "status": str(reservation.status),
        "status_history": [
            {"status": str(change.status), "at": change.at, "reason": change.reason}
            for change in reservation.status_history
        ],
        "created_at": reservation.created_at,
        "updated_at": reservation.updated_at,
    }


def from_document(document: Document) -> Reservation:
    hotel, room, stay = document["hotel"], document["room"], document["stay"]
    return Reservation(
        reservation_id=document["_id"],
        confirmation_code=document["confirmation_code"],
        saga_id=document["saga_id"],
        client_id=document["client_id"],
        agency_id=document["agency_id"],
        hotel=HotelSnapshot(hotel["id"], hotel["name"]),
        room=RoomSnapshot(
            room["room_type_id"], room["room_type_name"], room["room_id"], room["room_number"]
        ),
        check_in=date.fromisoformat(stay["check_in"]),
        check_out=date.fromisoformat(stay["check_out"]),
        guests=document["guests"],
        nightly_prices=tuple(
            NightPrice(date.fromisoformat(price["night"]), Decimal(price["price"]))
            for price in document["nightly_prices"]
        ),
        total=Decimal(document["total"]),
        currency=document["currency"],
        status=ReservationStatus(document["status"]),
        status_history=tuple(
            StatusChange(ReservationStatus(change["status"]), _utc(change["at"]), change["reason"])
            for change in document["status_history"]
        ),
        created_at=_utc(document["created_at"]),
        updated_at=_utc(document["updated_at"]),
    )


def _amount(value: Decimal) -> str:
    return f"{value:f}"  # never exponent notation: "100", not "1E+2"


def _utc(value: datetime) -> datetime:
    # BSON keeps milliseconds in UTC; a client without tz_aware gives naive values.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
