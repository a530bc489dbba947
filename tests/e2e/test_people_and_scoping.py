"""People of the group against the running platform: each role sees exactly the bookings it
may (an agent their own, an agency manager their agency's, a hotel manager their hotels' with
the guest's name only, an operator all), agencies and agents are created and disabled through
the API, and a password change or a disabled account ends the sessions it must."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest

from tests.e2e.agent_client import AgentClient, stay
from tests.support.platform import Platform

pytestmark = pytest.mark.e2e
PASSWORD = "agent-demo"
PARIS, LOME = "paris-montmartre", "lome-lagune"


async def sign_in(platform: Platform, username: str, password: str = PASSWORD) -> httpx.Response:
    async with httpx.AsyncClient(base_url=platform.url("web"), timeout=30) as http:
        return await http.post("/api/auth/token", data={"username": username, "password": password})


@pytest.fixture
async def people(platform: Platform) -> AsyncIterator[dict[str, AgentClient]]:
    logins = {
        "lome.agent1": PASSWORD,
        "lome.agent2": PASSWORD,
        "lome.manager": PASSWORD,
        "dakar.agent1": PASSWORD,
        "dakar.manager": PASSWORD,
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


async def confirmed(agent: AgentClient, hotel_id: str, offset_days: int) -> dict[str, Any]:
    check_in, check_out = stay(offset_days)
    offers = await agent.availability(check_in, check_out, hotel_id=hotel_id, guests=1)
    response = await agent.book_offer(offers[0], await agent.new_client(), check_in, check_out, 1)
    assert response.status_code == 202, response.text
    booking = await agent.outcome(response.json()["booking_id"])
    assert booking["status"] == "CONFIRMED", booking
    return booking


async def listed(person: AgentClient) -> set[str]:
    response = await person.http.get("/api/bookings", params={"limit": 100})
    assert response.status_code == 200, response.text
    return {item["booking_id"] for item in response.json()["items"]}


async def test_each_role_sees_exactly_the_bookings_it_may(
    people: dict[str, AgentClient],
) -> None:
    in_paris = await confirmed(people["lome.agent1"], PARIS, 110)
    in_lome = await confirmed(people["lome.agent2"], LOME, 111)
    both = {in_paris["booking_id"], in_lome["booking_id"]}

    seen = {name: await listed(person) for name, person in people.items()}
    reads = {
        name: {
            booking_id: (await person.http.get(f"/api/bookings/{booking_id}")).status_code
            for booking_id in both
        }
        for name, person in people.items()
    }

    managers_view = await people["lome.manager"].booking(in_lome["booking_id"])
    assert managers_view["agent_id"] == "lome.agent2", "a manager sees who booked"
    assert seen["lome.agent1"] & both == {in_paris["booking_id"]}
    assert seen["lome.agent2"] & both == {in_lome["booking_id"]}
    assert seen["lome.manager"] >= both
    assert seen["operator"] >= both
    assert seen["hotels.paris"] & both == {in_paris["booking_id"]}
    assert not seen["dakar.agent1"] & both and not seen["dakar.manager"] & both
    assert reads["lome.agent1"] == {in_paris["booking_id"]: 200, in_lome["booking_id"]: 404}
    assert reads["lome.agent2"] == {in_paris["booking_id"]: 404, in_lome["booking_id"]: 200}
    assert reads["hotels.paris"] == {in_paris["booking_id"]: 200, in_lome["booking_id"]: 404}
    for name in ("lome.manager", "operator"):
        assert set(reads[name].values()) == {200}, name
    for name in ("dakar.agent1", "dakar.manager"):
        assert set(reads[name].values()) == {404}, name


async def test_a_hotel_manager_sees_the_guests_name_and_nothing_else_of_the_client(
    people: dict[str, AgentClient],
) -> None:
    agent, hotel_manager = people["lome.agent1"], people["hotels.paris"]
    booking = await confirmed(agent, PARIS, 112)
    client = (await agent.http.get(f"/api/clients/{booking['client_id']}")).json()

    read = (await hotel_manager.http.get(f"/api/bookings/{booking['booking_id']}")).json()
    events = await hotel_manager.events(booking["booking_id"])
    as_listed = (await hotel_manager.http.get("/api/bookings", params={"limit": 100})).json()
    item = next(i for i in as_listed["items"] if i["booking_id"] == booking["booking_id"])

    assert read["guest_name"] == f"{client['first_name']} {client['last_name']}"
    assert item["guest_name"] == read["guest_name"]
    assert read["client_id"] is None and item["client_id"] is None
    assert read["agent_id"] is None and item["agent_id"] is None
    assert all(data.get("client_id") is None for event, data in events if event == "state")
    for shown in (read, item):
        assert client["email"] not in str(shown) and client["phone"] not in str(shown)


async def test_a_hotel_manager_neither_books_nor_cancels_nor_reads_clients(
    people: dict[str, AgentClient],
) -> None:
    booking = await confirmed(people["lome.agent1"], PARIS, 113)
    hotel_manager = people["hotels.paris"].http

    cancel = await hotel_manager.post(f"/api/bookings/{booking['booking_id']}/cancel")
    clients = await hotel_manager.get("/api/clients", params={"q": "Ama"})
    book = await hotel_manager.post(
        "/api/bookings",
        json={"client_id": booking["client_id"], "hotel_id": PARIS},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )

    assert [cancel.status_code, clients.status_code, book.status_code] == [403, 403, 403]
    assert (await people["lome.agent1"].booking(booking["booking_id"]))["status"] == "CONFIRMED"


async def test_hotels_are_run_by_their_managers_only(people: dict[str, AgentClient]) -> None:
    check_in, check_out = stay(114, nights=3)
    window = {"start": check_in.isoformat(), "end": check_out.isoformat()}
    hotel_manager = people["hotels.paris"].http

    managed = await hotel_manager.get("/api/managed-hotels")
    own = await hotel_manager.get(f"/api/hotels/{PARIS}/calendar", params=window)
    other = await hotel_manager.get(f"/api/hotels/{LOME}/calendar", params=window)
    by_agent = await people["lome.agent1"].http.get(f"/api/hotels/{PARIS}/calendar", params=window)
    by_operator = await people["operator"].http.get(f"/api/hotels/{LOME}/calendar", params=window)

    assert {h["hotel_id"] for h in managed.json()["items"]} == {"paris-lumiere", PARIS}
    assert own.status_code == 200 and own.json()["hotel_id"] == PARIS
    assert other.status_code == 404
    assert by_agent.status_code == 403
    assert by_operator.status_code == 200


async def test_an_operator_creates_an_agency_whose_manager_creates_and_disables_an_agent(
    platform: Platform, people: dict[str, AgentClient]
) -> None:
    suffix = uuid.uuid4().hex[:6]
    manager, agent = f"nairobi{suffix}.manager", f"nairobi{suffix}.agent"
    created = await people["operator"].http.post(
        "/api/agencies",
        json={
            "agency_id": f"agency-nairobi-{suffix}",
            "name": "Safari Desk",
            "city": "Nairobi",
            "country": "KE",
            "time_zone": "Africa/Nairobi",
            "currency": "KES",
            "manager": {"username": manager, "display_name": "Wanjiru", "password": "kilima-2026"},
        },
    )
    assert created.status_code == 201, created.text
    async with AgentClient.signed_in(platform.url("web"), manager, "kilima-2026") as boss:
        made = await boss.http.post(
            "/api/users",
            json={"username": agent, "display_name": "Otieno", "password": "nyota-2026-x"},
        )
        as_manager = await boss.http.post(
            "/api/users",
            json={
                "username": f"x{suffix}",
                "display_name": "X",
                "password": "nyota-2026-x",
                "role": "agency_manager",
            },
        )
        others = await boss.http.post("/api/users/lome.agent1/disable")
        team = await boss.http.get("/api/users")
        async with AgentClient.signed_in(platform.url("web"), agent, "nyota-2026-x") as staff:
            before = await staff.http.get("/api/bookings")
            disabled = await boss.http.post(f"/api/users/{agent}/disable")
            after = await staff.http.get("/api/bookings")
        refused = await sign_in(platform, agent, "nyota-2026-x")
        await boss.http.post(f"/api/users/{agent}/enable")
        again = await sign_in(platform, agent, "nyota-2026-x")

    assert made.status_code == 201 and made.json()["role"] == "agent"
    assert made.json()["agency_id"] == f"agency-nairobi-{suffix}"
    assert as_manager.status_code == 403
    assert others.status_code == 404, "another agency's agent is not theirs to see"
    assert {u["username"] for u in team.json()["items"]} == {manager, agent}
    assert before.status_code == 200
    assert disabled.status_code == 200 and disabled.json()["active"] is False
    assert after.status_code == 401, "a disabled account's token stops working"
    assert refused.status_code == 403 and "disabled" in refused.json()["detail"]
    assert again.status_code == 200


async def test_only_operators_and_managers_administer_people(
    people: dict[str, AgentClient],
) -> None:
    agent, manager = people["lome.agent2"].http, people["lome.manager"].http

    assert (await agent.get("/api/users")).status_code == 403
    assert (await agent.get("/api/agencies")).status_code == 403
    assert (await manager.get("/api/agencies")).status_code == 403
    own_team = (await manager.get("/api/users", params={"agency_id": "agency-dakar"})).json()
    assert {u["agency_id"] for u in own_team["items"]} == {"agency-lome"}
    yourself = await people["operator"].http.post("/api/users/operator/disable")
    assert yourself.status_code == 409


async def test_a_new_password_ends_the_other_sessions_and_keeps_this_one(
    platform: Platform, people: dict[str, AgentClient]
) -> None:
    username = f"tokyo{uuid.uuid4().hex[:6]}"
    made = await people["operator"].http.post(
        "/api/users",
        json={
            "username": username,
            "display_name": "Haruto",
            "password": "sakura-2026-a",
            "role": "agent",
            "agency_id": "agency-tokyo",
        },
    )
    assert made.status_code == 201, made.text
    async with (
        AgentClient.signed_in(platform.url("web"), username, "sakura-2026-a") as here,
        AgentClient.signed_in(platform.url("web"), username, "sakura-2026-a") as elsewhere,
    ):
        wrong = await here.http.post(
            "/api/me/password",
            json={"current_password": "not-it-at-all", "new_password": "fuji-2026-bb"},
        )
        weak = await here.http.post(
            "/api/me/password", json={"current_password": "sakura-2026-a", "new_password": "short"}
        )
        changed = await here.http.post(
            "/api/me/password",
            json={"current_password": "sakura-2026-a", "new_password": "fuji-2026-bb"},
        )
        this_one = await here.http.get("/api/me")
        other_one = await elsewhere.http.get("/api/me")

    assert wrong.status_code == 400 and weak.status_code == 422
    assert "10 characters" in weak.json()["detail"]
    assert changed.status_code == 204
    assert this_one.status_code == 200 and this_one.json()["agency"]["city"] == "Tokyo"
    assert other_one.status_code == 401
    assert (await sign_in(platform, username, "sakura-2026-a")).status_code == 401
    assert (await sign_in(platform, username, "fuji-2026-bb")).status_code == 200


async def test_a_manager_resets_a_forgotten_password_and_ends_the_agents_sessions(
    platform: Platform, people: dict[str, AgentClient]
) -> None:
    username = f"sydney{uuid.uuid4().hex[:6]}"
    boss = people["operator"].http
    made = await boss.post(
        "/api/users",
        json={
            "username": username,
            "display_name": "Mia",
            "password": "harbour-2026-a",
            "role": "agent",
            "agency_id": "agency-sydney",
        },
    )
    assert made.status_code == 201, made.text
    async with (
        AgentClient.signed_in(platform.url("web"), "sydney.manager", PASSWORD) as manager,
        AgentClient.signed_in(platform.url("web"), username, "harbour-2026-a") as forgetful,
    ):
        by_other_agency = await people["lome.manager"].http.post(
            f"/api/users/{username}/password", json={"new_password": "opera-2026-zz"}
        )
        reset = await manager.http.post(
            f"/api/users/{username}/password", json={"new_password": "opera-2026-zz"}
        )
        old_token = await forgetful.http.get("/api/me")

    assert by_other_agency.status_code == 404
    assert reset.status_code == 204
    assert old_token.status_code == 401
    assert (await sign_in(platform, username, "opera-2026-zz")).status_code == 200
