"""Finding any booking through the public API on the running platform: by confirmation code,
client's name, hotel, stay dates and status, paged newest first, each with its client's (or, for
a hotel manager, its guest's) name, its hotel and its room type, never outside what the person
may see; and a booking's page with its prices, hotel, cancellation terms and history."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.agent_client import AgentClient, stay
from tests.e2e.conftest import new_key
from tests.support.platform import Platform

pytestmark = pytest.mark.e2e
PARIS = "paris-lumiere"


@pytest.fixture
async def people(platform: Platform) -> AsyncIterator[dict[str, AgentClient]]:
    logins = {
        "agent": "agent-demo",
        "lome.manager": "agent-demo",
        "dakar.agent1": "agent-demo",
        "hotels.paris": "hotel-demo",
        "operator": "operator-demo",
    }
    async with AsyncExitStack() as stack:
        yield {
            name: await stack.enter_async_context(
                AgentClient.signed_in(platform.url("web"), name, password)
            )
            for name, password in logins.items()
        }


async def booked(
    agent: AgentClient, client_id: str, offset_days: int, hotel_id: str = PARIS
) -> dict[str, Any]:
    """A booking in `hotel_id` for the client, followed to its end."""
    check_in, check_out = stay(offset_days)
    offers = await agent.availability(check_in, check_out, hotel_id=hotel_id, guests=1)
    response = await agent.book_offer(offers[0], client_id, check_in, check_out, 1)
    assert response.status_code == 202, response.text
    return await agent.outcome(response.json()["booking_id"])


async def search(person: AgentClient, **params: Any) -> dict[str, Any]:
    response = await person.http.get("/api/bookings", params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def ids(page: dict[str, Any]) -> list[str]:
    return [item["booking_id"] for item in page["items"]]


async def client_name(agent: AgentClient, client_id: str) -> str:
    client = (await agent.http.get(f"/api/clients/{client_id}")).json()
    return f"{client['first_name']} {client['last_name']}"


async def test_a_booking_is_found_by_code_client_hotel_dates_and_status(
    people: dict[str, AgentClient],
) -> None:
    agent = people["agent"]
    client_id = await agent.new_client()
    name = await client_name(agent, client_id)
    booking = await booked(agent, client_id, 400)
    assert booking["status"] == "CONFIRMED", booking
    code = booking["reservation"]["confirmation_code"]
    check_in = date.fromisoformat(booking["check_in"])

    typed = f" {code[:4].lower()} {code[4:].lower()} "  # as read over the phone
    by_code = await search(agent, code=typed)
    by_name = await search(agent, client=name.split()[-1])
    night = {"stay_from": check_in.isoformat(), "stay_to": (check_in + timedelta(1)).isoformat()}
    in_hotel_that_night = await search(agent, hotel_id=PARIS, limit=100, **night)
    day_before = {"stay_from": (check_in - timedelta(1)).isoformat(), "stay_to": str(check_in)}
    ended_before = await search(agent, hotel_id=PARIS, limit=100, **day_before)
    confirmed = await search(agent, client=name.split()[-1], status="confirmed")
    cancelled = await search(agent, client=name.split()[-1], status="CANCELLED")

    assert ids(by_code) == [booking["booking_id"]] and by_code["total"] == 1
    item = by_code["items"][0]
    assert item["client_name"] == name and item["client_id"] == client_id
    assert (item["hotel_name"], item["room_type"]) == ("Hôtel Lumière", booking["room_type"])
    assert ids(by_name) == [booking["booking_id"]]
    assert booking["booking_id"] in ids(in_hotel_that_night)
    assert booking["booking_id"] not in ids(ended_before), "a stay starting that day is not in"
    assert ids(confirmed) == [booking["booking_id"]] and ids(cancelled) == []
    nothing = await search(agent, code="ZZZZZZZZ")
    assert nothing == {"items": [], "total": 0, "limit": 20, "offset": 0}


async def test_a_booking_that_failed_before_its_hold_names_its_hotel_and_room_type(
    people: dict[str, AgentClient],
) -> None:
    agent = people["agent"]
    check_in, check_out = stay(401)
    too_many = await agent.book(
        new_key(),
        client_id=await agent.new_client(),
        hotel_id=PARIS,
        room_type_id=f"{PARIS}-single",
        check_in=check_in,
        check_out=check_out,
        guests=3,  # a single room takes one: no room is ever held
    )
    failed = await agent.outcome(too_many.json()["booking_id"])
    assert failed["status"] == "FAILED", failed
    window = {"stay_from": str(check_in), "stay_to": str(check_out)}

    found = await search(agent, hotel_id=PARIS, status="FAILED", limit=100, **window)

    item = next(i for i in found["items"] if i["booking_id"] == failed["booking_id"])
    assert (item["hotel_name"], item["room_type"]) == ("Hôtel Lumière", "Single")
    assert item["client_name"]


async def test_bookings_are_paged_newest_first(people: dict[str, AgentClient]) -> None:
    agent = people["agent"]
    client_id = await agent.new_client()
    last_name = (await client_name(agent, client_id)).split()[-1]
    made = [(await booked(agent, client_id, 402 + n))["booking_id"] for n in range(3)]

    first = await search(agent, client=last_name, limit=2)
    second = await search(agent, client=last_name, limit=2, offset=2)

    assert (first["total"], second["total"]) == (3, 3)
    assert ids(first) + ids(second) == list(reversed(made))


async def test_nobody_finds_a_booking_they_may_not_see(people: dict[str, AgentClient]) -> None:
    agent = people["agent"]
    client_id = await agent.new_client()
    name = await client_name(agent, client_id)
    booking = await booked(agent, client_id, 406)
    code = booking["reservation"]["confirmation_code"]

    other_agency = await search(people["dakar.agent1"], code=code)
    other_agency_by_name = await search(people["dakar.agent1"], client=name)
    agency_manager = await search(people["lome.manager"], code=code)
    operator = await search(people["operator"], code=code)
    hotel_manager = await search(people["hotels.paris"], code=code)
    other_hotel = await search(people["hotels.paris"], code=code, hotel_id="lome-lagune")

    assert ids(other_agency) == [] and ids(other_agency_by_name) == []
    assert ids(agency_manager) == [booking["booking_id"]]
    assert ids(operator) == [booking["booking_id"]]
    assert ids(other_hotel) == [], "a hotel manager's search stays within their hotels"
    assert ids(hotel_manager) == [booking["booking_id"]]
    seen = hotel_manager["items"][0]
    assert seen["guest_name"] == name
    assert seen["client_id"] is None and seen["agent_id"] is None and "client_name" not in seen
    assert agency_manager["items"][0]["client_name"] == name


async def test_a_bookings_page_has_its_prices_hotel_terms_and_history(
    people: dict[str, AgentClient],
) -> None:
    agent = people["agent"]
    client_id = await agent.new_client()
    booking = await booked(agent, client_id, 407)
    failed = await booked(agent, "no-such-client", 407)

    page = await agent.booking(booking["booking_id"])
    failed_page = await agent.booking(failed["booking_id"])

    assert page["client_name"] == await client_name(agent, client_id)
    first_night = date.fromisoformat(booking["check_in"])
    nights = [n["night"] for n in page["nightly_prices"]]
    assert nights == [str(first_night), str(first_night + timedelta(1))]
    total = sum(Decimal(n["price"]) for n in page["nightly_prices"])
    assert total == Decimal(booking["reservation"]["total"])
    hotel = page["hotel"]
    assert hotel["phone"] == "+33 1 42 60 18 18" and hotel["address"] == "18 Rue de Rivoli"
    assert (hotel["time_zone"], hotel["check_in_time"], hotel["check_out_time"]) == (
        "Europe/Paris",
        "15:00",
        "11:00",
    )
    terms = page["cancellation"]
    assert terms["terms_code"] == "terms.free_until"
    # 48 hours before the 15:00 check-in, in Paris time.
    arrival = datetime.combine(first_night, time(15), ZoneInfo("Europe/Paris"))
    free_until = (arrival.astimezone(UTC) - timedelta(hours=48)).astimezone(arrival.tzinfo)
    assert datetime.fromisoformat(terms["free_until"]) == free_until
    assert terms["free_until"] == free_until.isoformat(), "said with the hotel's offset"
    assert terms["terms_params"]["amount"] == page["nightly_prices"][0]["price"]
    codes = [line["code"] for line in page["history"]]
    assert codes[0] == "history.requested" and codes[-1] == "history.confirmed"
    assert {"history.room_held", "history.client_verified"} <= set(codes)
    assert page["history"][-1]["params"] == {"code": booking["reservation"]["confirmation_code"]}
    assert all(line["at"].endswith("Z") for line in page["history"])
    failed_codes = [line["code"] for line in failed_page["history"]]
    assert failed_codes[-1] == "history.failed"
    assert failed_page["history"][-1]["params"]["reason_code"] == "reason.client_unknown"
    assert "history.confirmed" not in failed_codes
    assert client_id not in str(page["history"]), "no personal data in the history"


async def test_listing_bookings_with_client_names_is_not_a_read_of_personal_data(
    people: dict[str, AgentClient],
) -> None:
    """A list shows names only, which every masked view shows: it leaves no entry in the
    personal-data read log (opening the client in full does)."""
    agent, operator = people["agent"], people["operator"]
    client_id = await agent.new_client()
    booking = await booked(agent, client_id, 405)

    async def reads() -> list[dict[str, Any]]:
        params = {"client_id": client_id}
        response = await operator.http.get("/api/ops/personal-data-reads", params=params)
        assert response.status_code == 200, response.text
        return response.json()["items"]  # type: ignore[no-any-return]

    before = await reads()
    listed = await search(agent, code=booking["reservation"]["confirmation_code"])
    await search(agent, limit=100)
    assert listed["items"][0]["client_name"]
    assert await reads() == before
    await client_name(agent, client_id)  # the client opened in full: that is a read
    assert len(await reads()) == len(before) + 1
