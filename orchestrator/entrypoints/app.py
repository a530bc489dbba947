"""The orchestrator's composition root: saga store, broker, consumers, periodic jobs, HTTP."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

from fastapi import FastAPI

from contracts.base import Reply
from contracts.booking import CancelBooking, StartBooking, StartChange
from contracts.orchestrator import ApplyChange, LockBooking, UnlockBooking
from contracts.registry import ALL_MESSAGES
from contracts.topology import Service, Topology
from infra.http import probes_router
from infra.logging import configure_logging
from infra.messaging.broker import make_broker
from infra.messaging.errors import SQL_TRANSIENT
from infra.messaging.identities import Sender
from infra.messaging.publisher import Publisher
from infra.problems import install_refusals
from infra.runtime import broker_ping, start_broker, stop_broker, subscribe
from infra.service_auth import require_service_token
from orchestrator import metrics
from orchestrator.adapters.engine import open_saga_store
from orchestrator.adapters.saga_store import SagaStore
from orchestrator.domain.kinds import SAGAS
from orchestrator.entrypoints import api
from orchestrator.service_layer.background import running
from orchestrator.service_layer.consumer import SagaConsumer
from orchestrator.service_layer.sagas import SagaService
from orchestrator.settings import OrchestratorSettings

REPLY_TYPES = tuple(m for m in ALL_MESSAGES if issubclass(m, Reply))
# The web apps' requests, and one saga's commands to another.
REQUEST_TYPES = (StartBooking, StartChange, CancelBooking, LockBooking, UnlockBooking, ApplyChange)
# The periodic relay leaves fresh rows to the publish that follows their commit.
RELAY_GRACE = timedelta(seconds=2)
STATE_COUNT_INTERVAL = 5.0
MARK_SENT_INTERVAL = 0.1


def create_app(settings: OrchestratorSettings | None = None) -> FastAPI:
    settings = settings or OrchestratorSettings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging("orchestrator", settings.log_level, settings.log_json)
        engine = await open_saga_store(settings.sagas_db_url, settings.db_pool_size)
        topology = Topology(settings.booking_namespace)
        broker = make_broker(settings.amqp_url, settings.prefetch_count)
        publisher = Publisher(broker, topology, "orchestrator", settings.message_signer())
        store = SagaStore(engine)
        registry = settings.timed(SAGAS)
        sagas = SagaService(store, registry, publisher)
        requests_queue = topology.command_queue(Service.ORCHESTRATOR)
        # What each queue takes, and from whom (checked under broker identities).
        accepted_by_queue = {
            requests_queue: (REQUEST_TYPES, Sender.REQUESTER),
            topology.replies_queue(): (REPLY_TYPES, Sender.OWNER),
        }
        consumers = {
            queue: SagaConsumer(
                queue_name=queue.name,
                accepted=accepted,
                sender=sender,
                sagas=sagas,
                publisher=publisher,
                transient_errors=SQL_TRANSIENT,
            )
            for queue, (accepted, sender) in accepted_by_queue.items()
        }
        for queue, consumer in consumers.items():
            subscribe(broker, queue, consumer)
        app.state.store, app.state.sagas, app.state.broker = store, sagas, broker

        async def refresh_state_counts() -> None:
            metrics.record_state_counts(await store.count_by_state())

        jobs = {
            "deadline-sweeper": (settings.sweep_interval_seconds, sagas.sweep),
            "outbox-relay": (settings.relay_interval_seconds, lambda: sagas.relay(RELAY_GRACE)),
            "state-counts": (STATE_COUNT_INTERVAL, refresh_state_counts),
            "outbox-sent-marks": (MARK_SENT_INTERVAL, sagas.mark_sent),
        }
        try:
            await start_broker(broker, topology)
            await sagas.relay()  # whatever a previous run committed but never sent
            async with running(jobs):
                yield
            with contextlib.suppress(Exception):  # what is left unmarked is relayed next start
                await sagas.mark_sent()
        finally:
            await stop_broker(broker)
            await engine.dispose()

    app = FastAPI(title="orchestrator", lifespan=lifespan)
    require_service_token(app, settings.service_key.get_secret_value(), "orchestrator")
    install_refusals(app)
    app.include_router(api.router)
    app.include_router(
        probes_router(
            "orchestrator",
            {
                "broker": lambda: broker_ping(app.state.broker),
                "store": lambda: app.state.store.ping(),
            },
        )
    )
    return app
