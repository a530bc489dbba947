"""Every refusal an agent can meet comes with a code and its values, which the apps say in
English or French (web/static/shared/problems.js); a service's refusal reaches the agent
through the web as the service gave it. On the running platform, every service a real process.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from tests.e2e.agent_client import AgentClient, stay
from tests.e2e.conftest import new_key
from tests.unit.test_problem_texts import texts

pytestmark = pytest.mark.e2e


def said_in_both(code: str) -> bool:
    return code in texts("en") and code in texts("fr")


def person(**changes: Any) -> dict[str, Any]:
    suffix = uuid.uuid4().hex[:10]
    return {
        "first_name": "Afi",
        "last_name": f"Amegah{suffix}",
        "email": f"afi.{suffix}@example.org",
        "phone": "+22890112233",
        "nationality": "TG",
    } | changes


async def test_a_check_in_in_the_past_is_a_coded_invalid_field(agent: AgentClient) -> None:
    two_days_ago = date.today() - timedelta(days=2)
    booking = await agent.book(
        new_key(),
        client_id="any-client",
        hotel_id="paris-lumiere",
        room_type_id="paris-lumiere-double",
        check_in=two_days_ago,
        check_out=two_days_ago + timedelta(days=3),
        guests=1,
    )
    search = await agent.http.get(
        "/api/availability",
        params={
            "hotel_id": "paris-lumiere",
            "check_in": two_days_ago.isoformat(),
            "check_out": (two_days_ago + timedelta(days=3)).isoformat(),
        },
    )

    assert booking.status_code == 422, booking.text
    (refused,) = booking.json()["detail"]
    assert refused["type"] == "stay_check_in_past" and said_in_both(refused["type"])
    assert refused["ctx"]["check_in"] == two_days_ago.isoformat()
    assert search.status_code == 422, search.text
    (searched,) = search.json()["detail"]
    assert searched["loc"] == ["query", "check_in"]  # the apps name the field: "Arrivée"
    assert searched["type"] == "stay_check_in_past" and said_in_both(searched["type"])
    assert searched["ctx"]["check_in"] == two_days_ago.isoformat()
    assert set(searched["ctx"]) == {"check_in", "today"}


async def test_a_destination_matches_without_accents_and_by_country_name(
    agent: AgentClient,
) -> None:
    check_in, check_out = stay(311)
    found = {}
    for destination in ("lome", "France", "Japon", "fr"):
        response = await agent.http.get(
            "/api/availability",
            params={
                "destination": destination,
                "check_in": check_in.isoformat(),
                "check_out": check_out.isoformat(),
            },
        )
        assert response.status_code == 200, response.text
        found[destination] = {offer["city"] for offer in response.json()["results"]}

    assert found["lome"] == {"Lomé"}
    assert found["France"] == found["fr"] == {"Paris"}
    assert found["Japon"] == {"Tokyo"}


async def test_an_unknown_destination_is_not_a_sold_out_one(
    agent: AgentClient, operator: AgentClient
) -> None:
    check_in, check_out = stay(312)
    dates = {"check_in": check_in.isoformat(), "check_out": check_out.isoformat()}
    unknown = await agent.http.get("/api/availability", params={"destination": "xx", **dates})
    offers = await agent.availability(check_in, check_out, destination="nadi")
    assert offers, "the group has a hotel in Nadi"
    closures = [
        f"/api/hotels/{offer['hotel_id']}/room-types/{offer['room_type_id']}/closures"
        for offer in offers
    ]
    window = {"start": check_in.isoformat(), "end": check_out.isoformat()}
    try:
        for path in closures:  # every room of the city off sale for the stay
            closed = await operator.http.post(path, json=window | {"reason": "sold out test"})
            assert closed.status_code == 200, closed.text
        sold_out = await agent.http.get(
            "/api/availability", params={"destination": "Nadi", **dates}
        )
    finally:
        for path in closures:
            await operator.http.delete(path, params=window)

    assert unknown.status_code == 404, unknown.text
    assert unknown.json()["code"] == "search.unknown_destination"
    assert unknown.json()["params"] == {"destination": "xx"}
    assert said_in_both("search.unknown_destination")
    assert sold_out.status_code == 200 and sold_out.json()["results"] == []


async def test_a_phone_written_with_spaces_is_taken_and_stored_in_e164(
    agent: AgentClient,
) -> None:
    created = await agent.http.post("/api/clients", json=person(phone="+228 90 11 22 33"))
    garbage = await agent.http.post("/api/clients", json=person(phone="call me maybe"))

    assert created.status_code == 201, created.text
    assert created.json()["phone"] == "+22890112233"
    assert garbage.status_code == 422
    (refused,) = garbage.json()["detail"]
    assert refused["loc"][-1] == "phone" and refused["type"] == "phone_invalid"
    assert said_in_both("phone_invalid") and "call me maybe" not in garbage.text


async def test_a_known_client_is_a_coded_409_with_their_id(agent: AgentClient) -> None:
    details = person()
    first = await agent.http.post("/api/clients", json=details)
    again = await agent.http.post("/api/clients", json=details | {"first_name": "Other"})

    assert again.status_code == 409
    body = again.json()
    assert body["code"] == "client.known" and said_in_both("client.known")
    assert body["client_id"] == first.json()["id"]


async def test_an_unknown_booking_is_a_coded_404(agent: AgentClient) -> None:
    read = await agent.http.get("/api/bookings/no-such-booking")
    cancel = await agent.http.post("/api/bookings/no-such-booking/cancel")

    for response in (read, cancel):
        assert response.status_code == 404
        assert response.json()["code"] == "booking.not_found"
    assert said_in_both("booking.not_found")


async def test_a_services_refusal_reaches_the_agent_with_its_code(agent: AgentClient) -> None:
    unknown_client = await agent.http.get(f"/api/clients/{uuid.uuid4()}")
    check_in, check_out = stay(313)
    too_many = await agent.http.get(
        "/api/availability",
        params={
            "destination": "Paris",
            "check_in": check_in.isoformat(),
            "check_out": (check_in + timedelta(days=31)).isoformat(),
        },
    )
    assert check_out > check_in

    assert unknown_client.status_code == 404
    assert unknown_client.json()["code"] == "client.not_found"
    assert said_in_both("client.not_found")
    assert too_many.status_code == 422
    (refused,) = too_many.json()["detail"]
    assert refused["type"] == "stay_too_long" and said_in_both("stay_too_long")
    assert refused["ctx"] == {"max_nights": 30, "nights": 31}


async def test_a_failed_booking_gives_its_reason_as_a_code(agent: AgentClient) -> None:
    check_in, check_out = stay(314)
    offer = (await agent.availability(check_in, check_out, destination="Paris"))[0]
    submitted = await agent.book_offer(offer, "no-such-client", check_in, check_out, guests=1)
    booking = await agent.outcome(submitted.json()["booking_id"])

    assert booking["status"] == "FAILED"
    assert booking["reason"] == "The client is unknown."
    assert (booking["reason_code"], booking["reason_params"]) == ("reason.client_unknown", {})
    assert said_in_both("reason.client_unknown")
