"""The clients service composed: store, broker consumer and HTTP API, inside one lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import structlog
from fastapi import FastAPI
from faststream.rabbit import RabbitBroker
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from clients.adapters import database
from clients.adapters.seed import seed_demo_clients
from clients.entrypoints.api import clients_router
from clients.entrypoints.errors import install_error_handling
from clients.handlers import handle_verify_client, record_confirmed_booking
from clients.settings import ClientsSettings
from contracts.base import Event
from contracts.clients import VerifyClient
from contracts.events import BookingConfirmed
from contracts.topology import Service, Topology
from infra.http import probes_router
from infra.logging import configure_logging
from infra.messaging.broker import make_broker
from infra.messaging.consumer import CommandConsumer, EventConsumer
from infra.messaging.errors import SQL_TRANSIENT
from infra.messaging.publisher import Publisher
from infra.runtime import broker_ping, start_broker, stop_broker, subscribe
from infra.service_auth import require_service_token
from infra.stores.driver_sql import DriverSql
from infra.stores.read_only import ReadOnlyCommands

log = structlog.get_logger(__name__)

# A client record is well under 2 KiB; anything far larger is refused before it is parsed.
MAX_BODY_BYTES = 64 * 1024


@dataclass
class Resources:
    """What the lifespan opens; the routes and probes reach it once it is there."""

    engine: AsyncEngine | None = None
    broker: RabbitBroker | None = None

    async def ping_store(self) -> None:
        if self.engine is None:
            raise ConnectionError("store not open")
        await database.ping(self.engine)

    async def ping_broker(self) -> None:
        if self.broker is None:
            raise ConnectionError("broker not started")
        await broker_ping(self.broker)


def create_app(settings: ClientsSettings | None = None) -> FastAPI:
    settings = settings or ClientsSettings()
    resources = Resources()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging("clients", settings.log_level, settings.log_json)
        engine = await database.open_store(settings.clients_db_url)
        resources.engine = engine
        app.state.sessions = async_sessionmaker(engine, expire_on_commit=False)
        try:
            if settings.seed_demo_data:
                added = await seed_demo_clients(engine)
                log.info("demo clients seeded", added=added)
            broker = _consumer_broker(settings, engine)
            resources.broker = broker
            await start_broker(broker, Topology(settings.booking_namespace))
            log.info("clients service started", port=settings.http_port)
            yield
        finally:
            if resources.broker is not None:
                await stop_broker(resources.broker)
            await engine.dispose()

    app = FastAPI(title="clients", lifespan=lifespan, max_body_size=MAX_BODY_BYTES)
    require_service_token(app, settings.service_key.get_secret_value(), "clients")
    install_error_handling(app)
    app.include_router(clients_router())
    app.include_router(
        probes_router("clients", {"broker": resources.ping_broker, "store": resources.ping_store})
    )
    return app


def _consumer_broker(settings: ClientsSettings, engine: AsyncEngine) -> RabbitBroker:
    topology = Topology(settings.booking_namespace)
    broker = make_broker(settings.amqp_url, settings.prefetch_count)
    publisher = Publisher(broker, topology, "clients", settings.message_signer())
    commands = CommandConsumer(
        queue_name=topology.command_queue(Service.CLIENTS).name,
        # VerifyClient only reads: no inbox rows (infra/stores/read_only.py says why).
        inbox=ReadOnlyCommands(engine),
        handlers={VerifyClient: handle_verify_client},
        publisher=publisher,
        transient_errors=SQL_TRANSIENT,
    )
    subscribe(broker, topology.command_queue(Service.CLIENTS), commands)
    sql = DriverSql(engine)

    async def confirmed(event: Event) -> str:
        assert isinstance(event, BookingConfirmed)
        return await record_confirmed_booking(event, sql)

    # Confirmed bookings, from the orchestrator only: the agency may then read its client.
    bookings = EventConsumer(
        queue_name=topology.client_bookings_queue().name,
        handlers={BookingConfirmed: confirmed},
        publisher=publisher,
        transient_errors=SQL_TRANSIENT,
    )
    subscribe(broker, topology.client_bookings_queue(), bookings)
    return broker
