"""The rooms HTTP API on MariaDB: availability across the group, operators, clear 422s."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from contracts.topology import Topology
from rooms.adapters.tables import holds, room_nights
from rooms.entrypoints.app import create_app
from rooms.settings import RoomsSettings
from tests.support.service_auth import internal_client

pytestmark = pytest.mark.integration

CHECK_IN = date.today() + timedelta(days=60)
CHECK_OUT = CHECK_IN + timedelta(days=3)
STAY = {"check_in": CHECK_IN.isoformat(), "check_out": CHECK_OUT.isoformat()}


@pytest.fixture
async def app(amqp_url: str, topology: Topology, sql_database_url: str) -> AsyncIterator[FastAPI]:
    settings = RoomsSettings(
        amqp_url=amqp_url,
        booking_namespace=topology.namespace,
        rooms_db_url=sql_database_url,
        seed_demo_data=True,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with internal_client("rooms", transport=transport, base_url="http://rooms") as client:
        yield client


def held_for_a_night(hold_id: str) -> dict[str, Any]:
    """A hold row for the one night the test takes: every taken night belongs to a hold."""
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    night = CHECK_IN + timedelta(days=1)
    return {
        "hold_id": hold_id,
        "saga_id": f"saga-{hold_id}",
        "hotel_id": "lome-lagune",
        "room_type_id": "lome-lagune-double",
        "room_id": "lome-lagune-double-301",
        "check_in": night,
        "check_out": night + timedelta(days=1),
        "guests": 2,
        "status": "CONFIRMED",
        "expires_at": now,
        "prices": [],
        "total": Decimal("0"),
        "currency": "XOF",
        "created_at": now,
        "updated_at": now,
    }


async def test_availability_in_lome_is_priced_per_night_in_francs_cfa(
    app: FastAPI, http: httpx.AsyncClient
) -> None:
    before = (await http.get("/availability", params={"city": "Lomé", **STAY, "guests": 2})).json()
    async with app.state.engine.begin() as connection:
        await connection.execute(holds.insert().values(**held_for_a_night("h")))
        await connection.execute(
            room_nights.insert(),
            [
                {
                    "room_id": "lome-lagune-double-301",
                    "night": CHECK_IN + timedelta(days=1),
                    "hold_id": "h",
                },
            ],
        )
    after = (await http.get("/availability", params={"city": "lomé", **STAY, "guests": 2})).json()

    assert {offer["hotel_id"] for offer in before} == {"lome-lagune", "lome-sarakawa"}
    assert all(offer["capacity"] >= 2 and offer["currency"] == "XOF" for offer in before)
    double = next(o for o in before if o["room_type_id"] == "lome-lagune-double")
    assert double["available"] == 8 and double["hotel_name"] == "Hôtel de la Lagune"
    assert len(double["nightly_prices"]) == 3
    assert Decimal(double["total"]) == sum(Decimal(p["price"]) for p in double["nightly_prices"])
    assert next(o for o in after if o["room_type_id"] == "lome-lagune-double")["available"] == 7


async def test_search_by_country_with_a_budget_sorted_by_price(http: httpx.AsyncClient) -> None:
    everything = (await http.get("/availability", params={"country": "FR", **STAY})).json()
    budget = Decimal("200")
    response = await http.get(
        "/availability", params={"country": "fr", **STAY, "max_price": "200", "sort": "price"}
    )
    offers = response.json()
    group = (await http.get("/availability", params={**STAY, "guests": 4})).json()

    assert {o["city"] for o in everything} == {"Paris"}
    assert 0 < len(offers) < len(everything)
    assert all(Decimal(p["price"]) <= budget for o in offers for p in o["nightly_prices"])
    totals = [Decimal(o["total"]) for o in offers]
    assert totals == sorted(totals)
    assert len({o["country"] for o in group}) >= 20
    assert all(o["capacity"] >= 4 for o in group)


async def test_a_destination_matches_without_accents_or_case_and_by_country_name(
    http: httpx.AsyncClient,
) -> None:
    found = {}
    for destination in ("lome", "LOMÉ", "Togo", "tg", "France", "Japon", "japan"):
        response = await http.get("/availability", params={"destination": destination, **STAY})
        assert response.status_code == 200, response.text
        found[destination] = {offer["city"] for offer in response.json()}
    assert found["lome"] == found["LOMÉ"] == found["Togo"] == found["tg"] == {"Lomé"}
    assert found["France"] == {"Paris"} and found["Japon"] == found["japan"] == {"Tokyo"}


async def test_a_place_with_no_hotel_of_the_group_is_a_404_not_an_empty_list(
    http: httpx.AsyncClient,
) -> None:
    for params in ({"destination": "xx"}, {"city": "Atlantis"}, {"country": "Norvège"}):
        response = await http.get("/availability", params=params | STAY)
        assert response.status_code == 404, params
        body = response.json()
        assert body["code"] == "search.unknown_destination", body
        assert body["params"] == {"destination": next(iter(params.values()))}
    # A place the group is in, whose rooms cannot take the stay: no offers, not a 404.
    crowded = await http.get("/availability", params={"destination": "Lomé", **STAY, "guests": 12})
    assert crowded.status_code == 200 and crowded.json() == []


BAD_SEARCHES: list[tuple[dict[str, Any], str]] = [
    ({"check_in": CHECK_OUT.isoformat(), "check_out": CHECK_IN.isoformat()}, "check_out"),
    ({"check_in": CHECK_IN.isoformat(), "check_out": CHECK_IN.isoformat()}, "check_out"),
    (
        {"check_in": CHECK_IN.isoformat(), "check_out": (CHECK_IN + timedelta(31)).isoformat()},
        "at most 30 nights",
    ),
    (
        {
            "hotel_id": "paris-lumiere",
            "check_in": (date.today() - timedelta(days=2)).isoformat(),
            "check_out": (date.today() + timedelta(days=1)).isoformat(),
        },
        "in the past",
    ),
    ({**STAY, "guests": 0}, "guests"),
    ({**STAY, "guests": "many"}, "guests"),
    ({**STAY, "country": "F"}, "country"),
    ({**STAY, "max_price": "-5"}, "max_price"),
    ({**STAY, "sort": "name"}, "sort"),
    ({"check_in": "2027-02-30", "check_out": "2027-03-02"}, "check_in"),
    ({"check_out": CHECK_OUT.isoformat()}, "check_in"),
]


async def test_a_bad_search_is_a_422_with_the_reason(http: httpx.AsyncClient) -> None:
    for params, expected in BAD_SEARCHES:
        response = await http.get("/availability", params=params)

        assert response.status_code == 422, params
        assert expected in response.text, params


async def test_operators_build_a_hotel_that_then_shows_up_in_searches(
    http: httpx.AsyncClient,
) -> None:
    hotel = {
        "name": "Kpalimé Hills",
        "address": "Route de Klouto",
        "city": "Kpalimé",
        "country": "TG",
        "continent": "Africa",
        "time_zone": "Africa/Lome",
        "currency": "XOF",
        "stars": 3,
    }
    bad_zone = await http.post("/hotels", json=hotel | {"time_zone": "Mars/Olympus"})
    bad_continent = await http.post("/hotels", json=hotel | {"continent": "Atlantis"})
    created = await http.post("/hotels", json=hotel)
    hotel_id = created.json()["id"]
    orphan = await http.post(
        "/room-types",
        json={"hotel_id": "nowhere", "name": "Double", "capacity": 2, "beds": "1 queen"},
    )
    room_type = await http.post(
        "/room-types",
        json={"hotel_id": hotel_id, "name": "Double", "capacity": 2, "beds": "1 queen"},
    )
    room_type_id = room_type.json()["id"]
    room = await http.post(
        "/rooms", json={"room_type_id": room_type_id, "number": "12", "floor": 1}
    )
    same_number = await http.post(
        "/rooms", json={"room_type_id": room_type_id, "number": "12", "floor": 2}
    )
    rate = {"room_type_id": room_type_id, "season": "year", "start_month": 1, "end_month": 12}
    bad_rate = await http.post(
        "/rates", json=rate | {"start_month": 13, "weekday_price": "1", "weekend_price": "1"}
    )
    await http.post("/rates", json=rate | {"weekday_price": "30000", "weekend_price": "35000"})
    renamed = await http.patch(f"/hotels/{hotel_id}", json={"name": "Kpalimé Heights"})
    missing = await http.patch("/hotels/nowhere", json={"name": "x"})
    details = (await http.get(f"/room-types/{room_type_id}")).json()
    found = (await http.get("/availability", params={"city": "Kpalimé", **STAY})).json()

    assert bad_zone.status_code == 422 and "IANA time zone" in bad_zone.text
    assert bad_continent.status_code == 422
    assert created.status_code == 201
    assert orphan.status_code == 422 and "nowhere" in orphan.text
    assert room_type.status_code == 201 and room.status_code == 201
    assert same_number.status_code == 409
    assert bad_rate.status_code == 422
    assert renamed.json()["name"] == "Kpalimé Heights"
    assert missing.status_code == 404
    assert details["rates"][0]["weekday_price"] == "30000.00"
    assert [r["number"] for r in details["rooms"]] == ["12"]
    assert [(o["hotel_name"], o["available"]) for o in found] == [("Kpalimé Heights", 1)]
    assert Decimal(found[0]["total"]) == sum(
        Decimal(p["price"]) for p in found[0]["nightly_prices"]
    )


async def test_health_metrics_and_details(http: httpx.AsyncClient) -> None:
    health = await http.get("/health")
    metrics = await http.get("/metrics")
    hotels = (await http.get("/hotels", params={"continent": "Oceania"})).json()
    paris = (await http.get("/hotels/paris-lumiere")).json()
    unknown = await http.get("/hotels/nowhere")

    assert health.status_code == 200 and health.json()["checks"] == {"broker": "ok", "store": "ok"}
    assert "rooms_hold_requests_total" in metrics.text
    assert {h["city"] for h in hotels} >= {"Sydney", "Auckland"}
    assert paris["time_zone"] == "Europe/Paris" and len(paris["room_types"]) >= 3
    assert unknown.status_code == 404
