"""The agents' app and the dashboard: FastAPI apps composed in a lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from contracts.topology import Topology
from infra.http import probes_router
from infra.logging import configure_logging
from infra.messaging.broker import declare_topology, make_broker
from infra.runtime import broker_ping
from web.settings import WebSettings


def create_app(service: str, settings: WebSettings | None = None) -> FastAPI:
    """`service` is "web" (the agents' app and public API) or "dashboard"."""
    settings = settings or WebSettings()
    broker = make_broker(settings.amqp_url, settings.prefetch_count)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        configure_logging(service, settings.log_level, settings.log_json)
        await broker.connect()
        await declare_topology(broker, Topology(settings.booking_namespace))
        await broker.start()
        try:
            yield
        finally:
            await broker.stop()

    app = FastAPI(title=f"booking {service}", lifespan=lifespan)
    app.state.broker = broker
    app.include_router(probes_router(service, {"broker": lambda: broker_ping(broker)}))
    return app
