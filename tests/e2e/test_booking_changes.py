"""Changing a confirmed booking through the public API, against every real service: the
booking ends on its new nights or exactly as it was, never on both or on neither, whatever
fails on the way."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from tests.e2e.agent_client import AgentClient, stay
from tests.e2e.test_saga_paths import reservations_of
from tests.support.platform import Platform

pytestmark = pytest.mark.e2e
HOTEL = "lima-miraflores"
DOUBLE, SUITE = f"{HOTEL}-double", f"{HOTEL}-suite"
# Where a change rests while it waits for its reservation to be rewritten.
WAITING_FOR_RESERVATIONS = frozenset({"ROOM_HELD"})


async def free_rooms(agent: AgentClient, room_type_id: str, check_in: date, check_out: date) -> int:
    offers = await agent.availability(check_in, check_out, hotel_id=HOTEL, guests=1)
    return next(o["available"] for o in offers if o["room_type_id"] == room_type_id)


async def confirmed_booking(
    agent: AgentClient, client_id: str, room_type_id: str, check_in: date, check_out: date
) -> dict[str, Any]:
    response = await agent.book(
        uuid.uuid4().hex,
        client_id=client_id,
        hotel_id=HOTEL,
        room_type_id=room_type_id,
        check_in=check_in,
        check_out=check_out,
        guests=1,
    )
    assert response.status_code == 202, response.text
    booking = await agent.outcome(response.json()["booking_id"])
    assert booking["status"] == "CONFIRMED", booking
    return booking


async def change(agent: AgentClient, booking_id: str, **wanted: Any) -> dict[str, Any]:
    response = await agent.change(booking_id, uuid.uuid4().hex, **wanted)
    assert response.status_code == 202, response.text
    return await agent.change_outcome(booking_id, response.json()["change_id"])


async def reservation_of(platform: Platform, client_id: str) -> dict[str, Any]:
    (reservation,) = await reservations_of(platform, client_id)
    return reservation


async def test_dates_moved_free_the_old_nights_and_keep_the_confirmation_code(
    agent: AgentClient, platform: Platform
) -> None:
    old_in, old_out = stay(70)
    new_in, new_out = stay(73, nights=3)
    client_id = await agent.new_client()
    booking = await confirmed_booking(agent, client_id, DOUBLE, old_in, old_out)
    code = booking["reservation"]["confirmation_code"]
    free_old = await free_rooms(agent, DOUBLE, old_in, old_out)
    free_new = await free_rooms(agent, DOUBLE, new_in, new_out)

    quote = await agent.http.get(
        f"/api/bookings/{booking['booking_id']}/change-quote",
        params={"check_in": new_in.isoformat(), "check_out": new_out.isoformat()},
    )
    assert quote.status_code == 200, quote.text
    [double] = [o for o in quote.json()["options"] if o["room_type_id"] == DOUBLE]
    ended = await change(agent, booking["booking_id"], check_in=new_in, check_out=new_out)

    assert ended["status"] == "CONFIRMED", ended
    assert ended["difference"] == double["difference"]  # the price shown is the price paid
    after = await agent.booking(booking["booking_id"])
    assert (after["status"], after["check_in"], after["check_out"]) == (
        "CONFIRMED",
        new_in.isoformat(),
        new_out.isoformat(),
    )
    assert after["reservation"]["confirmation_code"] == code
    assert after["changes"] == [ended["change_id"]] and after["changing"] is None
    assert await free_rooms(agent, DOUBLE, old_in, old_out) == free_old + 1
    assert await free_rooms(agent, DOUBLE, new_in, new_out) == free_new - 1
    reservation = await reservation_of(platform, client_id)
    assert reservation["confirmation_code"] == code and reservation["version"] == 2
    assert (reservation["stay"]["check_in"], reservation["stay"]["check_out"]) == (
        new_in.isoformat(),
        new_out.isoformat(),
    )


async def test_another_room_type_of_the_same_hotel(agent: AgentClient, platform: Platform) -> None:
    check_in, check_out = stay(76)
    client_id = await agent.new_client()
    booking = await confirmed_booking(agent, client_id, DOUBLE, check_in, check_out)
    free_double = await free_rooms(agent, DOUBLE, check_in, check_out)
    free_suite = await free_rooms(agent, SUITE, check_in, check_out)

    ended = await change(
        agent, booking["booking_id"], check_in=check_in, check_out=check_out, room_type_id=SUITE
    )

    assert ended["status"] == "CONFIRMED", ended
    assert ended["before"]["room_type_id"] == DOUBLE and ended["after"]["room_type_id"] == SUITE
    after = await agent.booking(booking["booking_id"])
    assert after["room_type_id"] == SUITE
    assert float(after["reservation"]["total"]) > float(booking["reservation"]["total"])
    assert await free_rooms(agent, DOUBLE, check_in, check_out) == free_double + 1
    assert await free_rooms(agent, SUITE, check_in, check_out) == free_suite - 1
    assert (await reservation_of(platform, client_id))["room"]["room_type_id"] == SUITE


async def test_new_nights_sold_out_leave_the_booking_as_it_was_with_its_nights_held(
    agent: AgentClient, platform: Platform
) -> None:
    old_in, old_out = stay(80)
    new_in, new_out = stay(82)
    client_id = await agent.new_client()
    booking = await confirmed_booking(agent, client_id, DOUBLE, old_in, old_out)
    other_client = await agent.new_client()
    for _ in range(await free_rooms(agent, SUITE, new_in, new_out)):
        await confirmed_booking(agent, other_client, SUITE, new_in, new_out)
    free_old = await free_rooms(agent, DOUBLE, old_in, old_out)

    ended = await change(
        agent, booking["booking_id"], check_in=new_in, check_out=new_out, room_type_id=SUITE
    )

    assert ended["status"] == "FAILED"
    assert "no room" in ended["reason"].lower()
    after = await agent.booking(booking["booking_id"])
    unchanged = ("status", "check_in", "check_out", "room_type_id", "reservation", "changes")
    assert {k: after[k] for k in unchanged} == {k: booking[k] for k in unchanged}
    assert after["changing"] is None
    assert await free_rooms(agent, DOUBLE, old_in, old_out) == free_old  # still held
    reservation = await reservation_of(platform, client_id)
    assert reservation["version"] == 1 and reservation["stay"]["check_in"] == old_in.isoformat()


async def test_the_orchestrator_killed_mid_change_leaves_the_old_booking_or_the_new(
    agent: AgentClient, platform: Platform
) -> None:
    old_in, old_out = stay(86)
    new_in, new_out = stay(89)
    client_id = await agent.new_client()
    booking = await confirmed_booking(agent, client_id, DOUBLE, old_in, old_out)
    free_old = await free_rooms(agent, DOUBLE, old_in, old_out)
    free_new = await free_rooms(agent, DOUBLE, new_in, new_out)
    # Reservations down: the change locks the booking, holds the new nights, then waits on
    # the reservation step, so the orchestrator is killed with the change in flight.
    platform.kill("reservations")
    response = await agent.change(
        booking["booking_id"], uuid.uuid4().hex, check_in=new_in, check_out=new_out
    )
    assert response.status_code == 202, response.text
    change_id = response.json()["change_id"]
    waiting = await agent.when_in(booking["booking_id"], WAITING_FOR_RESERVATIONS, change_id)
    assert waiting["status"] == "ROOM_HELD", waiting
    assert (await agent.booking(booking["booking_id"]))["changing"] == change_id

    platform.kill("orchestrator")  # SIGKILL: no shutdown, mid-change
    platform.start("reservations")
    platform.start("orchestrator")
    ended = await agent.change_outcome(booking["booking_id"], change_id)

    after = await agent.booking(booking["booking_id"])
    reservation = await reservation_of(platform, client_id)
    held_old = free_old - await free_rooms(agent, DOUBLE, old_in, old_out)
    held_new = free_new - await free_rooms(agent, DOUBLE, new_in, new_out)
    assert after["status"] == "CONFIRMED" and after["changing"] is None
    if ended["status"] == "CONFIRMED":
        assert (held_old, held_new) == (-1, 1)  # the old nights freed, the new ones held
        assert after["check_in"] == reservation["stay"]["check_in"] == new_in.isoformat()
    else:
        assert ended["status"] == "FAILED", ended
        assert (held_old, held_new) == (0, 0)
        assert after["check_in"] == reservation["stay"]["check_in"] == old_in.isoformat()
    assert reservation["confirmation_code"] == booking["reservation"]["confirmation_code"]


async def test_a_booking_being_changed_cannot_be_cancelled(
    agent: AgentClient, platform: Platform
) -> None:
    old_in, old_out = stay(92)
    client_id = await agent.new_client()
    booking = await confirmed_booking(agent, client_id, DOUBLE, old_in, old_out)
    platform.kill("reservations")
    try:
        response = await agent.change(
            booking["booking_id"], uuid.uuid4().hex, check_in=old_in, check_out=stay(95)[1]
        )
        change_id = response.json()["change_id"]
        await agent.when_in(booking["booking_id"], WAITING_FOR_RESERVATIONS, change_id)

        cancel = await agent.http.post(f"/api/bookings/{booking['booking_id']}/cancel")
        again = await agent.change(
            booking["booking_id"], uuid.uuid4().hex, check_in=old_in, check_out=stay(96)[1]
        )
    finally:
        platform.start("reservations")

    assert cancel.status_code == 409 and "change" in cancel.json()["detail"]
    assert again.status_code == 409
    assert (await agent.change_outcome(booking["booking_id"], change_id))["status"] in (
        "CONFIRMED",
        "FAILED",
    )


async def test_a_stay_extended_by_a_night_keeps_its_room(
    agent: AgentClient, platform: Platform
) -> None:
    check_in, check_out = stay(99)
    client_id = await agent.new_client()
    booking = await confirmed_booking(agent, client_id, SUITE, check_in, check_out)
    room = (await reservation_of(platform, client_id))["room"]["room_number"]
    later = check_out + timedelta(days=1)

    ended = await change(agent, booking["booking_id"], check_in=check_in, check_out=later)

    assert ended["status"] == "CONFIRMED", ended
    reservation = await reservation_of(platform, client_id)
    assert reservation["room"]["room_number"] == room
    assert reservation["stay"]["nights"] == 3
