"""Messages of the rooms service: holds on room-nights and their fate."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from contracts.base import Command, Reply
from contracts.values import CurrencyCode, EntityId, Money, NightlyPrice, Stay


class HoldRoom(Command):
    """Hold every night of the stay in one room of a type (or one given room)."""

    message_type = "rooms.HoldRoom.v1"

    hotel_id: EntityId
    room_type_id: EntityId
    room_id: EntityId | None = None
    stay: Stay
    guests: Annotated[int, Field(ge=1, le=12)]
    # A change of this booking (its saga id): the nights the booking already has in its room
    # count as free for this hold, which takes only the others, so a stay extended or moved by
    # a night keeps its room even in a full hotel.
    instead_of: EntityId | None = None


class ReleaseHold(Command):
    """Free the nights of the saga's hold. Releasing what is already free succeeds."""

    message_type = "rooms.ReleaseHold.v1"

    reason: str = Field(max_length=500)


class ConfirmHold(Command):
    """Turn the saga's hold into a booking of the nights."""

    message_type = "rooms.ConfirmHold.v1"


class ReleaseBooking(Command):
    """Free the nights of a confirmed booking (the cancellation saga)."""

    message_type = "rooms.ReleaseBooking.v1"

    booking_saga_id: EntityId


class RoomHeld(Reply):
    message_type = "rooms.RoomHeld.v1"

    hold_id: EntityId
    hotel_id: EntityId
    room_type_id: EntityId
    room_id: EntityId
    room_number: str
    hotel_name: str
    room_type_name: str
    stay: Stay
    nightly_prices: list[NightlyPrice]
    total: Money
    currency: CurrencyCode
    hold_expires_at: AwareDatetime


class RoomUnavailable(Reply):
    message_type = "rooms.RoomUnavailable.v1"

    reason: Literal["no_room_free", "unknown_room_type", "over_capacity", "invalid_stay"]
    detail: str = Field(max_length=500)


class HoldReleased(Reply):
    message_type = "rooms.HoldReleased.v1"

    hold_id: EntityId | None


class HoldConfirmed(Reply):
    message_type = "rooms.HoldConfirmed.v1"

    hold_id: EntityId


class HoldExpired(Reply):
    message_type = "rooms.HoldExpired.v1"

    hold_id: EntityId | None
    detail: str = Field(max_length=500)


class BookingReleased(Reply):
    message_type = "rooms.BookingReleased.v1"

    booking_saga_id: EntityId


class MoveBooking(Command):
    """Move a confirmed booking onto the nights this (change) saga holds, in one transaction:
    the booking's old nights are freed and the held ones become the booking's, confirmed. Sent
    again after it applied, it answers the same; refused (HoldExpired) when the change's hold
    lapsed or was released, and then nothing moved."""

    message_type = "rooms.MoveBooking.v1"

    booking_saga_id: EntityId


class BookingMoved(Reply):
    message_type = "rooms.BookingMoved.v1"

    booking_saga_id: EntityId
    hold_id: EntityId  # the booking's hold, now on the new nights
