"""Versions of a reservation: a change, its revert, and how they are stored and shown."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from contracts.values import NightlyPrice, Stay
from reservations.adapters.documents import from_document, to_document
from reservations.domain.model import (
    ChangeNotReversible,
    NightPrice,
    Replacement,
    Reservation,
    ReservationStatus,
    RoomSnapshot,
)
from reservations.domain.rules import changed_reservation, new_reservation, rejection_reason
from reservations.entrypoints.views import ReservationView
from tests.integration.test_reservations_changes import change_command
from tests.integration.test_reservations_support import write_command

pytestmark = pytest.mark.unit

BOOKED = datetime(2027, 1, 5, 9, 30, tzinfo=UTC)
CHANGED = BOOKED + timedelta(days=3)
REVERTED = CHANGED + timedelta(minutes=2)
SUITE = RoomSnapshot("rt-suite", "Suite", "room-501", "501")


def booked() -> Reservation:
    return new_reservation(write_command(), "booking-1", "res-1", "K7M3QX9B", BOOKED)


def changed(reservation: Reservation, change_id: str = "change-1") -> Reservation:
    return reservation.changed(
        change_id,
        room=SUITE,
        check_in=date(2027, 4, 2),
        check_out=date(2027, 4, 4),
        guests=3,
        nightly_prices=(
            NightPrice(date(2027, 4, 2), Decimal("140.00")),
            NightPrice(date(2027, 4, 3), Decimal("150.25")),
        ),
        total=Decimal("290.25"),
        currency="XOF",
        at=CHANGED,
    )


def test_a_new_reservation_is_version_1_without_history() -> None:
    reservation = booked()

    assert (reservation.version, reservation.changed_by, reservation.history) == (1, None, ())


def test_a_change_is_the_next_version_keeping_the_one_before() -> None:
    before = booked()

    after = changed(before)

    assert (after.version, after.changed_by, after.updated_at) == (2, "change-1", CHANGED)
    assert (after.reservation_id, after.confirmation_code) == ("res-1", "K7M3QX9B")
    assert (after.room, after.check_in, after.nights, after.guests) == (
        SUITE,
        date(2027, 4, 2),
        2,
        3,
    )
    assert after.hotel == before.hotel and after.client_id == before.client_id
    assert after.status_history == before.status_history and after.created_at == BOOKED
    (past,) = after.history
    assert (past.version, past.replaced_by, past.replacement, past.replaced_at) == (
        1,
        "change-1",
        Replacement.CHANGE,
        CHANGED,
    )
    assert (past.room, past.check_in, past.check_out, past.guests) == (
        before.room,
        before.check_in,
        before.check_out,
        before.guests,
    )
    assert (past.nightly_prices, past.total, past.currency, past.reason) == (
        before.nightly_prices,
        before.total,
        before.currency,
        None,
    )
    assert before.version == 1 and before.history == (), "the original is unchanged"


def test_a_change_applied_already_changes_nothing_more() -> None:
    once = changed(booked())

    assert changed(once) is once
    assert once.version_written_by("change-1") == 2
    assert once.version_written_by("change-2") is None


def test_a_revert_writes_the_version_before_the_change_again() -> None:
    before = booked()
    after = changed(before)

    reverted = after.reverted("change-1", "the new room was taken", REVERTED)

    assert (reverted.version, reverted.changed_by, reverted.updated_at) == (3, None, REVERTED)
    assert (reverted.room, reverted.check_in, reverted.check_out, reverted.guests) == (
        before.room,
        before.check_in,
        before.check_out,
        before.guests,
    )
    assert (reverted.nightly_prices, reverted.total) == (before.nightly_prices, before.total)
    assert [(p.version, p.replacement, p.reason) for p in reverted.history] == [
        (1, Replacement.CHANGE, None),
        (2, Replacement.REVERT, "the new room was taken"),
    ]
    assert reverted.history[1].room == SUITE
    assert reverted.version_written_by("change-1") == 2, "the change did write version 2"


@pytest.mark.parametrize("change_id", ["change-1", "never-made"])
def test_reverting_again_or_what_was_never_made_changes_nothing(change_id: str) -> None:
    reverted = changed(booked()).reverted("change-1", "undo", REVERTED)

    assert reverted.reverted(change_id, "again", REVERTED) is reverted
    assert booked().reverted(change_id, "undo", REVERTED) == booked()


def test_a_revert_keeps_the_status() -> None:
    cancelled = changed(booked()).cancelled("client cancelled", CHANGED)

    reverted = cancelled.reverted("change-1", "undo", REVERTED)

    assert reverted.status is ReservationStatus.CANCELLED and reverted.version == 3


def test_a_version_written_by_a_change_without_its_past_cannot_be_reverted() -> None:
    corrupt = replace(changed(booked()), history=())

    with pytest.raises(ChangeNotReversible):
        corrupt.reverted("change-1", "undo", REVERTED)


def test_a_change_command_is_checked_like_a_booking_and_stored_night_by_night() -> None:
    command = change_command("booking-1")
    shuffled = command.model_copy(update={"nightly_prices": list(reversed(command.nightly_prices))})
    wrong_total = command.model_copy(update={"total": Decimal("290.26")})
    outside = command.model_copy(
        update={
            "stay": Stay(check_in=date(2027, 4, 3), check_out=date(2027, 4, 5)),
            "nightly_prices": [
                NightlyPrice(night=date(2027, 4, 3), price=Decimal("140.00")),
                NightlyPrice(night=date(2027, 4, 5), price=Decimal("150.25")),
            ],
        }
    )

    assert rejection_reason(shuffled) is None
    assert rejection_reason(wrong_total) == (
        "total 290.26 XOF does not match the sum of the nightly prices, 290.25 XOF"
    )
    assert "exactly once" in (rejection_reason(outside) or "")
    reservation = changed_reservation(booked(), shuffled, "change-1", CHANGED)
    assert [p.night for p in reservation.nightly_prices] == [date(2027, 4, 2), date(2027, 4, 3)]
    assert (reservation.room, reservation.guests, reservation.version) == (SUITE, 3, 2)


def test_versions_and_history_survive_the_document_round_trip() -> None:
    reservation = changed(booked()).reverted("change-1", "undo", REVERTED)

    document = to_document(reservation)

    assert document["version"] == 3 and document["changed_by"] is None
    assert [(p["version"], p["replacement"], p["total"]) for p in document["history"]] == [
        (1, "CHANGE", "350.49"),
        (2, "REVERT", "290.25"),
    ]
    assert document["history"][1]["stay"] == {
        "check_in": "2027-04-02",
        "check_out": "2027-04-04",
        "nights": 2,
    }
    assert from_document(document) == reservation


def test_a_document_stored_before_versions_reads_as_version_1() -> None:
    document = to_document(booked())
    for field in ("version", "changed_by", "history"):
        del document[field]

    reservation = from_document(document)

    assert reservation == booked()
    assert (reservation.version, reservation.changed_by, reservation.history) == (1, None, ())


def test_the_view_shows_the_version_and_the_history() -> None:
    view = ReservationView.of(changed(booked())).model_dump(mode="json")

    assert (view["version"], view["changed_by"]) == (2, "change-1")
    (past,) = view["history"]
    assert past["version"] == 1 and past["replacement"] == "CHANGE"
    assert past["stay"] == {"check_in": "2027-03-10", "check_out": "2027-03-13", "nights": 3}
    assert past["total"] == "350.49" and past["room"]["room_number"] == "204"
    assert [p["price"] for p in past["nightly_prices"]] == ["120.50", "99.99", "130.00"]
    assert past["replaced_by"] == "change-1" and past["reason"] is None
