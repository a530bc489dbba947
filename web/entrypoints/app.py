"""The agents' app and public API, and the operators' dashboard, composed in a lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from faststream.rabbit import RabbitBroker

from contracts.topology import Topology
from infra.http import probes_router
from infra.logging import configure_logging
from infra.messaging.broker import declare_topology, make_broker
from infra.messaging.publisher import Publisher
from infra.runtime import broker_ping
from web.entrypoints import public_api
from web.entrypoints.progress_feed import subscribe_progress
from web.progress import ProgressHub
from web.settings import WebSettings
from web.upstream import Upstreams


def create_app(service: str, settings: WebSettings | None = None) -> FastAPI:
    """`service` is "web" (the agents' app and public API) or "dashboard"."""
    settings = settings or WebSettings()
    broker = make_broker(settings.amqp_url, settings.prefetch_count)
    topology = Topology(settings.booking_namespace)
    hub = ProgressHub()
    subscribe_progress(broker, topology, hub, service)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(service, settings.log_level, settings.log_json)
        app.state.upstreams = Upstreams.from_settings(settings)
        await _start(broker, topology)
        try:
            yield
        finally:
            await broker.stop()
            await app.state.upstreams.aclose()

    app = FastAPI(title=f"Booking platform: {service}", lifespan=lifespan)
    app.state.settings = settings
    app.state.broker = broker
    app.state.publisher = Publisher(broker, topology, source=service)
    app.state.progress = hub
    app.include_router(probes_router(service, {"broker": lambda: broker_ping(broker)}))
    app.include_router(public_api.router)
    return app


async def _start(broker: RabbitBroker, topology: Topology) -> None:
    await broker.connect()
    await declare_topology(broker, topology)
    await broker.start()
