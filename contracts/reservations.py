"""Messages of the reservations service: one reservation document per booking."""

from __future__ import annotations

from pydantic import Field

from contracts.base import Command, Reply
from contracts.values import CurrencyCode, EntityId, Money, NightlyPrice, Stay


class WriteReservation(Command):
    message_type = "reservations.WriteReservation.v1"

    client_id: EntityId
    agency_id: EntityId
    hotel_id: EntityId
    hotel_name: str = Field(max_length=200)
    room_type_id: EntityId
    room_type_name: str = Field(max_length=200)
    room_id: EntityId
    room_number: str = Field(max_length=20)
    stay: Stay
    guests: int = Field(ge=1, le=12)
    nightly_prices: list[NightlyPrice] = Field(min_length=1)
    total: Money
    currency: CurrencyCode


class CancelReservation(Command):
    """Cancel the reservation written by a saga. Cancelling what is absent succeeds."""

    message_type = "reservations.CancelReservation.v1"

    booking_saga_id: EntityId
    reason: str = Field(max_length=500)


class ReservationWritten(Reply):
    message_type = "reservations.ReservationWritten.v1"

    reservation_id: EntityId
    confirmation_code: str = Field(pattern=r"^[A-Z2-9]{8}$")


class ReservationRejected(Reply):
    message_type = "reservations.ReservationRejected.v1"

    reason: str = Field(max_length=500)


class ReservationCancelled(Reply):
    message_type = "reservations.ReservationCancelled.v1"

    booking_saga_id: EntityId
    reservation_id: EntityId | None


class ChangeReservation(Command):
    """Write a new version of a booking's reservation: same id, same confirmation code, the
    version before kept in its history. Sent under the change saga's id; once per change."""

    message_type = "reservations.ChangeReservation.v1"

    booking_saga_id: EntityId
    room_type_id: EntityId
    room_type_name: str = Field(max_length=200)
    room_id: EntityId
    room_number: str = Field(max_length=20)
    stay: Stay
    guests: int = Field(ge=1, le=12)
    nightly_prices: list[NightlyPrice] = Field(min_length=1)
    total: Money
    currency: CurrencyCode


class RevertReservationChange(Command):
    """Undo this (change) saga's change of a booking's reservation: a new version equal to
    the one before it. A change not made yet is withdrawn for good: arriving later, it is
    refused. Reverting twice, or what was never made, succeeds."""

    message_type = "reservations.RevertReservationChange.v1"

    booking_saga_id: EntityId
    reason: str = Field(max_length=500)


class ReservationChanged(Reply):
    message_type = "reservations.ReservationChanged.v1"

    reservation_id: EntityId
    confirmation_code: str = Field(pattern=r"^[A-Z2-9]{8}$")
    version: int = Field(ge=1)


class ReservationChangeReverted(Reply):
    message_type = "reservations.ReservationChangeReverted.v1"

    booking_saga_id: EntityId
    version: int | None  # the reservation's version after the revert; None with none stored
