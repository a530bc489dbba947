"""Which reservation requests are accepted, and the reservation an accepted one becomes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from contracts.values import NightlyPrice
from reservations.domain.model import ReservationStatus
from reservations.domain.rules import new_reservation, rejection_reason
from tests.integration.test_reservations_support import write_command

pytestmark = pytest.mark.unit

NOW = datetime(2027, 1, 5, 9, 30, tzinfo=UTC)


def test_a_consistent_request_is_accepted() -> None:
    assert rejection_reason(write_command()) is None


def test_a_total_off_by_a_cent_is_rejected_with_both_amounts() -> None:
    command = write_command().model_copy(update={"total": Decimal("350.50")})

    reason = rejection_reason(command)

    assert reason == ("total 350.50 XOF does not match the sum of the nightly prices, 350.49 XOF")


def test_fewer_prices_than_nights_is_rejected() -> None:
    command = write_command()
    command = command.model_copy(update={"nightly_prices": command.nightly_prices[:2]})

    assert rejection_reason(command) == (
        "2 nightly prices for a stay of 3 nights (2027-03-10 to 2027-03-13)"
    )


@pytest.mark.parametrize("shift", [-1, 1], ids=["night-before-check-in", "check-out-night"])
def test_prices_for_nights_outside_the_stay_are_rejected(shift: int) -> None:
    command = write_command()
    moved = [
        NightlyPrice(night=p.night + timedelta(days=shift), price=p.price)
        for p in command.nightly_prices
    ]

    reason = rejection_reason(command.model_copy(update={"nightly_prices": moved}))

    assert reason is not None and "exactly once" in reason


def test_prices_in_any_order_are_accepted_and_stored_night_by_night() -> None:
    command = write_command()
    shuffled = list(reversed(command.nightly_prices))
    command = command.model_copy(update={"nightly_prices": shuffled})

    reservation = new_reservation(command, "saga-1", "res-1", "K7M3QX9B", NOW)

    assert rejection_reason(command) is None
    assert [p.night for p in reservation.nightly_prices] == [
        date(2027, 3, 10),
        date(2027, 3, 11),
        date(2027, 3, 12),
    ]


def test_a_new_reservation_is_confirmed_with_one_history_entry_and_snapshots() -> None:
    reservation = new_reservation(write_command(), "saga-1", "res-1", "K7M3QX9B", NOW)

    assert reservation.status is ReservationStatus.CONFIRMED
    assert [(c.status, c.at) for c in reservation.status_history] == [
        (ReservationStatus.CONFIRMED, NOW)
    ]
    assert reservation.nights == 3
    assert reservation.total == Decimal("350.49")
    assert (reservation.hotel.hotel_id, reservation.room.room_number) == ("hotel-lome", "204")


def test_cancelling_appends_to_history_once() -> None:
    reservation = new_reservation(write_command(), "saga-1", "res-1", "K7M3QX9B", NOW)
    later = NOW + timedelta(hours=2)

    cancelled = reservation.cancelled("hold expired", later)
    again = cancelled.cancelled("again", later + timedelta(hours=1))

    assert cancelled.status is ReservationStatus.CANCELLED
    assert cancelled.updated_at == later and cancelled.created_at == NOW
    assert [(c.status, c.reason) for c in cancelled.status_history] == [
        (ReservationStatus.CONFIRMED, None),
        (ReservationStatus.CANCELLED, "hold expired"),
    ]
    assert again == cancelled
    assert reservation.status is ReservationStatus.CONFIRMED, "the original is unchanged"
