"""The benchmark's verdicts: its invariant checks catch what they claim to, and its workload
has the mix the figures are quoted for."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from rooms.adapters.seed_data import HOTELS, ROOM_TYPES
from tests.bench.checks import (
    Sold,
    no_hold_left_behind,
    no_room_night_sold_twice,
    one_reservation_per_confirmed,
)
from tests.bench.system import Outcome
from tests.bench.workload import HOT_TARGETS, Workload

pytestmark = pytest.mark.unit


def test_a_night_sold_to_two_bookings_breaks_the_invariant() -> None:
    overlapping = [
        Sold("a", "room-1", date(2027, 3, 1), date(2027, 3, 4)),
        Sold("b", "room-1", date(2027, 3, 3), date(2027, 3, 5)),
    ]
    back_to_back = [
        Sold("a", "room-1", date(2027, 3, 1), date(2027, 3, 4)),
        Sold("b", "room-1", date(2027, 3, 4), date(2027, 3, 6)),
        Sold("c", "room-2", date(2027, 3, 1), date(2027, 3, 4)),
    ]

    assert no_room_night_sold_twice(overlapping).holds is False
    assert no_room_night_sold_twice(back_to_back).holds is True


def test_each_confirmed_booking_needs_exactly_one_reservation() -> None:
    outcomes = [
        Outcome("a", "spread", "confirmed", 0.1),
        Outcome("b", "spread", "confirmed", 0.1),
        Outcome("c", "unknown_client", "failed", 0.1, "unknown_client"),
    ]

    assert one_reservation_per_confirmed(outcomes, ["a", "b"]).holds is True
    assert one_reservation_per_confirmed(outcomes, ["a", "b", "b"]).holds is False
    assert one_reservation_per_confirmed(outcomes, ["a"]).holds is False
    assert one_reservation_per_confirmed(outcomes, ["a", "b", "c"]).holds is False


def test_nights_held_by_a_booking_that_was_not_sold_are_left_behind() -> None:
    assert no_hold_left_behind(["a", "b"], ["a", "b", "c"]).holds is True
    assert no_hold_left_behind(["a", "x"], ["a"]).holds is False


def test_the_workload_mix_and_its_targets() -> None:
    workload = Workload([f"client-{n}" for n in range(20)], today=date(2027, 1, 10))
    requests = [workload.next() for _ in range(20_000)]
    shares = Counter(request.kind for request in requests)
    room_types = {f"{hotel.id}-{kind.suffix}" for hotel in HOTELS for kind in ROOM_TYPES}

    assert shares["spread"] / len(requests) == pytest.approx(0.90, abs=0.01)
    assert shares["unknown_client"] / len(requests) == pytest.approx(0.05, abs=0.01)
    assert shares["contention"] / len(requests) == pytest.approx(0.05, abs=0.01)
    assert all(request.room_type_id in room_types for request in requests)
    assert all(request.check_in > date(2027, 1, 11) for request in requests)
    contended = {(r.room_type_id, r.check_in) for r in requests if r.kind == "contention"}
    assert len(contended) == len(HOT_TARGETS)
    # The same seed gives every system the same sequence of bookings.
    again = Workload([f"client-{n}" for n in range(20)], today=date(2027, 1, 10))
    assert [again.next() for _ in range(100)] == requests[:100]
