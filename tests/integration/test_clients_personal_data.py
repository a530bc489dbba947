"""Personal data: an agency reads a client in full only with a reason, every such read is
recorded, and neither a search nor a registration tells an agency what the group holds.

The clients service runs in-process on the real MariaDB and broker; web's role is played by
the headers naming the person acting (`infra.actor`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from infra.actor import Actor
from tests.support.clients_service import AGENT, OPERATOR, clients_api

pytestmark = pytest.mark.integration

TOKYO = Actor("kenji", "agent", "agency-tokyo")
HOTEL_MANAGER = Actor("henri", "hotel_manager", "hotel-paris-montmartre")
PERSON = {
    "first_name": "Zephyrine",
    "last_name": "Quillfeather",
    "email": "zephyrine.quillfeather@example.org",
    "phone": "+33 6 98 76 54 32",
    "nationality": "FR",
    "document_type": "passport",
    "document_number": "QX7781234",
}
FULL_CONTACT = ("zephyrine.quillfeather@example.org", "+33698765432", "QX7781234")


@pytest.fixture
async def http(
    amqp_url: str, namespace: str, sql_database_url: str
) -> AsyncIterator[httpx.AsyncClient]:
    async with clients_api(amqp_url, namespace, sql_database_url, acting=AGENT) as client:
        yield client


async def register(http: httpx.AsyncClient, as_: Actor = AGENT, **overrides: Any) -> Any:
    response = await http.post("/clients", json=PERSON | overrides, headers=as_.headers())
    assert response.status_code == 201, response.text
    return response.json()


def shows_nothing_in_full(body: str) -> bool:
    return not any(value in body for value in (*FULL_CONTACT, "7781234", "98765432"))


async def test_only_the_registering_agency_and_head_office_read_a_client_in_full(
    http: httpx.AsyncClient,
) -> None:
    client_id = (await register(http))["id"]

    own = await http.get(f"/clients/{client_id}")
    assert own.json()["access"] == "full"
    stored = own.json()
    assert (stored["email"], stored["phone"], stored["document_number"]) == FULL_CONTACT

    for stranger in (TOKYO, HOTEL_MANAGER):
        other = await http.get(f"/clients/{client_id}", headers=stranger.headers())
        assert other.status_code == 200
        view = other.json()
        assert view["access"] == "masked"
        assert (view["first_name"], view["last_name"]) == ("Zephyrine", "Quillfeather")
        assert (view["email"], view["phone"]) == ("z•••@e•••.org", "+33•••32")
        assert (view["document_type"], view["document_number"]) == ("passport", "•••34")
        assert shows_nothing_in_full(other.text), stranger

    head_office = await http.get(f"/clients/{client_id}", headers=OPERATOR.headers())
    assert head_office.json()["access"] == "full"

    reads = await http.get(f"/clients/{client_id}/reads", headers=OPERATOR.headers())
    recorded = [
        (r["reader"], r["reader_role"], r["reader_agency"], r["reason"])
        for r in reads.json()["items"]
    ]
    assert recorded == [
        ("olu", "operator", "head-office", "head office"),
        ("ama", "agent", "agency-lome", "registered by the agency"),
    ]
    everyone = (await http.get("/clients/reads", headers=OPERATOR.headers())).json()
    assert everyone["total"] == 2 and everyone["items"][0]["client_id"] == client_id
    by_reader = await http.get(
        "/clients/reads", params={"reader": "ama"}, headers=OPERATOR.headers()
    )
    assert [r["reader"] for r in by_reader.json()["items"]] == ["ama"]


async def test_only_operators_read_the_record_of_reads(http: httpx.AsyncClient) -> None:
    client_id = (await register(http))["id"]
    for path in ("/clients/reads", f"/clients/{client_id}/reads"):
        refused = await http.get(path)
        assert (refused.status_code, refused.json()) == (403, {"detail": "operators only"})


async def test_a_request_that_names_no_person_is_refused(http: httpx.AsyncClient) -> None:
    nobody = {"x-actor-user": "", "x-actor-role": "", "x-actor-agency": ""}
    for method, path in (("GET", "/clients"), ("POST", "/clients")):
        response = await http.request(method, path, json=PERSON, headers=nobody)
        assert response.status_code == 400
        assert "must name the person acting" in response.json()["detail"]


async def test_search_masks_contact_data_and_an_address_finds_only_the_agencys_clients(
    http: httpx.AsyncClient,
) -> None:
    client_id = (await register(http))["id"]

    by_address = await http.get("/clients", params={"q": PERSON["email"]})
    assert [c["id"] for c in by_address.json()["items"]] == [client_id]
    assert by_address.json()["items"][0]["access"] == "masked"
    assert shows_nothing_in_full(by_address.text)

    tokyo = TOKYO.headers()
    assert (await http.get("/clients", params={"q": PERSON["email"]}, headers=tokyo)).json()[
        "total"
    ] == 0
    assert (await http.get("/clients", params={"q": "example.org"}, headers=tokyo)).json()[
        "total"
    ] == 0
    by_name = await http.get("/clients", params={"q": "zephyrine quill"}, headers=tokyo)
    assert [c["id"] for c in by_name.json()["items"]] == [client_id]
    assert shows_nothing_in_full(by_name.text)

    head_office = await http.get(
        "/clients", params={"q": PERSON["email"]}, headers=OPERATOR.headers()
    )
    assert head_office.json()["total"] == 1 and shows_nothing_in_full(head_office.text)


async def test_registering_an_address_another_agency_holds_reveals_nothing(
    http: httpx.AsyncClient,
) -> None:
    lome = await register(http)

    tokyo_first = await http.post("/clients", json=PERSON, headers=TOKYO.headers())
    fresh = await http.post(
        "/clients", json=PERSON | {"email": "someone.new@example.org"}, headers=TOKYO.headers()
    )
    # The same answer as for an address nobody holds: a new client of the agency's own.
    assert (tokyo_first.status_code, fresh.status_code) == (201, 201)
    assert tokyo_first.json().keys() == fresh.json().keys()
    assert tokyo_first.json()["id"] != lome["id"]

    tokyo_again = await http.post(
        "/clients", json=PERSON | {"email": PERSON["email"].upper()}, headers=TOKYO.headers()
    )
    assert tokyo_again.status_code == 409
    assert tokyo_again.json()["client_id"] == tokyo_first.json()["id"]

    lome_again = await http.post("/clients", json=PERSON)
    assert (lome_again.status_code, lome_again.json()["client_id"]) == (409, lome["id"])
