"""Personal data: an agency reads a client in full only with a reason, every such read is
recorded, and neither a search nor a registration tells an agency what the group holds.

The clients service runs in-process on the real MariaDB and broker; web's role is played by
the headers naming the person acting (`infra.actor`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from typing import Any

import aio_pika
import httpx
import pytest
from aio_pika.abc import AbstractRobustConnection

from contracts.envelope import DEAD_LETTER_REASON_HEADER, Envelope, new_id
from contracts.events import CLOUDEVENTS_CONTENT_TYPE, BookingConfirmed, CloudEvent
from contracts.topology import Topology
from contracts.values import Stay
from infra.actor import Actor
from infra.messaging.codec import Outgoing
from infra.messaging.signing import MessageSigner
from tests.support.clients_service import AGENT, OPERATOR, clients_api
from tests.support.observer import amqp_message, drain_queue, publish_message
from tests.support.signing import service_signer

pytestmark = pytest.mark.integration
OPERATORS_ONLY = {"detail": "operators only", "code": "auth.operators_only", "params": {}}

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
        assert (refused.status_code, refused.json()) == (403, OPERATORS_ONLY)


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


def confirmed_booking(
    client_id: str, agency_id: str, booking_id: str, signer: MessageSigner | None = None
) -> aio_pika.Message:
    """A `booking.confirmed` CloudEvent as the orchestrator publishes it, signed by `signer`."""
    event = BookingConfirmed(
        booking_id=booking_id,
        reservation_id=new_id(),
        confirmation_code="K7P2QX9M",
        client_id=client_id,
        agency_id=agency_id,
        hotel_id="paris-lumiere",
        room_type_id="paris-lumiere-double",
        stay=Stay(check_in=date(2027, 3, 1), check_out=date(2027, 3, 3)),
        total=Decimal("300.00"),
        currency="EUR",
    )
    envelope = Envelope.new(event.message_type, booking_id)
    cloud_event = CloudEvent(
        id=envelope.message_id,
        source="/orchestrator",
        type=event.message_type,
        subject=booking_id,
        time=envelope.occurred_at,
        data=event,
    )
    outgoing = Outgoing(envelope, cloud_event.model_dump_json().encode())
    message = amqp_message(outgoing, signer)
    message.content_type = CLOUDEVENTS_CONTENT_TYPE
    return message


async def access_of(http: httpx.AsyncClient, client_id: str, as_: Actor) -> str:
    return str((await http.get(f"/clients/{client_id}", headers=as_.headers())).json()["access"])


async def until_full(http: httpx.AsyncClient, client_id: str, as_: Actor) -> None:
    """Wait until `as_` reads the client in full (the event is consumed)."""
    async with asyncio.timeout(15):
        while await access_of(http, client_id, as_) != "full":  # noqa: ASYNC110 (an HTTP poll)
            await asyncio.sleep(0.1)


async def test_a_confirmed_booking_lets_the_booking_agency_read_its_client(
    http: httpx.AsyncClient, broker_connection: AbstractRobustConnection, topology: Topology
) -> None:
    client_id = (await register(http))["id"]
    assert await access_of(http, client_id, TOKYO) == "masked"
    events = topology.events.name
    routing_key = topology.public_routing_key("confirmed")

    # Anyone with a broker login can publish an event: an unsigned one is dead-lettered and
    # opens nothing.
    await publish_message(
        broker_connection, events, routing_key, confirmed_booking(client_id, "agency-tokyo", "b-0")
    )
    dead = await drain_queue(broker_connection, f"{topology.client_bookings_queue().name}.dlq", 1)
    assert "not signed" in str(dead[0].headers[DEAD_LETTER_REASON_HEADER])
    assert await access_of(http, client_id, TOKYO) == "masked"

    booking = confirmed_booking(client_id, "agency-tokyo", "b-1", service_signer())
    for _ in range(2):  # a redelivered event changes nothing
        await publish_message(broker_connection, events, routing_key, booking)
    await until_full(http, client_id, TOKYO)

    reads = await http.get(f"/clients/{client_id}/reads", headers=OPERATOR.headers())
    assert [r["reason"] for r in reads.json()["items"]][:1] == ["the agency's booking b-1"]
    assert await access_of(http, client_id, Actor("ines", "agent", "agency-dakar")) == "masked"
