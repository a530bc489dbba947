"""The clients service's HTTP API on the real MariaDB, with its broker side running."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.support.clients_service import OPERATOR as OPERATOR_ACTOR
from tests.support.clients_service import clients_api

pytestmark = pytest.mark.integration
OPERATORS_ONLY = {"detail": "operators only", "code": "auth.operators_only", "params": {}}

HUGE = "x" * 1_000_000
UNKNOWN_ID = "0b8a6a5e-2f57-4d2e-9d6a-4c3c1d7f0a11"
OPERATOR = OPERATOR_ACTOR.headers()


@pytest.fixture
async def http(
    amqp_url: str, namespace: str, sql_database_url: str
) -> AsyncIterator[httpx.AsyncClient]:
    async with clients_api(amqp_url, namespace, sql_database_url) as client:
        yield client


def new_client(**overrides: Any) -> dict[str, Any]:
    return {
        "first_name": "Yuki",
        "last_name": "Tanaka",
        "email": "yuki.tanaka@example.jp",
        "phone": "+81 90 1234 5678",
        "nationality": "JP",
    } | overrides


async def create(http: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await http.post("/clients", json=new_client(**overrides))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_a_created_client_can_be_read_back(http: httpx.AsyncClient) -> None:
    created = await create(
        http, email="Yuki.Tanaka@Example.JP", document_type="passport", document_number="tk1234567"
    )
    assert created["phone"] == "+819012345678"
    assert created["status"] == "active" and created["blocked_reason"] is None
    assert created["created_at"] == created["updated_at"]

    response = await http.get(f"/clients/{created['id']}")
    assert response.status_code == 200
    assert response.json() == created
    assert created["email"] == "Yuki.Tanaka@Example.JP"
    assert created["document_number"] == "TK1234567"
    upper_case_id = await http.get(f"/clients/{created['id'].upper()}")
    assert upper_case_id.json()["id"] == created["id"]


async def test_an_email_is_taken_once_per_agency_whatever_its_case(
    http: httpx.AsyncClient,
) -> None:
    amara = await create(http, email="amara.diallo@example.org")
    again = await http.post(
        "/clients", json=new_client(first_name="Other", email="AMARA.Diallo@EXAMPLE.org")
    )
    assert again.status_code == 409
    assert again.json() == {
        "detail": "the agency already knows a client with this email",
        "code": "client.known",
        "params": {},
        "client_id": amara["id"],
    }
    assert (await http.get("/clients", params={"q": "amara"})).json()["total"] == 1


async def test_unknown_and_malformed_ids(http: httpx.AsyncClient) -> None:
    assert (await http.get(f"/clients/{UNKNOWN_ID}")).status_code == 404
    malformed = await http.get("/clients/not-a-uuid")
    assert malformed.status_code == 422
    assert malformed.json()["detail"][0]["loc"] == ["path", "client_id"]


async def test_search_by_name_or_email_is_paginated(http: httpx.AsyncClient) -> None:
    people = [
        ("Chloé", "Martin", "chloe.martin@example.fr"),
        ("Lucas", "Martin", "lucas.m@example.fr"),
        ("Ana", "Martínez", "ana.martinez@example.es"),
        ("Kofi", "Mensah", "kofi@martin-travel.example.com"),
        ("Wei", "Zhang", "wei.zhang@example.cn"),
    ]
    for first, last, email in people:
        await create(http, first_name=first, last_name=last, email=email)

    def names(page: dict[str, Any]) -> list[str]:
        return [f"{c['first_name']} {c['last_name']}" for c in page["items"]]

    everyone = (await http.get("/clients")).json()
    assert everyone["total"] == 5 and len(everyone["items"]) == 5
    martin = (await http.get("/clients", params={"q": "MARTIN"})).json()
    assert names(martin) == ["Chloé Martin", "Lucas Martin", "Ana Martínez", "Kofi Mensah"]
    assert names((await http.get("/clients", params={"q": "chloe martin"})).json()) == [
        "Chloé Martin"
    ]
    assert names((await http.get("/clients", params={"q": "martinez"})).json()) == ["Ana Martínez"]
    assert names((await http.get("/clients", params={"q": "zhang@example"})).json()) == [
        "Wei Zhang"
    ]
    assert (await http.get("/clients", params={"q": "%"})).json()["total"] == 0
    assert (await http.get("/clients", params={"q": "_"})).json()["total"] == 0

    page = (await http.get("/clients", params={"q": "martin", "limit": 2, "offset": 2})).json()
    assert (page["total"], page["limit"], page["offset"]) == (4, 2, 2)
    assert names(page) == ["Ana Martínez", "Kofi Mensah"]


async def test_operators_block_and_unblock_a_client(http: httpx.AsyncClient) -> None:
    client_id = (await create(http))["id"]
    refused = await http.post(f"/clients/{client_id}/block", json={"reason": "chargeback open"})
    assert (refused.status_code, refused.json()) == (403, OPERATORS_ONLY)
    blocked = await http.post(
        f"/clients/{client_id}/block", json={"reason": "chargeback open"}, headers=OPERATOR
    )
    assert blocked.status_code == 200
    assert (blocked.json()["status"], blocked.json()["blocked_reason"]) == (
        "blocked",
        "chargeback open",
    )
    assert (await http.get(f"/clients/{client_id}")).json()["status"] == "blocked"

    unblocked = await http.post(f"/clients/{client_id}/unblock", headers=OPERATOR)
    assert (unblocked.json()["status"], unblocked.json()["blocked_reason"]) == ("active", None)
    unknown = await http.post(
        f"/clients/{UNKNOWN_ID}/block", json={"reason": "x"}, headers=OPERATOR
    )
    assert unknown.status_code == 404
    assert (await http.post(f"/clients/{UNKNOWN_ID}/unblock", headers=OPERATOR)).status_code == 404


BAD_REQUESTS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "POST",
        "/clients",
        {"content": b"{not json", "headers": {"content-type": "application/json"}},
    ),
    ("POST", "/clients", {"json": ["a", "list"]}),
    ("POST", "/clients", {"json": "a string"}),
    ("POST", "/clients", {"json": None}),
    ("POST", "/clients", {"data": {"first_name": "form", "last_name": "data"}}),
    ("POST", "/clients", {"json": {}}),
    ("POST", "/clients", {"json": new_client(first_name=12)}),
    ("POST", "/clients", {"json": new_client(first_name={"nested": "object"})}),
    ("POST", "/clients", {"json": new_client(first_name=HUGE)}),
    ("POST", "/clients", {"json": new_client(last_name="   ")}),
    ("POST", "/clients", {"json": new_client(last_name="Tan\x00aka")}),
    ("POST", "/clients", {"json": new_client(email=HUGE + "@example.com")}),
    ("POST", "/clients", {"json": new_client(email="not-an-email")}),
    ("POST", "/clients", {"json": new_client(phone="0612345678")}),
    ("POST", "/clients", {"json": new_client(phone=HUGE)}),
    ("POST", "/clients", {"json": new_client(phone=33612345678)}),
    ("POST", "/clients", {"json": new_client(nationality="XX")}),
    ("POST", "/clients", {"json": new_client(nationality="JPN")}),
    ("POST", "/clients", {"json": new_client(document_type="passport")}),
    ("POST", "/clients", {"json": new_client(document_type="x", document_number="1")}),
    ("POST", "/clients", {"json": new_client(document_type="passport", document_number="#")}),
    ("POST", "/clients", {"json": new_client(is_vip=True)}),
    ("POST", "/clients", {"json": new_client(status="blocked")}),
    ("GET", "/clients/not-a-uuid", {}),
    ("GET", "/clients/" + "9" * 5000, {}),
    ("GET", "/clients", {"params": {"limit": 0}}),
    ("GET", "/clients", {"params": {"limit": 101}}),
    ("GET", "/clients", {"params": {"limit": "ten"}}),
    ("GET", "/clients", {"params": {"offset": -1}}),
    ("GET", "/clients", {"params": {"offset": 10**30}}),
    ("GET", "/clients", {"params": {"q": "q" * 201}}),
    ("POST", f"/clients/{UNKNOWN_ID}/block", {}),
    ("POST", f"/clients/{UNKNOWN_ID}/block", {"json": {}}),
    ("POST", f"/clients/{UNKNOWN_ID}/block", {"json": {"reason": ""}}),
    ("POST", f"/clients/{UNKNOWN_ID}/block", {"json": {"reason": HUGE}}),
    ("POST", f"/clients/{UNKNOWN_ID}/block", {"json": {"reason": 5}}),
    ("POST", f"/clients/{UNKNOWN_ID}/block", {"json": {"reason": "r", "until": "never"}}),
    ("POST", "/clients/not-a-uuid/block", {"json": {"reason": "fraud"}}),
    ("POST", "/clients/not-a-uuid/unblock", {}),
    ("DELETE", f"/clients/{UNKNOWN_ID}", {}),
    ("PUT", "/clients", {"json": new_client()}),
]


async def test_bad_input_on_every_endpoint_gets_a_4xx_with_a_reason(
    http: httpx.AsyncClient,
) -> None:
    for method, path, request in BAD_REQUESTS:
        response = await http.request(method, path, **request)
        what = f"{method} {path[:60]} {str(request)[:80]}"
        assert 400 <= response.status_code < 500, f"{what} -> {response.status_code}"
        assert len(response.content) < 5_000, f"{what} echoed its input"
        if response.headers["content-type"] != "application/json":
            assert response.status_code == 413 and response.text == "Content Too Large", what
            continue
        detail = response.json()["detail"]
        assert detail, f"{what} gave no reason"
        if isinstance(detail, list):
            assert all(error["msg"] and error["loc"] for error in detail), what


async def test_health_and_metrics(http: httpx.AsyncClient) -> None:
    health = await http.get("/health")
    assert health.status_code == 200
    assert health.json() == {
        "service": "clients",
        "status": "ok",
        "checks": {"broker": "ok", "store": "ok"},
    }
    metrics = await http.get("/metrics")
    assert metrics.status_code == 200
    assert "python_info" in metrics.text
