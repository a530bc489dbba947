"""What the public API says about a change of a booking: the request, its id, its view, and
the price of a change before the agent asks for it."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contracts.sagas import TERMINAL_STATES
from web.bookings import EntityId, IsoDate, check_stay, reason_fields

CHANGE_ID_NAMESPACE = uuid.UUID("2d0f7c1e-8b4a-4e55-9f3a-61c2b7e04d93")
KIND = "change"


def change_id_for(booking_id: str, idempotency_key: str) -> str:
    """A change's id, from the booking and the agent's key: a retry names the same change."""
    return str(uuid.uuid5(CHANGE_ID_NAMESPACE, f"{booking_id}\x1f{idempotency_key}"))


class ChangeRequest(BaseModel):
    """The booking as the agent wants it: new dates, and optionally another room type of the
    same hotel or another number of guests (unchanged when left out)."""

    model_config = ConfigDict(extra="forbid")

    check_in: IsoDate
    check_out: IsoDate
    room_type_id: EntityId | None = None
    guests: Annotated[int | None, Field(ge=1, le=12)] = None

    @model_validator(mode="after")
    def _stay_is_forward(self) -> ChangeRequest:
        check_stay(self.check_in, self.check_out)
        return self

    def wanted(self, booking: dict[str, Any]) -> dict[str, Any]:
        """The booking's stay, room type and guests once changed, in the saga's JSON shape."""
        data = booking.get("data") or {}
        stay = {"check_in": self.check_in.isoformat(), "check_out": self.check_out.isoformat()}
        return {
            "room_type_id": self.room_type_id or data.get("room_type_id"),
            "stay": stay,
            "guests": self.guests or data.get("guests"),
        }

    def changes_nothing(self, booking: dict[str, Any]) -> bool:
        data = booking.get("data") or {}
        now = {name: data.get(name) for name in ("room_type_id", "stay", "guests")}
        return self.wanted(booking) == now

    def differs_from(self, change: dict[str, Any], booking: dict[str, Any]) -> bool:
        """Whether this request asks for another change than the stored one (same key)."""
        data = change.get("data") or {}
        stored = {name: data.get(name) for name in ("room_type_id", "stay", "guests")}
        return self.wanted(booking) != stored


def is_change_of(booking_id: str) -> Any:
    def belongs(saga: dict[str, Any]) -> bool:
        return bool(
            saga.get("kind") == KIND and (saga.get("data") or {}).get("booking_id") == booking_id
        )

    return belongs


def _difference(after: Any, before: Any) -> str | None:
    if after is None or before is None:
        return None
    return str(Decimal(str(after)) - Decimal(str(before)))


def change_view(saga: dict[str, Any]) -> dict[str, Any]:
    data = saga.get("data") or {}
    before = data.get("before") or {}
    stay = data.get("stay") or {}
    after = {
        "room_type_id": data.get("room_type_id"),
        "room_type": data.get("room_type_name"),
        "check_in": stay.get("check_in"),
        "check_out": stay.get("check_out"),
        "guests": data.get("guests"),
        "total": data.get("total"),  # known once the new nights are held
        "currency": data.get("currency"),
    }
    was = {
        "room_type_id": before.get("room_type_id"),
        "room_type": before.get("room_type_name"),
        "check_in": (before.get("stay") or {}).get("check_in"),
        "check_out": (before.get("stay") or {}).get("check_out"),
        "guests": before.get("guests"),
        "total": before.get("total"),
        "currency": before.get("currency"),
    }
    booking_id = data.get("booking_id") or ""
    return {
        "change_id": saga["saga_id"],
        "booking_id": booking_id,
        "status": saga["state"],
        "ended": saga["state"] in TERMINAL_STATES,
        "reason": saga.get("failure_reason"),
        **reason_fields(saga.get("failure_reason")),
        "before": was if before else None,
        "after": after,
        "difference": _difference(after["total"], was["total"]),
        "steps": saga.get("steps", []),
        "created_at": saga.get("created_at"),
        "updated_at": saga.get("updated_at"),
        "links": change_links(booking_id, saga["saga_id"]),
    }


def change_links(booking_id: str, change_id: str) -> dict[str, str]:
    return {
        "self": f"/api/bookings/{booking_id}/changes/{change_id}",
        "events": f"/api/bookings/{booking_id}/changes/{change_id}/events",
        "booking": f"/api/bookings/{booking_id}",
    }


def quote(booking: dict[str, Any], offers: list[dict[str, Any]]) -> dict[str, Any]:
    """What each room type of the booking's hotel would cost for the new dates, and the
    difference with what the booking costs now."""
    data = booking.get("data") or {}
    total, currency = data.get("total"), data.get("currency")
    options = [
        {
            "room_type_id": offer["room_type_id"],
            "room_type": offer["room_type"],
            "capacity": offer["capacity"],
            "available": offer["available"],
            "total": str(offer["total"]),
            "currency": offer["currency"],
            "difference": _difference(offer["total"], total)
            if offer["currency"] == currency
            else None,
            "current_room_type": offer["room_type_id"] == data.get("room_type_id"),
        }
        for offer in offers
        if offer["hotel_id"] == data.get("hotel_id")
    ]
    return {
        "booking_id": booking["saga_id"],
        "current": {"total": total, "currency": currency},
        "options": options,
    }
