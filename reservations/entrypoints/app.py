"""The composition root: store, broker, consumer and HTTP routes, built in the lifespan."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from contracts.reservations import (
    CancelReservation,
    ChangeReservation,
    RevertReservationChange,
    WriteReservation,
)
from contracts.topology import Service, Topology
from infra.http import probes_router
from infra.logging import configure_logging
from infra.messaging.broker import make_broker
from infra.messaging.consumer import CommandConsumer
from infra.messaging.errors import MONGO_TRANSIENT
from infra.messaging.publisher import Publisher
from infra.runtime import broker_ping, start_broker, stop_broker, subscribe
from infra.service_auth import require_service_token
from infra.stores.mongo import database, make_client
from infra.stores.mongo_inbox import MongoInbox
from reservations.adapters.repository import ReservationRepository
from reservations.changes import handle_change_reservation, handle_revert_reservation_change
from reservations.entrypoints.api import router as reservations_router
from reservations.handlers import handle_cancel_reservation, handle_write_reservation
from reservations.settings import ReservationsSettings

SERVICE = "reservations"


def create_app(settings: ReservationsSettings | None = None) -> FastAPI:
    settings = settings or ReservationsSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(SERVICE, settings.log_level, settings.log_json)
        client = make_client(settings.reservations_mongo_url)
        store = database(client, settings.reservations_mongo_database)
        try:
            repository = ReservationRepository(store)
            inbox = MongoInbox(store)
            await repository.ensure_indexes()
            await inbox.ensure_indexes()
            topology = Topology(settings.booking_namespace)
            broker = make_broker(settings.amqp_url, settings.prefetch_count)
            consumer = CommandConsumer(
                queue_name=topology.command_queue(Service.RESERVATIONS).name,
                inbox=inbox,
                handlers={
                    WriteReservation: handle_write_reservation,
                    CancelReservation: handle_cancel_reservation,
                    ChangeReservation: handle_change_reservation,
                    RevertReservationChange: handle_revert_reservation_change,
                },
                publisher=Publisher(broker, topology, SERVICE, settings.message_signer()),
                transient_errors=MONGO_TRANSIENT,
            )
            subscribe(broker, topology.command_queue(Service.RESERVATIONS), consumer)
            # Said before the broker starts: a claim of this inbox always has a living holder.
            alive = asyncio.create_task(inbox.keep_alive(), name="inbox-holder-alive")
            await start_broker(broker, topology)
            app.state.repository, app.state.store, app.state.broker = repository, store, broker
            try:
                yield
            finally:
                await stop_broker(broker)
                alive.cancel()
        finally:
            client.close()

    app = FastAPI(title="reservations", lifespan=lifespan)
    require_service_token(app, settings.service_key.get_secret_value(), SERVICE)
    app.include_router(reservations_router)
    app.include_router(
        probes_router(
            SERVICE,
            {
                "broker": lambda: broker_ping(app.state.broker),
                "store": lambda: app.state.store.command("ping"),
            },
        )
    )
    return app
