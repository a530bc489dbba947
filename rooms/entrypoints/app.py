"""The rooms service's composition root: store, broker, consumer, sweeper and HTTP."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

from fastapi import FastAPI

from contracts.envelope import utc_now
from contracts.topology import Service, Topology
from infra.http import probes_router
from infra.logging import configure_logging
from infra.messaging.broker import make_broker
from infra.messaging.consumer import CommandConsumer
from infra.messaging.errors import SQL_TRANSIENT
from infra.messaging.publisher import Publisher
from infra.problems import install_refusals
from infra.runtime import broker_ping, start_broker, stop_broker, subscribe
from infra.service_auth import require_service_token
from infra.stores.sql_inbox import SqlInbox
from rooms.adapters.seed import seed
from rooms.adapters.store import open_store, ping
from rooms.adapters.tables import inbox
from rooms.entrypoints import api, calendar_api, hotel_api, operator_api
from rooms.handlers import HoldPolicy, command_handlers
from rooms.settings import RoomsSettings
from rooms.sweeper import run_sweeper


def create_app(settings: RoomsSettings | None = None) -> FastAPI:
    settings = settings or RoomsSettings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging("rooms", settings.log_level, settings.log_json)
        engine = await open_store(settings.rooms_db_url, settings.db_pool_size)
        if settings.seed_demo_data:
            await seed(engine)
        topology = Topology(settings.booking_namespace)
        broker = make_broker(settings.amqp_url, settings.prefetch_count)
        policy = HoldPolicy(
            hold_expiry=timedelta(seconds=settings.hold_expiry_seconds),
            max_stay_nights=settings.max_stay_nights,
        )
        consumer = CommandConsumer(
            queue_name=topology.command_queue(Service.ROOMS).name,
            inbox=SqlInbox(engine, inbox),
            handlers=command_handlers(policy),
            publisher=Publisher(broker, topology, "rooms", settings.message_signer()),
            transient_errors=SQL_TRANSIENT,
        )
        subscribe(broker, topology.command_queue(Service.ROOMS), consumer)
        app.state.engine, app.state.broker, app.state.settings = engine, broker, settings
        sweeper = asyncio.create_task(
            run_sweeper(engine, settings.sweep_interval_seconds, utc_now), name="hold-sweeper"
        )
        try:
            await start_broker(broker, topology)
            yield
        finally:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
            await stop_broker(broker)
            await engine.dispose()

    app = FastAPI(title="rooms", lifespan=lifespan)
    require_service_token(app, settings.service_key.get_secret_value(), "rooms")
    install_refusals(app)
    app.include_router(api.router)
    app.include_router(operator_api.router)
    app.include_router(calendar_api.router)
    app.include_router(hotel_api.router)
    app.include_router(
        probes_router(
            "rooms",
            {
                "broker": lambda: broker_ping(app.state.broker),
                "store": lambda: ping(app.state.engine),
            },
        )
    )
    return app
