"""Outages longer than every retry: a booking is never sold twice, never leaks its room, and its
saga ends where a person sees it. Deadlines are short (1 s) so an "outage" takes seconds."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any

import pytest

from tests.e2e.agent_client import AgentClient, stay
from tests.e2e.test_saga_paths import offer_in, reservations_of
from tests.support.platform import Platform, own_platform
from tests.support.servers import Server

pytestmark = pytest.mark.e2e

SHORT_DEADLINES = {
    "STEP_DEADLINE_SECONDS": "1",
    "RETRY_MAX_ATTEMPTS": "3",
    "RETRY_FIRST_DELAY_SECONDS": "0.2",
    "RETRY_MAX_DELAY_SECONDS": "1",
}


@pytest.fixture(scope="module")
def outages(amqp_url: str, mysql_server: Server, mongodb_server: Server) -> Iterator[Platform]:
    with own_platform(
        "o", amqp_url, mysql_server.url, mongodb_server.url, SHORT_DEADLINES
    ) as running:
        yield running


@pytest.fixture
async def agent(outages: Platform) -> AsyncIterator[AgentClient]:
    async with AgentClient.signed_in(outages.url("web"), "agent", "agent-demo") as client:
        yield client


async def until_status(agent: AgentClient, booking_id: str, *statuses: str) -> dict[str, Any]:
    async with asyncio.timeout(60):
        while True:
            response = await agent.http.get(f"/api/bookings/{booking_id}")
            if response.status_code == 200 and response.json()["status"] in statuses:
                return response.json()  # type: ignore[no-any-return]
            await asyncio.sleep(0.05)


async def hold_attempts(agent: AgentClient, booking_id: str) -> int:
    response = await agent.http.get(f"/api/bookings/{booking_id}")
    if response.status_code == 404:  # accepted, not stored yet
        return 0
    steps = response.json()["steps"]
    return max((s["attempts"] for s in steps if s["name"] == "hold_room"), default=0)


async def free_rooms(
    agent: AgentClient, offer: dict[str, Any], check_in: date, check_out: date
) -> int:
    offers = await agent.availability(check_in, check_out, city=offer["city"], guests=1)
    same = [o for o in offers if o["room_type_id"] == offer["room_type_id"]]
    return int(same[0]["available"]) if same else 0


async def test_rooms_down_past_every_retry_of_the_confirm_and_its_undo_sells_nothing_twice(
    agent: AgentClient, outages: Platform
) -> None:
    """Rooms stops answering between the hold and its confirmation, for longer than the
    confirmation's retries and then the release's. The saga shows STUCK (never with a code),
    cancels the reservation, keeps resending the release, and fails once rooms is back; the
    nights are free again and sold once."""
    check_in, check_out = stay(70, nights=1)
    offer = await offer_in(agent, "Cairo", check_in, check_out)
    free_before = await free_rooms(agent, offer, check_in, check_out)
    client_id = await agent.new_client()

    outages.pause("reservations")  # so the saga waits, hold done, for its reservation
    try:
        submitted = await agent.book_offer(offer, client_id, check_in, check_out, guests=1)
        booking_id = submitted.json()["booking_id"]
        await until_status(agent, booking_id, "CLIENT_VERIFIED")
        outages.pause("rooms")  # the ConfirmHold to come finds nobody
    finally:
        outages.resume("reservations")
    try:
        stuck = await until_status(agent, booking_id, "STUCK")
        assert stuck["reservation"] is None, "a booking that is not confirmed shows no code"
        assert "rooms" in (stuck["reason"] or "")
        (cancelled,) = await reservations_of(outages, client_id)
        async with asyncio.timeout(30):
            while cancelled["status"] != "CANCELLED":
                (cancelled,) = await reservations_of(outages, client_id)
    finally:
        outages.resume("rooms")

    failed = await until_status(agent, booking_id, "FAILED")
    assert failed["reservation"] is None
    assert await free_rooms(agent, offer, check_in, check_out) == free_before

    again = await agent.book_offer(offer, client_id, check_in, check_out, guests=1)
    assert (await agent.outcome(again.json()["booking_id"]))["status"] == "CONFIRMED"
    confirmed = [r for r in await reservations_of(outages, client_id) if r["status"] == "CONFIRMED"]
    assert [r["saga_id"] for r in confirmed] == [again.json()["booking_id"]]
    assert await free_rooms(agent, offer, check_in, check_out) == free_before - 1


async def test_a_hold_resent_while_rooms_was_paused_takes_one_room(
    agent: AgentClient, outages: Platform
) -> None:
    check_in, check_out = stay(71, nights=2)
    offer = await offer_in(agent, "Paris", check_in, check_out)
    free_before = await free_rooms(agent, offer, check_in, check_out)
    client_id = await agent.new_client()

    outages.pause("rooms")
    try:
        submitted = await agent.book_offer(offer, client_id, check_in, check_out, guests=1)
        booking_id = submitted.json()["booking_id"]
        async with asyncio.timeout(30):  # until the hold was sent a second time
            while True:
                if await hold_attempts(agent, booking_id) >= 2:
                    break
                await asyncio.sleep(0.05)
    finally:
        outages.resume("rooms")

    booking = await agent.outcome(booking_id)
    assert booking["status"] in ("CONFIRMED", "FAILED")
    taken = 1 if booking["status"] == "CONFIRMED" else 0
    assert await free_rooms(agent, offer, check_in, check_out) == free_before - taken
