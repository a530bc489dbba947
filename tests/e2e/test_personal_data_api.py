"""Personal data through the public API: what an agent and an operator see of a client, and
the record of every read of full details, on the running platform."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from infra.actor import Actor
from tests.e2e.agent_client import AgentClient, stay
from tests.support.platform import Platform
from tests.support.service_auth import internal_client

pytestmark = pytest.mark.e2e


def person() -> dict[str, str]:
    suffix = uuid.uuid4().hex[:8]
    return {
        "first_name": "Zephyrine",
        "last_name": f"Quill{suffix}",
        "email": f"zephyrine.{suffix}@example.org",
        "phone": "+33 6 98 76 54 32",
        "nationality": "FR",
        "document_type": "passport",
        "document_number": f"QX{suffix[:6].upper()}",
    }


async def test_an_agent_reads_their_agencys_client_in_full_and_head_office_sees_the_read(
    agent: AgentClient, operator: AgentClient
) -> None:
    details = person()
    created = await agent.http.post("/api/clients", json=details)
    assert created.status_code == 201, created.text
    client_id = created.json()["id"]

    found = await agent.http.get("/api/clients", params={"q": details["last_name"]})
    assert [c["id"] for c in found.json()["items"]] == [client_id]
    listed = found.json()["items"][0]
    assert listed["access"] == "masked" and listed["email"] == "z•••@e•••.org"
    assert details["document_number"] not in found.text and "98765432" not in found.text

    read = await agent.http.get(f"/api/clients/{client_id}")
    assert read.json()["access"] == "full"
    assert read.json()["document_number"] == details["document_number"]

    reads = await operator.http.get("/api/ops/personal-data-reads", params={"client_id": client_id})
    assert reads.status_code == 200, reads.text
    assert [(r["reader"], r["reader_agency"], r["reason"]) for r in reads.json()["items"]] == [
        ("agent", "agency-lome", "registered by the agency")
    ]
    refused = await agent.http.get("/api/ops/personal-data-reads")
    assert refused.status_code == 403


async def test_registering_a_known_address_again_offers_the_agencys_client(
    agent: AgentClient,
) -> None:
    details = person()
    first = await agent.http.post("/api/clients", json=details)
    again = await agent.http.post(
        "/api/clients", json=details | {"email": details["email"].upper()}
    )
    assert again.status_code == 409
    assert again.json() == {
        "detail": "the agency already knows a client with this email",
        "code": "client.known",
        "params": {},
        "client_id": first.json()["id"],
    }


async def test_operators_block_and_unblock_a_client_through_the_web(
    agent: AgentClient, operator: AgentClient
) -> None:
    client_id = (await agent.http.post("/api/clients", json=person())).json()["id"]
    path = f"/api/ops/clients/{client_id}"
    assert (
        await agent.http.post(f"{path}/block", json={"reason": "chargeback"})
    ).status_code == 403
    blocked = await operator.http.post(f"{path}/block", json={"reason": "chargeback"})
    assert (blocked.json()["status"], blocked.json()["blocked_reason"]) == ("blocked", "chargeback")
    assert (await agent.http.get(f"/api/clients/{client_id}")).json()["status"] == "blocked"
    unblocked = await operator.http.post(f"{path}/unblock")
    assert unblocked.json()["status"] == "active"


async def test_a_confirmed_booking_opens_the_client_to_the_booking_agency(
    agent: AgentClient, platform: Platform
) -> None:
    details = person()
    zagreb = Actor("ivo", "agent", "agency-zagreb").headers()
    async with internal_client("clients", base_url=platform.url("clients"), headers=zagreb) as http:
        client_id = (await http.post("/clients", json=details)).json()["id"]
    assert (await agent.http.get(f"/api/clients/{client_id}")).json()["access"] == "masked"

    check_in, check_out = stay(47)
    offers = await agent.availability(check_in, check_out, city="Paris", guests=2)
    submitted = await agent.book_offer(offers[0], client_id, check_in, check_out, guests=2)
    booking_id = submitted.json()["booking_id"]
    assert (await agent.outcome(booking_id))["status"] == "CONFIRMED"

    # The clients service takes the confirmation from the broker: poll until it has.
    async with asyncio.timeout(15):
        read = await agent.http.get(f"/api/clients/{client_id}")
        while read.json()["access"] != "full":
            await asyncio.sleep(0.1)
            read = await agent.http.get(f"/api/clients/{client_id}")
    assert read.json()["document_number"] == details["document_number"]
