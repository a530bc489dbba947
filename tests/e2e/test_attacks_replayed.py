"""The attacks the security review made on the running platform, made again: each must now
be refused, and say why.

Internal services, personal data and the registered-email probe are replayed here over real
HTTP against the running platform. The broker attacks are replayed in
`tests/integration/test_forged_commands.py` and `tests/integration/test_broker_identities.py`,
the login attacks in `tests/integration/test_web_logins.py` (they lock the account they aim
at, which this shared platform's other tests sign in with), and the edge in
`tests/e2e/test_api_edge.py` and `tests/e2e/test_api_schemathesis.py`.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from infra.actor import Actor
from tests.e2e.agent_client import AgentClient
from tests.support.platform import Platform
from tests.support.service_auth import internal_client

pytestmark = pytest.mark.e2e

SOME_ID = "0b8a6a5e-2f57-4d2e-9d6a-4c3c1d7f0a11"
# What the review did on ports 5001-5004 with no credentials at all.
INTERNAL_ATTACKS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("rooms", "PATCH", "/rates/rate-1", {"json": {"amount": "0.01"}}),
    ("rooms", "POST", "/hotels", {"json": {"id": "evil", "name": "Evil"}}),
    ("clients", "POST", f"/clients/{SOME_ID}/block", {"json": {"reason": "x"}}),
    ("clients", "POST", f"/clients/{SOME_ID}/unblock", {}),
    ("clients", "GET", "/clients?limit=100", {}),
    ("orchestrator", "GET", "/sagas", {}),
    ("orchestrator", "POST", f"/sagas/{SOME_ID}/retry", {}),
    ("orchestrator", "POST", f"/sagas/{SOME_ID}/compensate", {}),
    ("reservations", "GET", "/reservations", {}),
]


async def test_the_internal_services_answer_no_one_without_a_service_token(
    platform: Platform,
) -> None:
    for service, method, path, request in INTERNAL_ATTACKS:
        async with httpx.AsyncClient(base_url=platform.url(service)) as http:
            response = await http.request(method, path, **request)
        assert response.status_code == 401, f"{service} {method} {path}: {response.status_code}"
        assert "no service token" in response.json()["detail"]
        assert response.headers["www-authenticate"].startswith("Bearer")


def someone(suffix: str) -> dict[str, str]:
    return {
        "first_name": "Nadia",
        "last_name": f"Kovac{suffix}",
        "email": f"nadia.{suffix}@example.org",
        "phone": "+38591234567",
        "nationality": "HR",
        "document_type": "passport",
        "document_number": f"HR{suffix[:7].upper()}",
    }


async def another_agencys_client(platform: Platform, details: dict[str, str]) -> str:
    """A client the Zagreb agency registered (as web would on its agent's behalf)."""
    zagreb = Actor("ivo", "agent", "agency-zagreb").headers()
    async with internal_client("clients", base_url=platform.url("clients"), headers=zagreb) as http:
        created = await http.post("/clients", json=details)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def test_an_agent_no_longer_reads_other_agencies_clients_passports(
    agent: AgentClient, platform: Platform
) -> None:
    details = someone(uuid.uuid4().hex[:8])
    client_id = await another_agencys_client(platform, details)

    listing = await agent.http.get("/api/clients", params={"limit": 100})
    assert listing.status_code == 200
    one = await agent.http.get(f"/api/clients/{client_id}")
    by_name = await agent.http.get("/api/clients", params={"q": details["last_name"]})
    by_email = await agent.http.get("/api/clients", params={"q": details["email"]})

    for response in (listing, one, by_name, by_email):
        for secret in (details["email"], details["document_number"], "91234567"):
            assert secret not in response.text
    assert one.json()["access"] == "masked"
    assert [c["id"] for c in by_name.json()["items"]] == [client_id]
    assert by_email.json()["total"] == 0, "an address finds only the agency's own clients"
    assert all(c["access"] == "masked" for c in listing.json()["items"])


async def test_registering_an_address_no_longer_tells_whether_the_group_holds_it(
    agent: AgentClient, platform: Platform
) -> None:
    details = someone(uuid.uuid4().hex[:8])
    await another_agencys_client(platform, details)
    held = await agent.http.post("/api/clients", json=details)
    unheld = await agent.http.post("/api/clients", json=someone(uuid.uuid4().hex[:8]))
    assert (held.status_code, unheld.status_code) == (201, 201)
    assert held.json().keys() == unheld.json().keys()
