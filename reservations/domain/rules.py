"""What makes a reservation request acceptable, and the reservation (or version) it becomes."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from contracts.reservations import ChangeReservation, WriteReservation
from contracts.values import NightlyPrice
from reservations.domain.model import (
    HotelSnapshot,
    NightPrice,
    Reservation,
    ReservationStatus,
    RoomSnapshot,
    StatusChange,
)


def rejection_reason(command: WriteReservation | ChangeReservation) -> str | None:
    """Why the request (a new reservation, or a new version of one) cannot be recorded as it
    stands, in words an operator can act on."""
    stay = command.stay
    if len(command.nightly_prices) != stay.nights:
        return (
            f"{len(command.nightly_prices)} nightly prices for a stay of {stay.nights} nights "
            f"({stay.check_in} to {stay.check_out})"
        )
    expected_nights = [stay.check_in + timedelta(days=i) for i in range(stay.nights)]
    if sorted(price.night for price in command.nightly_prices) != expected_nights:
        return (
            f"nightly prices must name each night from {stay.check_in} to the night before "
            f"{stay.check_out} exactly once"
        )
    priced_total = sum((price.price for price in command.nightly_prices), Decimal(0))
    if priced_total != command.total:
        return (
            f"total {command.total} {command.currency} does not match the sum of the nightly "
            f"prices, {priced_total} {command.currency}"
        )
    return None


def new_reservation(
    command: WriteReservation,
    saga_id: str,
    reservation_id: str,
    confirmation_code: str,
    now: datetime,
) -> Reservation:
    """The confirmed reservation for an accepted request (see `rejection_reason`)."""
    return Reservation(
        reservation_id=reservation_id,
        confirmation_code=confirmation_code,
        saga_id=saga_id,
        client_id=command.client_id,
        agency_id=command.agency_id,
        hotel=HotelSnapshot(command.hotel_id, command.hotel_name),
        room=RoomSnapshot(
            command.room_type_id, command.room_type_name, command.room_id, command.room_number
        ),
        check_in=command.stay.check_in,
        check_out=command.stay.check_out,
        guests=command.guests,
        nightly_prices=_night_by_night(command.nightly_prices),
        total=command.total,
        currency=command.currency,
        status=ReservationStatus.CONFIRMED,
        status_history=(StatusChange(ReservationStatus.CONFIRMED, now, None),),
        created_at=now,
        updated_at=now,
    )


def changed_reservation(
    reservation: Reservation, command: ChangeReservation, change_id: str, now: datetime
) -> Reservation:
    """The version an accepted change (see `rejection_reason`) writes; the hotel, the client
    and the agency stay as booked."""
    return reservation.changed(
        change_id,
        room=RoomSnapshot(
            command.room_type_id, command.room_type_name, command.room_id, command.room_number
        ),
        check_in=command.stay.check_in,
        check_out=command.stay.check_out,
        guests=command.guests,
        nightly_prices=_night_by_night(command.nightly_prices),
        total=command.total,
        currency=command.currency,
        at=now,
    )


def _night_by_night(prices: list[NightlyPrice]) -> tuple[NightPrice, ...]:
    return tuple(
        NightPrice(price.night, price.price) for price in sorted(prices, key=lambda p: p.night)
    )
