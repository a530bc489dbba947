"""What the public API says about a booking, built from the orchestrator's saga view."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

# Booking ids are derived from the agency and the agent's idempotency key, so a retried
# request (same key) names the same saga and can never start a second booking.
BOOKING_ID_NAMESPACE = uuid.UUID("6f1c9a52-3a8e-4b8b-9d43-5e1f0c2b7a10")
TERMINAL = {"CONFIRMED", "FAILED", "CANCELLED"}
CONFIRMED_STATES = {"CONFIRMED", "CANCELLING", "CANCELLED"}
EntityId = Annotated[str, Field(min_length=1, max_length=64)]


def booking_id_for(agency_id: str, idempotency_key: str) -> str:
    return str(uuid.uuid5(BOOKING_ID_NAMESPACE, f"{agency_id}\x1f{idempotency_key}"))


class BookingRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: EntityId
    hotel_id: EntityId
    room_type_id: EntityId
    check_in: date
    check_out: date
    guests: Annotated[int, Field(ge=1, le=12)]

    @model_validator(mode="after")
    def _stay_is_forward(self) -> BookingRequest:
        if self.check_out <= self.check_in:
            raise ValueError("check_out must be after check_in")
        return self


class CancelRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="Cancelled at the client's request.", max_length=500)


def was_confirmed(saga: dict[str, Any]) -> bool:
    """Whether the booking was ever confirmed. A failing saga may have written a reservation
    that it is undoing: its code must never reach the agent, who would hand it to the client."""
    return saga["state"] in CONFIRMED_STATES or saga.get("phase") == "cancelling"


def booking_view(saga: dict[str, Any]) -> dict[str, Any]:
    data = saga.get("data") or {}
    reservation = None
    if data.get("confirmation_code") and was_confirmed(saga):
        reservation = {
            "reservation_id": data.get("reservation_id"),
            "confirmation_code": data["confirmation_code"],
            "total": data.get("total"),
            "currency": data.get("currency"),
        }
    return {
        "booking_id": saga["saga_id"],
        "status": saga["state"],
        "reason": saga.get("failure_reason"),
        "client_id": data.get("client_id"),
        "agency_id": data.get("agency_id"),
        "hotel_id": data.get("hotel_id"),
        "hotel_name": data.get("hotel_name"),
        "room_type_id": data.get("room_type_id"),
        "room_type": data.get("room_type_name"),
        "check_in": (data.get("stay") or {}).get("check_in"),
        "check_out": (data.get("stay") or {}).get("check_out"),
        "guests": data.get("guests"),
        "reservation": reservation,
        "steps": saga.get("steps", []),
        "created_at": saga.get("created_at"),
        "updated_at": saga.get("updated_at"),
        "links": links(saga["saga_id"]),
    }


def links(booking_id: str) -> dict[str, str]:
    return {
        "self": f"/api/bookings/{booking_id}",
        "events": f"/api/bookings/{booking_id}/events",
        "cancel": f"/api/bookings/{booking_id}/cancel",
    }
