"""One saga asking another: a change saga's requests to the booking it changes.

The orchestrator sends these to itself, through its outbox and the broker like any other
command, so a change and the booking it changes are never written in one transaction and a
crash between the two loses nothing. The booking saga answers each on the replies exchange,
addressed to the change saga.
"""

from __future__ import annotations

from pydantic import Field

from contracts.base import Command, Reply
from contracts.values import CurrencyCode, EntityId, Money, NightlyPrice, Stay


class ToBooking(Command):
    """A command to a booking saga (`booking_saga_id`), sent by a change saga."""

    booking_saga_id: EntityId


class LockBooking(ToBooking):
    """Keep a confirmed booking as it is while a change works on it: no cancellation, no
    other change. Refused (BookingNotChangeable) when the booking cannot be changed."""

    message_type = "orchestrator.LockBooking.v1"

    agency_id: EntityId
    client_id: EntityId
    hotel_id: EntityId


class UnlockBooking(ToBooking):
    """Free a booking this change locked; unlocking what it does not hold succeeds."""

    message_type = "orchestrator.UnlockBooking.v1"


class ApplyChange(ToBooking):
    """The booking now is what the change made it (its nights moved, its reservation
    rewritten): take the new stay, room and price, and unlock."""

    message_type = "orchestrator.ApplyChange.v1"

    room_type_id: EntityId
    room_type_name: str = Field(max_length=200)
    room_id: EntityId
    room_number: str = Field(max_length=20)
    stay: Stay
    guests: int = Field(ge=1, le=12)
    nightly_prices: list[NightlyPrice] = Field(min_length=1)
    total: Money
    currency: CurrencyCode


class BookingLocked(Reply):
    """The booking is locked for this change; what it is now, for the change to show."""

    message_type = "orchestrator.BookingLocked.v1"

    booking_saga_id: EntityId
    room_type_id: EntityId
    room_type_name: str = Field(max_length=200)
    room_number: str = Field(max_length=20)
    stay: Stay
    guests: int = Field(ge=1, le=12)
    total: Money
    currency: CurrencyCode
    hotel_name: str = Field(max_length=200)
    reservation_id: EntityId
    confirmation_code: str


class BookingNotChangeable(Reply):
    message_type = "orchestrator.BookingNotChangeable.v1"

    booking_saga_id: EntityId
    reason: str = Field(max_length=500)


class BookingUnlocked(Reply):
    message_type = "orchestrator.BookingUnlocked.v1"

    booking_saga_id: EntityId


class ChangeApplied(Reply):
    message_type = "orchestrator.ChangeApplied.v1"

    booking_saga_id: EntityId
