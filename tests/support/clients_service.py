"""The clients service in-process (its own lifespan: store, broker consumers, HTTP API) for
tests that call its internal API as web does: with a service token and a person acting."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from clients.entrypoints.app import create_app
from clients.settings import ClientsSettings
from infra.actor import Actor
from tests.support.service_auth import internal_client

AGENT = Actor("ama", "agent", "agency-lome")
OPERATOR = Actor("olu", "operator", "head-office")


@asynccontextmanager
async def clients_api(
    amqp_url: str,
    namespace: str,
    database_url: str,
    acting: Actor = AGENT,
    seed_demo_data: bool = False,
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of a running clients service, acting as `acting` (an agent of the demo
    agency, Lomé) unless a request names another person in its own headers."""
    settings = ClientsSettings(
        amqp_url=amqp_url,
        booking_namespace=namespace,
        clients_db_url=database_url,
        seed_demo_data=seed_demo_data,
        log_level="DEBUG",
        log_json=True,
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        internal_client(
            "clients", transport=transport, base_url="http://clients", headers=acting.headers()
        ) as client,
    ):
        yield client
