"""What the public API says about a booking, built from the orchestrator's saga view."""

from __future__ import annotations

import re
import time
import uuid
from collections import OrderedDict
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from contracts.reasons import parse_reason
from contracts.sagas import ONCE_CONFIRMED_STATES, TERMINAL_STATES

# Booking ids are derived from the agency and the agent's idempotency key, so a retried
# request (same key) names the same saga and can never start a second booking.
BOOKING_ID_NAMESPACE = uuid.UUID("6f1c9a52-3a8e-4b8b-9d43-5e1f0c2b7a10")
EntityId = Annotated[str, Field(min_length=1, max_length=64)]
# The longest stay a hotel takes (the rooms service refuses longer ones too).
MAX_NIGHTS = 30
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date_text(value: Any) -> Any:
    """A date in a body is `YYYY-MM-DD` text: never a number (`0` is not 1970-01-01)."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not ISO_DATE.match(value):
        raise PydanticCustomError("date_format", "a date is written YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date_text)]


def earliest_check_in(now: datetime | None = None) -> date:
    """The earliest check-in date taken: yesterday in UTC. Hotels of the group span UTC-12 to
    UTC+14, so today in some hotel's time zone is never before yesterday in UTC; a stay that
    starts before that has started everywhere."""
    return (now or datetime.now(UTC)).astimezone(UTC).date() - timedelta(days=1)


def check_stay(check_in: date, check_out: date) -> None:
    """Raise a validation error, with its code and values, for a stay no hotel takes."""
    dates = {"check_in": check_in.isoformat(), "check_out": check_out.isoformat()}
    if check_out <= check_in:
        raise PydanticCustomError(
            "stay_check_out_not_after_check_in", "check_out must be after check_in", dates
        )
    if (nights := (check_out - check_in).days) > MAX_NIGHTS:
        raise PydanticCustomError(
            "stay_too_long",
            "a stay is at most {max_nights} nights",
            {"max_nights": MAX_NIGHTS, "nights": nights},
        )
    if check_in < (earliest := earliest_check_in()):
        raise PydanticCustomError(
            "stay_check_in_past",
            "check_in {check_in} is in the past (the earliest taken is {earliest}, yesterday "
            "in UTC)",
            {"check_in": check_in.isoformat(), "earliest": earliest.isoformat()},
        )


def booking_id_for(agency_id: str, idempotency_key: str) -> str:
    return str(uuid.uuid5(BOOKING_ID_NAMESPACE, f"{agency_id}\x1f{idempotency_key}"))


class BookingRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: EntityId
    hotel_id: EntityId
    room_type_id: EntityId
    check_in: IsoDate
    check_out: IsoDate
    guests: Annotated[int, Field(ge=1, le=12)]

    @model_validator(mode="after")
    def _stay_is_forward(self) -> BookingRequest:
        check_stay(self.check_in, self.check_out)
        return self


class RecentlyAccepted:
    """The booking ids this process accepted lately (bounded), so that their events stream
    waits for the orchestrator to store them while any other unknown id is refused at once."""

    def __init__(self, seconds: float, size: int = 100_000) -> None:
        self._seconds = seconds
        self._size = size
        self._until: OrderedDict[str, float] = OrderedDict()

    def add(self, booking_id: str) -> None:
        self._until[booking_id] = time.monotonic() + self._seconds
        self._until.move_to_end(booking_id)
        while len(self._until) > self._size:
            self._until.popitem(last=False)

    def __contains__(self, booking_id: object) -> bool:
        until = self._until.get(booking_id) if isinstance(booking_id, str) else None
        return until is not None and until > time.monotonic()


class CancelRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="Cancelled at the client's request.", max_length=500)


def was_confirmed(saga: dict[str, Any]) -> bool:
    """Whether the booking was ever confirmed. A failing saga may have written a reservation
    that it is undoing: its code must never reach the agent, who would hand it to the client."""
    return saga["state"] in ONCE_CONFIRMED_STATES or saga.get("phase") == "cancelling"


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
        "ended": saga["state"] in TERMINAL_STATES,  # nothing more will happen to it
        "reason": saga.get("failure_reason"),
        **reason_fields(saga.get("failure_reason")),
        "client_id": data.get("client_id"),
        "agency_id": data.get("agency_id"),
        "agent_id": data.get("agent_id"),  # who booked it, for the agency's managers
        "hotel_id": data.get("hotel_id"),
        "hotel_name": data.get("hotel_name"),
        "room_type_id": data.get("room_type_id"),
        "room_type": data.get("room_type_name"),
        "check_in": (data.get("stay") or {}).get("check_in"),
        "check_out": (data.get("stay") or {}).get("check_out"),
        "guests": data.get("guests"),
        "reservation": reservation,
        "changing": data.get("locked_by"),  # the change under way, if one is
        "changes": list(data.get("changes") or ()),  # the changes made, oldest first
        "steps": saga.get("steps", []),
        "created_at": saga.get("created_at"),
        "updated_at": saga.get("updated_at"),
        "links": links(saga["saga_id"]),
    }


def reason_fields(reason: str | None) -> dict[str, Any]:
    """The code and values of a failure's reason, for the apps to say it in their language
    (None and no values for a reason of no known form, which they show as it is)."""
    code, params = parse_reason(reason) or (None, {})
    return {"reason_code": code, "reason_params": params}


def links(booking_id: str) -> dict[str, str]:
    return {
        "self": f"/api/bookings/{booking_id}",
        "events": f"/api/bookings/{booking_id}/events",
        "cancel": f"/api/bookings/{booking_id}/cancel",
        "changes": f"/api/bookings/{booking_id}/changes",
        "change_quote": f"/api/bookings/{booking_id}/change-quote",
    }
