"""The invariants as pure checks over what the stores hold after a run."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from tests.bench.system import Invariant, Outcome


@dataclass(frozen=True)
class Sold:
    """One stored reservation: which room, which nights, for which booking."""

    booking_id: str
    room_id: str
    check_in: date
    check_out: date

    def nights(self) -> list[date]:
        days = (self.check_out - self.check_in).days
        return [self.check_in + timedelta(days=n) for n in range(days)]


def no_room_night_sold_twice(sold: Iterable[Sold]) -> Invariant:
    counts = Counter((item.room_id, night) for item in sold for night in item.nights())
    twice = [key for key, count in counts.items() if count > 1]
    return Invariant(
        "no room-night sold twice",
        not twice,
        f"{len(counts)} room-nights sold, {len(twice)} sold more than once",
    )


def every_booking_ended(outcomes: Sequence[Outcome]) -> Invariant:
    lost = sum(1 for outcome in outcomes if outcome.status == "lost")
    return Invariant(
        "every booking ended", lost == 0, f"{len(outcomes)} submitted, {lost} without an end"
    )


def one_reservation_per_confirmed(
    outcomes: Sequence[Outcome], reservation_booking_ids: Sequence[str]
) -> Invariant:
    confirmed = {o.booking_id for o in outcomes if o.status == "confirmed"}
    per_booking = Counter(reservation_booking_ids)
    duplicated = [booking for booking, count in per_booking.items() if count > 1]
    missing = confirmed - per_booking.keys()
    unexpected = per_booking.keys() - confirmed
    return Invariant(
        "exactly one reservation per confirmed booking",
        not (duplicated or missing or unexpected),
        f"{len(confirmed)} confirmed, {len(per_booking)} with a reservation, "
        f"{len(duplicated)} with more than one, {len(missing)} missing, "
        f"{len(unexpected)} for a booking not confirmed",
    )


def no_hold_left_behind(holding_ids: Iterable[str], kept_ids: Iterable[str]) -> Invariant:
    """`holding_ids`: bookings that still hold nights; `kept_ids`: those allowed to (sold)."""
    left = set(holding_ids) - set(kept_ids)
    return Invariant(
        "no hold left behind", not left, f"{len(left)} bookings hold nights without a sale"
    )


def baseline_invariants(
    system: str,
    outcomes: Sequence[Outcome],
    reservations: Iterable[Mapping[str, Any]],
    holding_ids: Iterable[str],
) -> list[Invariant]:
    """The floor's and Celery's invariants, from their reservation documents (as
    `baseline_store.reservation_document` writes them) and the bookings still holding nights."""
    documents = list(reservations)
    sold = [
        Sold(
            str(document["_id"]),
            str(document["room_id"]),
            date.fromisoformat(document["check_in"]),
            date.fromisoformat(document["check_out"]),
        )
        for document in documents
    ]
    reserved = [item.booking_id for item in sold]
    return [
        no_room_night_sold_twice(sold),
        every_booking_ended(outcomes),
        no_hold_left_behind(holding_ids, reserved),
        one_reservation_per_confirmed(outcomes, reserved),
        Invariant("one public event per ended saga", None, f"{system} publishes no events"),
    ]
