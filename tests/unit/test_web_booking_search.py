"""The bookings search's pure parts: the filters as the orchestrator's query, never wider than
what the person may see, and a saga's history as coded lines."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from web.accounts.roles import Role, User
from web.booking_history import history_lines
from web.booking_search import BookingSearch, orchestrator_query
from web.catalogue import named

pytestmark = pytest.mark.unit
AGENT = User("kossi", Role.AGENT, agency_id="agency-lome")
HOTEL_MANAGER = User("claire", Role.HOTEL_MANAGER, hotel_ids=frozenset({"paris-lumiere"}))
OPERATOR = User("head", Role.OPERATOR)


def test_an_agents_search_stays_among_their_own_bookings() -> None:
    search = BookingSearch(
        code=" k7m3-qx9b ",
        hotel_id="paris-lumiere",
        stay_from=date(2027, 1, 1),
        stay_to=date(2027, 2, 1),
        status="confirmed",
    )
    assert orchestrator_query(AGENT, search, None) == {
        "kind": "booking",
        "agency_id": "agency-lome",
        "agent_id": "kossi",
        "confirmation_code": "K7M3QX9B",
        "state": "CONFIRMED",
        "hotel_id": ["paris-lumiere"],
        "stay_from": "2027-01-01",
        "stay_to": "2027-02-01",
    }


def test_a_hotel_managers_search_stays_within_their_hotels() -> None:
    theirs = orchestrator_query(HOTEL_MANAGER, BookingSearch(hotel_id="paris-lumiere"), None)
    other = orchestrator_query(HOTEL_MANAGER, BookingSearch(hotel_id="lome-lagune"), None)
    anywhere = orchestrator_query(HOTEL_MANAGER, BookingSearch(), None)
    assert theirs is not None and theirs["hotel_id"] == ["paris-lumiere"]
    assert other is not None and other["hotel_id"] == ["-"], "a hotel no saga has"
    assert anywhere is not None and anywhere["hotel_id"] == ["paris-lumiere"]
    by_id = orchestrator_query(HOTEL_MANAGER, BookingSearch(client_id="c-1"), None)
    assert by_id is not None and "client_id" not in by_id, "no lookup by a client's id"


def test_a_search_that_cannot_match_asks_nothing() -> None:
    assert orchestrator_query(AGENT, BookingSearch(code="K7M3?QX9B"), None) is None
    assert orchestrator_query(AGENT, BookingSearch(status="SOLD"), None) is None
    assert orchestrator_query(AGENT, BookingSearch(client="Mensah"), []) is None
    named_clients = orchestrator_query(OPERATOR, BookingSearch(client="Mensah"), ["c-1", "c-2"])
    assert named_clients == {"kind": "booking", "client_id": ["c-1", "c-2"]}
    both = orchestrator_query(OPERATOR, BookingSearch(client="M", client_id="c-2"), ["c-1", "c-2"])
    assert both is not None and both["client_id"] == ["c-2"]


def test_the_catalogue_names_a_booking_that_has_no_names_of_its_own() -> None:
    hotel = {"name": "Hôtel Lumière", "room_types": [{"id": "rt-1", "name": "Single"}]}
    bare = {"hotel_id": "h", "hotel_name": None, "room_type_id": "rt-1", "room_type": None}
    assert named(bare, hotel) == bare | {"hotel_name": "Hôtel Lumière", "room_type": "Single"}
    held = bare | {"hotel_name": "As held", "room_type": "Held type"}
    assert named(held, hotel) == held
    assert named(bare, None) == bare


def entry(direction: str, kind: str, note: str | None, **payload: Any) -> dict[str, Any]:
    at = "2027-01-01T10:00:00"
    return {
        "at": at,
        "direction": direction,
        "message_type": kind,
        "note": note,
        "payload": payload,
    }


def test_a_history_says_what_happened_and_leaves_out_the_rest() -> None:
    entries = [
        entry("in", "booking.StartBooking.v1", "booking requested", client_id="c-secret"),
        entry("out", "booking.SagaProgressed.v1", None),
        entry("out", "rooms.HoldRoom.v1", "hold_room, attempt 1"),
        entry("in", "rooms.RoomHeld.v1", "hold_room", room_number="404", client_id="c-secret"),
        entry("in", "rooms.RoomHeld.v1", "duplicate message, ignored", room_number="404"),
        entry("in", "clients.ClientVerified.v1", "verify_client", client_id="c-secret"),
        entry("in", "reservations.ReservationWritten.v1", "write_reservation"),
        entry("out", "booking.BookingConfirmed.v1", None, confirmation_code="K7M3QX9B"),
        entry("in", "booking.CancelBooking.v1", "cancellation requested"),
        entry("in", "reservations.ReservationCancelled.v1", "cancel_reservation"),
        entry("in", "rooms.HoldReleased.v1", "release_hold"),
        entry("out", "booking.BookingCancelled.v1", None),
    ]
    lines = history_lines(entries)
    assert [(line["code"], line["params"]) for line in lines] == [
        ("history.requested", {}),
        ("history.room_held", {"room": "404"}),
        ("history.client_verified", {}),
        ("history.reservation_written", {}),
        ("history.confirmed", {"code": "K7M3QX9B"}),
        ("history.cancelled", {}),
    ]
    assert lines[0]["at"] == "2027-01-01T10:00:00Z"
    assert "c-secret" not in str(lines)


def test_a_failed_booking_says_what_was_undone_and_why_it_failed() -> None:
    entries = [
        entry("in", "booking.StartBooking.v1", "booking requested"),
        entry("in", "clients.ClientRejected.v1", "verify_client", reason="unknown"),
        entry("in", "rooms.RoomHeld.v1", "hold_room", room_number="301"),
        entry("in", "rooms.HoldReleased.v1", "release_hold"),
        entry("out", "booking.BookingFailed.v1", None, reason="The client is unknown."),
    ]
    lines = history_lines(entries)
    assert [line["code"] for line in lines] == [
        "history.requested",
        "history.room_held",
        "history.undone",
        "history.failed",
    ]
    assert lines[2]["params"] == {"step": "hold_room"}
    assert lines[3]["params"]["reason_code"] == "reason.client_unknown"
