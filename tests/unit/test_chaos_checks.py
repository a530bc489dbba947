"""`make chaos`'s verdicts: each invariant check catches what it names from store contents,
and the scenarios and poison messages are the ones the suite promises."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from tests.chaos.checks import (
    Booking,
    Hold,
    Night,
    Reservation,
    Saga,
    Stores,
    agent_view,
    bookings_without_reservation,
    broken,
    doubled_nights,
    holds_left_behind,
    judge,
    left_behind_count,
    reason,
    recovery_seconds,
    reservations_without_booking,
    stays_disagreeing,
    unheld_nights,
)
from tests.chaos.poison import KINDS, plan, poison
from tests.chaos.scenarios import every_scenario, quick, select

pytestmark = pytest.mark.unit

MARCH_1, MARCH_2, MARCH_3 = date(2027, 3, 1), date(2027, 3, 2), date(2027, 3, 3)


def booked(saga_id: str, room_id: str, check_in: date, check_out: date) -> Stores:
    """A booking as a healthy platform leaves it: saga, confirmed hold, nights, reservation."""
    hold_id = f"hold-{saga_id}"
    nights = Reservation(saga_id, "CONFIRMED", room_id, check_in, check_out).nights()
    return Stores(
        sagas=[Saga(saga_id, "CONFIRMED", stay=(check_in, check_out))],
        holds=[Hold(hold_id, saga_id, "CONFIRMED")],
        nights=[Night(room_id, night, hold_id) for night in nights],
        reservations=[Reservation(saga_id, "CONFIRMED", room_id, check_in, check_out)],
    )


def together(*parts: Stores) -> Stores:
    return Stores(
        sagas=[s for part in parts for s in part.sagas],
        holds=[h for part in parts for h in part.holds],
        nights=[n for part in parts for n in part.nights],
        reservations=[r for part in parts for r in part.reservations],
    )


def test_healthy_bookings_break_nothing() -> None:
    stores = together(
        booked("a", "room-1", MARCH_1, MARCH_3),
        booked("b", "room-1", MARCH_3, date(2027, 3, 5)),  # back to back
        booked("c", "room-2", MARCH_1, MARCH_3),
    )

    assert doubled_nights(stores) == []
    assert unheld_nights(stores) == []
    assert left_behind_count(holds_left_behind(stores)) == 0
    assert reservations_without_booking(stores) == []
    assert bookings_without_reservation(stores) == []


def test_a_night_in_two_confirmed_reservations_is_doubled() -> None:
    first = booked("a", "room-1", MARCH_1, MARCH_3)
    second = Stores(
        sagas=[Saga("b", "CONFIRMED")],
        holds=[],
        nights=[],
        reservations=[Reservation("b", "CONFIRMED", "room-1", MARCH_2, date(2027, 3, 4))],
    )

    assert doubled_nights(together(first, second)) == [("room-1", MARCH_2)]


def test_a_sold_night_whose_row_another_booking_holds_is_doubled() -> None:
    # Defect 1 of issue 12: the hold was released under a confirmed reservation, and the
    # night then went to another booking's hold.
    sold = booked("a", "room-1", MARCH_1, MARCH_2)
    released = Stores(
        sagas=sold.sagas,
        holds=[Hold("hold-a", "a", "RELEASED"), Hold("hold-b", "b", "HELD")],
        nights=[Night("room-1", MARCH_1, "hold-b")],
        reservations=sold.reservations,
    )

    assert doubled_nights(released) == [("room-1", MARCH_1)]


def test_a_cancelled_reservation_claims_no_night() -> None:
    stores = together(booked("b", "room-1", MARCH_1, MARCH_2))
    stores = Stores(
        sagas=[*stores.sagas, Saga("a", "CANCELLED")],
        holds=stores.holds,
        nights=stores.nights,
        reservations=[
            *stores.reservations,
            Reservation("a", "CANCELLED", "room-1", MARCH_1, MARCH_2),
        ],
    )

    assert doubled_nights(stores) == []


def test_a_sold_night_the_rooms_store_holds_for_nobody_is_unheld() -> None:
    sold = booked("a", "room-1", MARCH_1, MARCH_3)
    freed = Stores(sold.sagas, [Hold("hold-a", "a", "RELEASED")], [], sold.reservations)

    assert unheld_nights(freed) == [("room-1", MARCH_1), ("room-1", MARCH_2)]


def test_holds_left_behind_by_why() -> None:
    stores = Stores(
        sagas=[Saga("a", "FAILED"), Saga("b", "FAILED"), Saga("c", "FAILED")],
        holds=[
            Hold("hold-a", "a", "RELEASED"),
            Hold("hold-b", "b", "HELD"),
            Hold("hold-c", "c", "CONFIRMED"),
        ],
        nights=[
            Night("room-1", MARCH_1, "hold-a"),  # a released hold still takes a night
            Night("room-2", MARCH_1, "hold-gone"),  # defect 2: a night of no hold at all
        ],
        reservations=[],
    )

    left = holds_left_behind(stores)

    assert left == {
        "nights of no hold": ["hold-gone"],
        "nights of a hold not confirmed": ["hold-a"],
        "still HELD": ["hold-b"],
        "confirmed for a booking not confirmed": ["hold-c"],
    }
    assert left_behind_count(left) == 4


def test_reservations_and_bookings_must_come_in_pairs() -> None:
    stores = Stores(
        sagas=[
            Saga("failed", "FAILED"),
            Saga("twice", "CONFIRMED"),
            Saga("none", "CONFIRMED"),
            Saga("cancelled", "CONFIRMED"),
        ],
        holds=[],
        nights=[],
        reservations=[
            Reservation("failed", "CONFIRMED", "room-1", MARCH_1, MARCH_2),
            Reservation("absent", "CONFIRMED", "room-2", MARCH_1, MARCH_2),
            Reservation("twice", "CONFIRMED", "room-3", MARCH_1, MARCH_2),
            Reservation("twice", "CONFIRMED", "room-4", MARCH_1, MARCH_2),
            Reservation("cancelled", "CANCELLED", "room-5", MARCH_1, MARCH_2),
        ],
    )

    assert reservations_without_booking(stores) == ["absent", "failed"]
    assert bookings_without_reservation(stores) == ["cancelled", "none", "twice"]


def test_lost_means_accepted_with_no_end_seen_and_nothing_in_the_store() -> None:
    stores = Stores([Saga("stored", "CONFIRMED"), Saga("failed", "FAILED")], [], [], [])
    bookings = [
        Booking("stored", "spread", 0.0, accepted=True),  # no end seen, but stored: not lost
        Booking("gone", "spread", 0.0, accepted=True),  # accepted, nowhere: lost
        Booking("refused", "spread", 0.0),  # never accepted, nowhere: refused
        Booking("failed", "spread", 0.0, accepted=True, seen="CONFIRMED", ended_at=1.0),
    ]

    seen = agent_view(bookings, stores)

    assert seen.lost == ["gone"]
    assert seen.refused == ["refused"]
    assert seen.unseen == ["stored", "gone", "refused"]
    assert seen.told_wrong == ["failed"]
    assert seen.accepted == 3


def test_recovery_is_the_first_confirmation_seen_after_the_fault() -> None:
    bookings = [
        Booking("a", "spread", 0.0, True, "CONFIRMED", ended_at=9.0),  # before the fault ended
        Booking("b", "spread", 0.0, True, "FAILED", ended_at=10.5),
        Booking("c", "spread", 0.0, True, "CONFIRMED", ended_at=12.25),
        Booking("d", "spread", 0.0, True, "CONFIRMED", ended_at=14.0),
    ]

    assert recovery_seconds(bookings, fault_ended=10.0) == pytest.approx(2.2, abs=0.06)
    assert recovery_seconds(bookings, fault_ended=15.0) is None


def test_a_scenario_breaks_on_any_count_above_zero() -> None:
    healthy = booked("a", "room-1", MARCH_1, MARCH_2)
    stuck = Stores([Saga("a", "STUCK", "The rooms service did not answer")], [], [], [])
    seen = [Booking("a", "spread", 0.0, True, "CONFIRMED", ended_at=1.0)]

    assert broken(judge(seen, healthy, healthy, 0.0)) == []
    figures = judge(seen, stuck, stuck, 0.0)
    assert figures["stuck_reasons"] == {"The rooms service did not answer": 1}
    assert broken(figures) == ["told_wrong", "stuck_after_retry"]
    assert broken({"error": "MariaDB did not answer"}) == ["error"]


def test_reasons_group_without_their_ids() -> None:
    one = reason("no saga '0b3f58f1-3c3d-4a5e-9d8c-5a1d6b2e7c40' in the saga store")
    other = reason("no saga '6f1c9a52-3a8e-4b8b-9d43-5e1f0c2b7a10' in the saga store")

    assert one == other == "no saga '<id>' in the saga store"
    assert reason("Invalid JSON at line 1 column 26") == reason("Invalid JSON at line 1 column 8")
    assert reason(None) == "(no reason)"


def test_every_fault_of_issue_12_has_its_scenario() -> None:
    names = [scenario.name for scenario in every_scenario()]
    for service in ("orchestrator", "rooms", "clients", "reservations", "web"):
        assert f"kill-{service}" in names
    for service in ("rooms", "clients", "reservations"):
        assert {f"pause-{service}-20", f"pause-{service}-90", f"stop-{service}-90"} <= set(names)
    for name in ("rabbitmq-restart", "mariadb-restart", "mongo-stop-60", "replicas-kill-one"):
        assert name in names
    assert "poison-messages" in names
    assert len(names) == len(set(names))


def test_scenarios_are_chosen_by_name_and_shortened_for_a_smoke_run() -> None:
    chosen = select(every_scenario(), ["pause-rooms-90", "kill-web"])

    assert [s.name for s in chosen] == ["pause-rooms-90", "kill-web"]
    assert [quick(s).seconds for s in chosen] == [30, 0]
    assert quick(select(every_scenario(), ["pause-rooms-20"])[0]).seconds == 7
    assert "30 s" in quick(chosen[0]).summary
    with pytest.raises(ValueError, match="no-such-fault"):
        select(every_scenario(), ["no-such-fault"])


def test_poison_covers_every_kind_on_every_queue() -> None:
    queues = ["rooms", "clients", "reservations", "orchestrator", "replies"]
    spread = plan(200, queues)

    assert Counter(kind for kind, _ in spread).keys() == set(KINDS)
    assert {(kind, queue) for kind, queue in spread} == {(k, q) for k in KINDS for q in queues}
    for kind in KINDS:
        for queue in queues:
            message = poison(kind, queue, 3)
            if kind == "missing AMQP properties":
                assert message.type is None and message.message_id is None
            else:
                assert message.type and message.message_id and message.correlation_id
    assert len(poison("5 MB body", "rooms", 0).body) > 5 * 1024 * 1024
    assert poison("10,000-deep nesting", "rooms", 0).body.startswith(b"[" * 10_000)


def test_a_change_applied_on_one_side_only_breaks_the_scenario() -> None:
    """The booking saga says one stay, its reservation another: a change half made."""
    healthy = booked("a", "room-1", MARCH_1, MARCH_2)
    moved = Saga("a", "CONFIRMED", stay=(MARCH_2, MARCH_2 + (MARCH_2 - MARCH_1)))
    half_changed = Stores([moved], healthy.holds, healthy.nights, healthy.reservations)
    change = Saga("c", "CONFIRMED", kind="change")
    with_change = together(healthy, Stores([change], [], [], []))
    seen = [Booking("a", "spread", 0.0, True, "CONFIRMED", ended_at=1.0)]

    assert stays_disagreeing(half_changed) == ["a"]
    assert "stay_disagrees" in broken(judge(seen, half_changed, half_changed, 0.0))
    # A change saga has no reservation of its own, and is no booking without one.
    assert bookings_without_reservation(with_change) == []
    assert broken(judge(seen, with_change, with_change, 0.0)) == []
