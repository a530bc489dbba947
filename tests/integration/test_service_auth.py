"""Every internal HTTP API answers only the platform's own services (issue 13, service to service).

Each service runs for real (its store and broker, its lifespan) behind an in-process transport;
a caller without a service token, or with one signed by another key, expired, or for another
service, is refused with a 401 that says why; a caller with a valid one is answered; `/health`
and `/metrics` stay open for probes and Prometheus.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx
import jwt
import pytest
from fastapi import FastAPI, HTTPException

from clients.entrypoints.app import create_app as clients_app
from clients.settings import ClientsSettings
from infra.launcher import INTERNAL_BIND, PROCESSES
from infra.service_auth import MAX_LIFETIME_SECONDS, ServiceAuth, ServiceTokens, token_key
from infra.settings import CommonSettings
from orchestrator.entrypoints.app import create_app as orchestrator_app
from orchestrator.settings import OrchestratorSettings
from reservations.entrypoints.app import create_app as reservations_app
from reservations.settings import ReservationsSettings
from rooms.entrypoints.app import create_app as rooms_app
from rooms.settings import RoomsSettings
from tests.support.clients_service import AGENT
from tests.support.servers import Server
from tests.support.service_auth import internal_client, service_headers
from tests.support.signing import new_key, service_key
from web.upstream import call

pytestmark = pytest.mark.integration

INTERNAL = ("rooms", "clients", "reservations", "orchestrator")
# A read each service answers 200 on an empty store, and a write an outsider must not reach.
READ = {
    "rooms": "/hotels",
    "clients": "/clients",
    "reservations": "/reservations",
    "orchestrator": "/sagas",
}
WRITE = {
    "rooms": ("PATCH", "/rates/rate-1", {"amount": "0.01"}),
    "clients": ("POST", "/clients/0b8a6a5e-2f57-4d2e-9d6a-4c3c1d7f0a11/block", {"reason": "x"}),
    "reservations": ("GET", "/reservations/by-code/ABCD2345", None),
    "orchestrator": ("POST", "/sagas/some-saga/retry", None),
}


@dataclass(frozen=True)
class Running:
    name: str
    http: httpx.AsyncClient  # no credentials of its own


@pytest.fixture(params=INTERNAL)
async def service(
    request: pytest.FixtureRequest,
    amqp_url: str,
    namespace: str,
    sql_database_url: str,
    mongodb_server: Server,
    mongo_database_name: str,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Running]:
    name: str = request.param
    common = {"amqp_url": amqp_url, "booking_namespace": namespace, "log_level": "WARNING"}
    factories: dict[str, Callable[[], FastAPI]] = {
        "rooms": lambda: rooms_app(RoomsSettings(rooms_db_url=sql_database_url)),
        "clients": lambda: clients_app(ClientsSettings(clients_db_url=sql_database_url)),
        "reservations": lambda: reservations_app(
            ReservationsSettings(
                reservations_mongo_url=mongodb_server.url,
                reservations_mongo_database=mongo_database_name,
            )
        ),
        "orchestrator": lambda: orchestrator_app(
            OrchestratorSettings(sagas_db_url=sql_database_url)
        ),
    }
    for variable, value in common.items():
        monkeypatch.setenv(variable.upper(), value)
    app = factories[name]()
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url=f"http://{name}") as http,
    ):
        yield Running(name, http)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def refused(response: httpx.Response, reason: str) -> None:
    assert response.status_code == 401, response.text
    assert reason in response.json()["detail"], response.json()
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_caller_without_a_service_token_is_refused_with_the_reason(
    service: Running,
) -> None:
    refused(await service.http.get(READ[service.name]), "no service token")
    method, path, body = WRITE[service.name]
    refused(await service.http.request(method, path, json=body), "no service token")
    # Not even the shape of the API is given away.
    refused(await service.http.get("/openapi.json"), "no service token")
    refused(await service.http.get("/docs"), "no service token")
    basic = {"Authorization": "Basic Z3Vlc3Q6Z3Vlc3Q="}
    refused(await service.http.get(READ[service.name], headers=basic), "not one Bearer")


async def test_a_token_signed_with_another_key_is_refused(service: Running) -> None:
    forged = ServiceTokens(new_key()).mint("web", service.name)
    response = await service.http.get(READ[service.name], headers=bearer(forged))
    refused(response, "not signed with the platform's service key")
    # The service key itself, used straight as the token key, does not verify either: tokens
    # are signed under a key derived from it, so a message signature never stands in for one.
    raw = jwt.encode(
        {"iss": "web", "aud": service.name, "iat": int(time.time()), "exp": int(time.time()) + 60},
        service_key(),
        algorithm="HS256",
    )
    refused(await service.http.get(READ[service.name], headers=bearer(raw)), "not signed")
    unsigned = jwt.encode({"iss": "web", "aud": service.name}, key="", algorithm="none")
    refused(await service.http.get(READ[service.name], headers=bearer(unsigned)), "malformed")


async def test_an_expired_token_is_refused(service: Running) -> None:
    ten_minutes_ago = ServiceTokens(service_key(), clock=lambda: time.time() - 600)
    expired = ten_minutes_ago.mint("web", service.name)
    response = await service.http.get(READ[service.name], headers=bearer(expired))
    refused(response, "expired")


async def test_a_token_for_another_service_is_refused(service: Running) -> None:
    other = next(name for name in INTERNAL if name != service.name)
    response = await service.http.get(READ[service.name], headers=service_headers(other))
    refused(response, f"not for the {service.name} service")


async def test_a_token_minted_to_live_long_is_refused(service: Running) -> None:
    long_lived = ServiceTokens(service_key()).mint(
        "web", service.name, lifetime_seconds=MAX_LIFETIME_SECONDS + 60
    )
    response = await service.http.get(READ[service.name], headers=bearer(long_lived))
    refused(response, "lives longer than")


async def test_a_token_without_an_expiry_or_a_caller_is_refused(service: Running) -> None:
    key = token_key(service_key())
    no_exp = jwt.encode({"iss": "web", "aud": service.name, "iat": int(time.time())}, key)
    refused(await service.http.get(READ[service.name], headers=bearer(no_exp)), "'exp'")
    now = int(time.time())
    no_iss = jwt.encode({"aud": service.name, "iat": now, "exp": now + 60}, key)
    refused(await service.http.get(READ[service.name], headers=bearer(no_iss)), "'iss'")


async def test_a_valid_token_is_answered(service: Running) -> None:
    # The clients service also wants the person acting (web names them); others ignore it.
    acting = AGENT.headers()
    response = await service.http.get(
        READ[service.name], headers=service_headers(service.name) | acting
    )
    assert response.status_code == 200, response.text
    transport = service.http._transport
    async with internal_client(
        service.name, transport=transport, base_url="http://x", headers=acting
    ) as ours:
        for _ in range(3):  # one token serves several requests until it is near its expiry
            assert (await ours.get(READ[service.name])).status_code == 200


async def test_web_with_another_key_is_a_503_for_its_caller_never_a_401(service: Running) -> None:
    # A refused service token is the platform's misconfiguration, not the agent's sign-in.
    transport = service.http._transport
    auth = ServiceAuth(ServiceTokens(new_key()), caller="web", audience=service.name)
    async with httpx.AsyncClient(transport=transport, base_url="http://x", auth=auth) as web:
        with pytest.raises(HTTPException) as refused_upstream:
            await call(web, "GET", READ[service.name])
    assert refused_upstream.value.status_code == 503


async def test_health_and_metrics_stay_open(service: Running) -> None:
    health = await service.http.get("/health")
    assert health.status_code == 200, health.text
    assert health.json()["service"] == service.name
    metrics = await service.http.get("/metrics")
    assert metrics.status_code == 200 and "process_cpu_seconds_total" in metrics.text


def test_make_up_binds_every_internal_service_to_this_host_only() -> None:
    internal = {process.name for process in PROCESSES if not process.public}
    assert internal == set(INTERNAL)
    assert INTERNAL_BIND == {"HTTP_HOST": "127.0.0.1"}
    assert CommonSettings.model_fields["http_host"].default == "127.0.0.1"
