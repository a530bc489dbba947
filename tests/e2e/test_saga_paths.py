"""Booking sagas against the real rooms, clients and reservations services: failure paths
end in the right state with the right side effects, and killed processes lose nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.e2e.agent_client import AgentClient, stay
from tests.support.clients_service import OPERATOR
from tests.support.platform import Platform
from tests.support.service_auth import internal_client

pytestmark = pytest.mark.e2e
# Where a booking rests while its reservation step waits.
IN_FLIGHT_AT_RESERVATION = frozenset({"CLIENT_VERIFIED"})


async def offer_in(
    agent: AgentClient, city: str, check_in: date, check_out: date
) -> dict[str, Any]:
    offers = await agent.availability(check_in, check_out, city=city, guests=1)
    assert offers, f"the demo group has rooms in {city}"
    return offers[0]


async def book(
    agent: AgentClient, client_id: str, offer: dict[str, Any], check_in: date, check_out: date
) -> str:
    response = await agent.book_offer(offer, client_id, check_in, check_out, guests=1)
    assert response.status_code == 202, response.text
    return response.json()["booking_id"]  # type: ignore[no-any-return]


async def reservations_of(platform: Platform, client_id: str) -> list[dict[str, Any]]:
    async with internal_client(
        "reservations", base_url=platform.url("reservations")
    ) as reservations:
        response = await reservations.get("/reservations", params={"client_id": client_id})
    response.raise_for_status()
    return response.json()["items"]  # type: ignore[no-any-return]


async def test_a_blocked_client_fails_with_the_reason_and_the_hold_is_released(
    agent: AgentClient, platform: Platform
) -> None:
    check_in, check_out = stay(50)
    offer = await offer_in(agent, "Lomé", check_in, check_out)
    client_id = await agent.new_client()
    head_office = OPERATOR.headers()
    async with internal_client(
        "clients", base_url=platform.url("clients"), headers=head_office
    ) as clients:
        blocked = await clients.post(f"/clients/{client_id}/block", json={"reason": "fraud check"})
    assert blocked.status_code == 200

    booking = await agent.outcome(await book(agent, client_id, offer, check_in, check_out))

    assert booking["status"] == "FAILED"
    assert "blocked" in booking["reason"].lower()
    assert (await offer_in(agent, "Lomé", check_in, check_out))["available"] == offer["available"]
    assert await reservations_of(platform, client_id) == []


async def test_when_every_room_is_taken_the_next_booking_fails_saying_so(
    agent: AgentClient, platform: Platform
) -> None:
    check_in, check_out = stay(51, nights=1)
    offer = await offer_in(agent, "Lomé", check_in, check_out)
    client_id = await agent.new_client()
    taken = [
        await book(agent, client_id, offer, check_in, check_out) for _ in range(offer["available"])
    ]
    for booking_id in taken:
        assert (await agent.outcome(booking_id))["status"] == "CONFIRMED"

    one_too_many = await agent.outcome(await book(agent, client_id, offer, check_in, check_out))

    assert one_too_many["status"] == "FAILED"
    assert "no room" in one_too_many["reason"].lower()
    assert len(await reservations_of(platform, client_id)) == len(taken)


async def test_the_orchestrator_killed_mid_saga_finishes_every_saga_with_one_reservation_each(
    agent: AgentClient, platform: Platform
) -> None:
    check_in, check_out = stay(52)
    offer = await offer_in(agent, "Paris", check_in, check_out)
    client_id = await agent.new_client()
    # Reservations down: every saga holds its room, verifies its client, then waits on the
    # reservation step, so the orchestrator is killed with all three in flight.
    platform.kill("reservations")
    bookings = [await book(agent, client_id, offer, check_in, check_out) for _ in range(3)]
    for booking_id in bookings:
        waiting = await agent.when_in(booking_id, IN_FLIGHT_AT_RESERVATION)
        assert waiting["status"] == "CLIENT_VERIFIED", waiting

    platform.kill("orchestrator")  # SIGKILL: no shutdown, mid-flight
    platform.start("reservations")
    platform.start("orchestrator")
    outcomes = [await agent.outcome(booking_id) for booking_id in bookings]

    assert [o["status"] for o in outcomes] == ["CONFIRMED"] * 3
    reservations = await reservations_of(platform, client_id)
    assert sorted(r["saga_id"] for r in reservations) == sorted(bookings)
    codes = {o["reservation"]["confirmation_code"] for o in outcomes}
    assert codes == {r["confirmation_code"] for r in reservations}


async def test_a_participant_down_mid_saga_is_waited_for_and_the_booking_completes(
    agent: AgentClient, platform: Platform
) -> None:
    check_in, check_out = stay(53)
    offer = await offer_in(agent, "Paris", check_in, check_out)
    client_id = await agent.new_client()

    platform.kill("reservations")
    booking_id = await book(agent, client_id, offer, check_in, check_out)
    waiting = await agent.when_in(booking_id, IN_FLIGHT_AT_RESERVATION)
    assert waiting["status"] == "CLIENT_VERIFIED", "the reservation step is what it waits on"
    platform.start("reservations")
    booking = await agent.outcome(booking_id)

    assert booking["status"] == "CONFIRMED"
    (reservation,) = await reservations_of(platform, client_id)
    assert reservation["saga_id"] == booking_id
    assert reservation["confirmation_code"] == booking["reservation"]["confirmation_code"]
