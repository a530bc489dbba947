"""Reservations as MongoDB documents.

Amounts are strings and dates ISO strings: exact on every server (the MongoDB-protocol
server used in development has no Decimal128), and ISO dates sort and compare as dates.

A changed reservation is still one document: `version` (1 as written by the booking),
`changed_by` (the change saga that wrote the current version, else null) and `history`, the
versions it replaced, oldest first, each with the room, stay, guests, prices and total it had,
and `replaced_by` / `replacement` / `replaced_at` / `reason` saying what replaced it. Documents
stored before changes existed have none of these fields: they read as version 1, no history.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from reservations.domain.model import (
    HotelSnapshot,
    NightPrice,
    PastVersion,
    Replacement,
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
        "room": _room_document(reservation.room),
        "stay": _stay_document(reservation.check_in, reservation.check_out),
        "guests": reservation.guests,
        "nightly_prices": _prices_document(reservation.nightly_prices),
        "total": _amount(reservation.total),
        "currency": reservation.currency,
        "status": str(reservation.status),
        "status_history": [
            {"status": str(change.status), "at": change.at, "reason": change.reason}
            for change in reservation.status_history
        ],
        "created_at": reservation.created_at,
        "updated_at": reservation.updated_at,
        "version": reservation.version,
        "changed_by": reservation.changed_by,
        "history": [_past_document(past) for past in reservation.history],
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
        room=_room(room),
        check_in=date.fromisoformat(stay["check_in"]),
        check_out=date.fromisoformat(stay["check_out"]),
        guests=document["guests"],
        nightly_prices=_prices(document["nightly_prices"]),
        total=Decimal(document["total"]),
        currency=document["currency"],
        status=ReservationStatus(document["status"]),
        status_history=tuple(
            StatusChange(ReservationStatus(change["status"]), _utc(change["at"]), change["reason"])
            for change in document["status_history"]
        ),
        created_at=_utc(document["created_at"]),
        updated_at=_utc(document["updated_at"]),
        # Absent from documents stored before reservations could change.
        version=document.get("version") or 1,
        changed_by=document.get("changed_by"),
        history=tuple(_past(past) for past in document.get("history") or ()),
    )


def _room_document(room: RoomSnapshot) -> Document:
    return {
        "room_type_id": room.room_type_id,
        "room_type_name": room.room_type_name,
        "room_id": room.room_id,
        "room_number": room.room_number,
    }


def _room(room: Document) -> RoomSnapshot:
    return RoomSnapshot(
        room["room_type_id"], room["room_type_name"], room["room_id"], room["room_number"]
    )


def _stay_document(check_in: date, check_out: date) -> Document:
    return {
        "check_in": check_in.isoformat(),
        "check_out": check_out.isoformat(),
        "nights": (check_out - check_in).days,
    }


def _prices_document(prices: tuple[NightPrice, ...]) -> list[Document]:
    return [{"night": price.night.isoformat(), "price": _amount(price.price)} for price in prices]


def _prices(prices: list[Document]) -> tuple[NightPrice, ...]:
    return tuple(
        NightPrice(date.fromisoformat(price["night"]), Decimal(price["price"])) for price in prices
    )


def _past_document(past: PastVersion) -> Document:
    return {
        "version": past.version,
        "room": _room_document(past.room),
        "stay": _stay_document(past.check_in, past.check_out),
        "guests": past.guests,
        "nightly_prices": _prices_document(past.nightly_prices),
        "total": _amount(past.total),
        "currency": past.currency,
        "replaced_by": past.replaced_by,
        "replacement": str(past.replacement),
        "replaced_at": past.replaced_at,
        "reason": past.reason,
    }


def _past(document: Document) -> PastVersion:
    stay = document["stay"]
    return PastVersion(
        version=document["version"],
        room=_room(document["room"]),
        check_in=date.fromisoformat(stay["check_in"]),
        check_out=date.fromisoformat(stay["check_out"]),
        guests=document["guests"],
        nightly_prices=_prices(document["nightly_prices"]),
        total=Decimal(document["total"]),
        currency=document["currency"],
        replaced_by=document["replaced_by"],
        replacement=Replacement(document["replacement"]),
        replaced_at=_utc(document["replaced_at"]),
        reason=document.get("reason"),
    )


def _amount(value: Decimal) -> str:
    return f"{value:f}"  # never exponent notation: "100", not "1E+2"


def _utc(value: datetime) -> datetime:
    # BSON keeps milliseconds in UTC; a client without tz_aware gives naive values.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
