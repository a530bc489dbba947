"""The operators' API: roles, health of every service, sagas through the real orchestrator,
live figures, and dead letters peeked, requeued and discarded on the real broker."""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aio_pika
import httpx
import pytest
from aio_pika.abc import AbstractRobustConnection
from fastapi import FastAPI

from contracts.booking import SagaProgressed
from contracts.clients import ClientRejected, VerifyClient
from contracts.envelope import DEAD_LETTER_QUEUE_HEADER, DEAD_LETTER_REASON_HEADER
from contracts.rooms import HoldReleased, HoldRoom, ReleaseHold
from contracts.topology import Service, Topology
from infra.stores.embedded_mongo import free_port
from orchestrator.entrypoints.app import create_app as orchestrator_app
from orchestrator.settings import OrchestratorSettings
from tests.integration.test_orchestrator_saga import room_held
from tests.support.observer import drain_queue, publish_raw
from tests.support.participants import Participants
from tests.support.service_auth import internal_client
from web.bookings import RecentlyAccepted
from web.entrypoints.app import create_app
from web.entrypoints.dashboard_api import per_minute_figures
from web.progress import ProgressHub
from web.settings import WebSettings

pytestmark = pytest.mark.integration


@dataclass
class Dashboard:
    app: FastAPI
    client: httpx.AsyncClient
    operator: dict[str, str]
    agent: dict[str, str]


@pytest.fixture
async def dashboard(
    amqp_url: str, namespace: str, accounts_db_url: str
) -> AsyncIterator[Dashboard]:
    closed = f"http://127.0.0.1:{free_port()}"  # no service listens there
    settings = WebSettings(
        amqp_url=amqp_url,
        booking_namespace=namespace,
        rooms_url=closed,
        clients_url=closed,
        reservations_url=closed,
        orchestrator_url=closed,
        agents_port=free_port(),
        token_secret="dashboard-tests-secret-0123456789abcdef",
        demo_mode=True,
        accounts_db_url=accounts_db_url,
    )
    app = create_app("dashboard", settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://dashboard") as client:
            yield Dashboard(
                app,
                client,
                await _bearer(client, "operator", "operator-demo"),
                await _bearer(client, "agent", "agent-demo"),
            )


async def _bearer(client: httpx.AsyncClient, username: str, password: str) -> dict[str, str]:
    response = await client.post(
        "/api/auth/token", data={"username": username, "password": password}
    )
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_only_operators_reach_the_operators_api(dashboard: Dashboard) -> None:
    anonymous = await dashboard.client.get("/api/ops/dead-letters")
    agent = await dashboard.client.get("/api/ops/dead-letters", headers=dashboard.agent)

    assert anonymous.status_code == 401
    assert agent.status_code == 403


async def test_health_lists_every_service_and_says_which_cannot_be_reached(
    dashboard: Dashboard,
) -> None:
    response = await dashboard.client.get("/api/ops/health", headers=dashboard.operator)

    assert response.status_code == 200
    services = {s["name"]: s for s in response.json()["services"]}
    assert set(services) == {"web", "rooms", "clients", "reservations", "orchestrator"}
    assert {s["status"] for s in services.values()} == {"unreachable"}


async def test_the_dashboard_serves_its_page_and_the_api_stays_first(
    dashboard: Dashboard,
) -> None:
    page = await dashboard.client.get("/")
    script = await dashboard.client.get("/dashboard.js")

    assert page.status_code == 200 and "Operations" in page.text
    assert script.status_code == 200
    assert (await dashboard.client.get("/health")).json()["service"] == "dashboard"


async def test_a_dead_letter_is_seen_with_its_reason_then_requeued_without_the_dlq_headers(
    dashboard: Dashboard, amqp_url: str, topology: Topology
) -> None:
    source = topology.command_queue(Service.ROOMS).name
    message_id = await _dead_letter(amqp_url, topology, source, b'{"broken": true}')

    listed = await dashboard.client.get("/api/ops/dead-letters", headers=dashboard.operator)
    queue = {q["name"]: q for q in listed.json()["queues"]}[f"{source}.dlq"]
    requeued = await dashboard.client.post(
        f"/api/ops/dead-letters/{source}.dlq/requeue",
        params={"message_id": message_id},
        headers=dashboard.operator,
    )
    connection = await aio_pika.connect_robust(amqp_url)
    async with connection:
        [back] = await drain_queue(connection, source, expected=1)
    after = await dashboard.client.get("/api/ops/dead-letters", headers=dashboard.operator)

    assert queue["depth"] == 1
    assert queue["head"]["reason"] == "the body is not a HoldRoom"
    assert queue["head"]["message_id"] == message_id
    assert requeued.status_code == 200, requeued.text
    assert back.message_id == message_id and back.type == "rooms.HoldRoom.v1"
    assert back.body == b'{"broken": true}'
    assert back.headers.get("x-saga-id") == "saga-1"
    assert DEAD_LETTER_REASON_HEADER not in back.headers
    assert DEAD_LETTER_QUEUE_HEADER not in back.headers
    assert {q["name"]: q for q in after.json()["queues"]}[f"{source}.dlq"]["depth"] == 0


async def test_a_discarded_dead_letter_is_gone_and_goes_nowhere(
    dashboard: Dashboard, amqp_url: str, topology: Topology
) -> None:
    source = topology.replies_queue().name
    await _dead_letter(amqp_url, topology, source, b"not json")

    discarded = await dashboard.client.post(
        f"/api/ops/dead-letters/{source}.dlq/discard", headers=dashboard.operator
    )
    empty_again = await dashboard.client.post(
        f"/api/ops/dead-letters/{source}.dlq/discard", headers=dashboard.operator
    )
    unknown = await dashboard.client.post(
        f"/api/ops/dead-letters/{source}/requeue", headers=dashboard.operator
    )
    listed = await dashboard.client.get(
        "/api/ops/dead-letters", params={"peek": "false"}, headers=dashboard.operator
    )

    assert discarded.status_code == 200
    assert discarded.json()["message"]["body_preview"] == "not json"
    assert empty_again.status_code == 404
    assert unknown.status_code == 404  # a work queue is not a dead-letter queue
    assert all(q["depth"] == 0 for q in listed.json()["queues"])


async def _dead_letter(amqp_url: str, topology: Topology, source: str, body: bytes) -> str:
    message_id = str(uuid.uuid4())
    connection = await aio_pika.connect_robust(amqp_url)
    async with connection:
        await publish_raw(
            connection,
            topology.dead_letters.name,
            source,
            body,
            message_id=message_id,
            type="rooms.HoldRoom.v1",
            headers={
                "x-saga-id": "saga-1",
                DEAD_LETTER_REASON_HEADER: "the body is not a HoldRoom",
                DEAD_LETTER_QUEUE_HEADER: source,
            },
        )
    return message_id


async def test_sagas_are_listed_read_and_compensated_through_the_orchestrator(
    dashboard: Dashboard, amqp_url: str, namespace: str, sql_database_url: str
) -> None:
    async with _orchestrator_behind(dashboard, amqp_url, namespace, sql_database_url):
        saga_id = await _start_booking(dashboard)
        ops = dashboard.operator
        listed = await _wait_listed(dashboard, saga_id)
        one = await dashboard.client.get(f"/api/ops/sagas/{saga_id}", headers=ops)
        stats = await dashboard.client.get("/api/ops/stats", params={"minutes": 5}, headers=ops)
        compensated = await dashboard.client.post(
            f"/api/ops/sagas/{saga_id}/compensate", headers=ops
        )
        missing = await dashboard.client.get("/api/ops/sagas/no-such-saga", headers=ops)

    assert [s["saga_id"] for s in listed["items"]] == [saga_id]
    assert one.json()["state"] == "PENDING"
    assert any(
        entry["message_type"] == "booking.StartBooking.v1" for entry in one.json()["history"]
    )
    assert stats.json()["counts"]["PENDING"] == 1
    assert len(stats.json()["minutes"]) == 5
    assert compensated.status_code == 200, compensated.text
    assert compensated.json()["state"] in ("COMPENSATING", "FAILED")
    assert missing.status_code == 404


@asynccontextmanager
async def _orchestrator_behind(
    dashboard: Dashboard, amqp_url: str, namespace: str, sql_database_url: str
) -> AsyncIterator[None]:
    """A real orchestrator, in process, as the web app's upstream for sagas."""
    orchestrator = orchestrator_app(
        OrchestratorSettings(
            amqp_url=amqp_url, booking_namespace=namespace, sagas_db_url=sql_database_url
        )
    )
    async with orchestrator.router.lifespan_context(orchestrator):
        upstreams = dashboard.app.state.upstreams
        await upstreams.orchestrator.aclose()
        upstreams.orchestrator = internal_client(
            "orchestrator",
            transport=httpx.ASGITransport(app=orchestrator),
            base_url="http://orchestrator",
        )
        yield


async def _start_booking(dashboard: Dashboard) -> str:
    check_in = datetime.now(UTC).date() + timedelta(days=20)
    body = {
        "client_id": "client-1",
        "hotel_id": "paris-lumiere",
        "room_type_id": "paris-lumiere-double",
        "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=2)).isoformat(),
        "guests": 2,
    }
    headers = dashboard.agent | {"Idempotency-Key": str(uuid.uuid4())}
    response = await dashboard.client.post("/api/bookings", json=body, headers=headers)
    assert response.status_code == 202, response.text
    return str(response.json()["booking_id"])


async def _wait_listed(dashboard: Dashboard, saga_id: str) -> dict[str, Any]:
    for _ in range(200):  # the orchestrator takes StartBooking off the broker
        response = await dashboard.client.get(
            "/api/ops/sagas", params={"agency_id": "agency-lome"}, headers=dashboard.operator
        )
        # The items, not the total: the total is counted by a second query, which may see a
        # saga stored just after the page was read.
        if response.json()["items"]:
            return response.json()  # type: ignore[no-any-return]
        await asyncio.sleep(0.1)
    raise AssertionError(f"saga {saga_id} never listed")


def test_figures_count_confirmed_bookings_per_minute_and_their_latency() -> None:
    now = datetime(2026, 5, 1, 12, 0, 30, tzinfo=UTC)

    def saga(state: str, ended_seconds_ago: int, took_ms: int) -> dict[str, object]:
        ended = now - timedelta(seconds=ended_seconds_ago)
        started = ended - timedelta(milliseconds=took_ms)
        return {"state": state, "created_at": started.isoformat(), "updated_at": ended.isoformat()}

    sagas = [
        saga("CONFIRMED", 10, 100),
        saga("CONFIRMED", 20, 300),
        saga("FAILED", 25, 200),
        saga("CONFIRMED", 70, 500),
        saga("PENDING", 5, 0),
        saga("CONFIRMED", 3600, 100),  # outside the window
    ]

    figures = per_minute_figures(sagas, now, minutes=2)

    last, first = figures["minutes"][-1], figures["minutes"][0]
    assert (last["confirmed"], last["ended"]) == (2, 3)
    assert last["latency_p50_ms"] == 200.0
    assert (first["confirmed"], first["latency_p95_ms"]) == (1, 500.0)
    assert figures["bookings_per_second"] == round(3 / 120, 3)


async def test_an_events_stream_waits_for_its_booking_and_then_says_it_was_never_stored(
    dashboard: Dashboard, amqp_url: str, namespace: str, sql_database_url: str
) -> None:
    # A booking accepted under a backlog is stored late; its stream waits, kept alive, and
    # only a booking that never arrives within the window is reported as not found. An id this
    # process never accepted and the orchestrator does not know gets a 404 (issue 13).
    settings: WebSettings = dashboard.app.state.settings
    settings.booking_appears_within_seconds = 1.0
    settings.sse_keepalive_seconds = 0.2
    accepted = str(uuid.uuid4())
    dashboard.app.state.recently_accepted = RecentlyAccepted(60.0)
    dashboard.app.state.recently_accepted.add(accepted)
    async with _orchestrator_behind(dashboard, amqp_url, namespace, sql_database_url):
        stream = await dashboard.client.get(
            f"/api/bookings/{accepted}/events", headers=dashboard.agent
        )
        unknown = await dashboard.client.get(
            f"/api/bookings/{uuid.uuid4()}/events", headers=dashboard.agent
        )

    assert unknown.status_code == 404, unknown.text
    lines = stream.text.splitlines()
    assert lines.count(": keep-alive") >= 3, "the stream is kept alive while it waits"
    assert "event: not_found" in lines
    assert not any(line.startswith("event: state") for line in lines)


class DeafHub(ProgressHub):
    """A hub no subscription feeds: as if the broker lost every progress event."""

    def __init__(self) -> None:
        super().__init__()
        self.followed = asyncio.Event()

    @asynccontextmanager
    async def follow(self, saga_id: str) -> AsyncIterator[asyncio.Queue[SagaProgressed]]:
        async with super().follow(saga_id) as queue:
            self.followed.set()
            yield queue


async def test_a_stream_that_hears_no_progress_follows_the_stored_saga_to_its_end(
    dashboard: Dashboard,
    amqp_url: str,
    namespace: str,
    sql_database_url: str,
    broker_connection: AbstractRobustConnection,
) -> None:
    # Progress events are transient (issue 14): if the broker loses them, an agent's stream
    # must still reach the booking's end. This web process hears none at all here (its hub is
    # one no subscription feeds), so only the reads of the stored saga can end the stream.
    settings: WebSettings = dashboard.app.state.settings
    settings.sse_keepalive_seconds = 0.2
    participants = Participants(broker_connection, Topology(namespace))
    async with _orchestrator_behind(dashboard, amqp_url, namespace, sql_database_url):
        saga_id = await _start_booking(dashboard)
        hold = await participants.take(Service.ROOMS, HoldRoom)
        verify = await participants.take(Service.CLIENTS, VerifyClient)
        await _wait_listed(dashboard, saga_id)
        deaf = dashboard.app.state.progress = DeafHub()
        dashboard.app.state.recently_accepted = RecentlyAccepted(60.0)  # so it reads PENDING
        stream = asyncio.create_task(
            dashboard.client.get(f"/api/bookings/{saga_id}/events", headers=dashboard.agent)
        )
        async with asyncio.timeout(10):
            await deaf.followed.wait()  # the stream is open and has read PENDING
        await participants.reply(verify, ClientRejected(client_id="client-1", reason="blocked"))
        await participants.reply(hold, room_held())
        release = await participants.take(Service.ROOMS, ReleaseHold)
        await participants.reply(release, HoldReleased(hold_id="hold-9"))
        async with asyncio.timeout(30):
            response = await stream

    assert response.status_code == 200, response.text
    states = [
        json.loads(line.removeprefix("data: "))["status"]
        for previous, line in itertools.pairwise(response.text.splitlines())
        if previous == "event: state"
    ]
    assert states[0] == "PENDING", response.text
    assert states[-1] == "FAILED", response.text
    assert "event: step" not in response.text, "no progress event reached this process"
