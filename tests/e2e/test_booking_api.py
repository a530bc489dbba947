"""Bookings through the public API on the running platform, every service a real process."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from tests.e2e.agent_client import AgentClient, stay
from tests.e2e.conftest import new_key
from tests.support.platform import Platform
from tests.support.service_auth import internal_client

pytestmark = pytest.mark.e2e
FORWARD_STATES = ["PENDING", "ROOM_HELD", "CLIENT_VERIFIED", "RESERVED", "CONFIRMED"]


async def paris_offer(agent: AgentClient, check_in: date, check_out: date) -> dict[str, object]:
    offers = await agent.availability(check_in, check_out, city="Paris", guests=2)
    assert offers, "the demo group has rooms in Paris"
    return offers[0]


async def test_a_booking_is_confirmed_with_a_reservation_and_its_steps_stream_in_order(
    agent: AgentClient, platform: Platform
) -> None:
    check_in, check_out = stay(40)
    offer = await paris_offer(agent, check_in, check_out)
    client_id = await agent.new_client()

    submitted = await agent.book_offer(offer, client_id, check_in, check_out, guests=2)
    assert submitted.status_code == 202, submitted.text
    booking_id = submitted.json()["booking_id"]
    assert submitted.json()["links"]["events"] == f"/api/bookings/{booking_id}/events"

    events = await agent.events(booking_id)
    booking = await agent.booking(booking_id)

    assert events[0][0] == "state", "the stream opens with the current state"
    opening = events[0][1]["status"]
    steps = [data["state"] for kind, data in events if kind == "step"]
    # From where the stream opened, every later state once, in the saga's order. The hold and
    # the client check run together: when the check answers first, the saga goes from PENDING
    # straight to CLIENT_VERIFIED, and ROOM_HELD is never its state.
    seen = [opening, *steps]
    places = [FORWARD_STATES.index(state) for state in seen]
    assert places == sorted(set(places)), seen
    expected = FORWARD_STATES[FORWARD_STATES.index(opening) :]
    assert [s for s in seen if s != "ROOM_HELD"] == [s for s in expected if s != "ROOM_HELD"]
    assert events[-1][1]["status"] == "CONFIRMED"
    assert booking["status"] == "CONFIRMED"
    reservation = booking["reservation"]
    assert reservation is not None and len(reservation["confirmation_code"]) == 8
    assert reservation["total"] == offer["total"] and reservation["currency"] == offer["currency"]
    async with internal_client(
        "reservations", base_url=platform.url("reservations")
    ) as reservations:
        stored = await reservations.get(f"/reservations/by-code/{reservation['confirmation_code']}")
    assert stored.status_code == 200
    assert stored.json()["saga_id"] == booking_id and stored.json()["status"] == "CONFIRMED"


async def test_an_unknown_client_fails_with_its_reason_and_leaves_no_hold(
    agent: AgentClient,
) -> None:
    check_in, check_out = stay(41)
    offer = await paris_offer(agent, check_in, check_out)
    submitted = await agent.book_offer(offer, "no-such-client", check_in, check_out, guests=2)
    booking = await agent.outcome(submitted.json()["booking_id"])

    assert booking["status"] == "FAILED"
    assert "client" in booking["reason"].lower()
    assert booking["reservation"] is None
    after = await paris_offer(agent, check_in, check_out)
    assert after["available"] == offer["available"], "the compensated hold freed its room"


async def test_the_same_idempotency_key_twice_gives_one_booking(agent: AgentClient) -> None:
    check_in, check_out = stay(42)
    offer = await paris_offer(agent, check_in, check_out)
    client_id = await agent.new_client()
    key = new_key()
    request = {
        "client_id": client_id,
        "hotel_id": offer["hotel_id"],
        "room_type_id": offer["room_type_id"],
        "check_in": check_in,
        "check_out": check_out,
        "guests": 2,
    }
    first = await agent.book(key, **request)
    second = await agent.book(key, **request)
    assert first.status_code == second.status_code == 202
    assert first.json()["booking_id"] == second.json()["booking_id"]

    booking = await agent.outcome(first.json()["booking_id"])
    assert booking["status"] == "CONFIRMED"
    after = await paris_offer(agent, check_in, check_out)
    assert after["available"] == offer["available"] - 1, "one room taken, not two"


async def test_a_cancellation_frees_the_nights(agent: AgentClient) -> None:
    check_in, check_out = stay(43)
    offer = await paris_offer(agent, check_in, check_out)
    client_id = await agent.new_client()
    submitted = await agent.book_offer(offer, client_id, check_in, check_out, guests=2)
    booking_id = submitted.json()["booking_id"]
    assert (await agent.outcome(booking_id))["status"] == "CONFIRMED"
    assert (await paris_offer(agent, check_in, check_out))["available"] == offer["available"] - 1

    cancelled = await agent.http.post(f"/api/bookings/{booking_id}/cancel", json={})
    assert cancelled.status_code == 202, cancelled.text
    final = await agent.outcome(booking_id, until=frozenset({"CANCELLED", "STUCK"}))

    assert final["status"] == "CANCELLED"
    assert (await paris_offer(agent, check_in, check_out))["available"] == offer["available"]


async def test_bad_input_gets_a_reason_never_a_server_error(agent: AgentClient) -> None:
    check_in, check_out = stay(44)
    no_key = await agent.http.post("/api/bookings", json={})
    backwards = await agent.book(
        new_key(),
        client_id="c",
        hotel_id="h",
        room_type_id="t",
        check_in=check_out,
        check_out=check_in,
        guests=2,
    )
    not_json = await agent.http.post(
        "/api/clients", content=b"{", headers={"Content-Type": "application/json"}
    )
    unknown = await agent.http.get("/api/bookings/00000000-0000-0000-0000-000000000000")
    anonymous = await httpx.AsyncClient(base_url=str(agent.http.base_url)).get("/api/bookings")

    for response in (no_key, backwards, not_json):
        assert 400 <= response.status_code < 500, response.text
        assert response.json()["detail"]
    assert "check_out must be after check_in" in backwards.text
    assert unknown.status_code == 404
    assert anonymous.status_code == 401
