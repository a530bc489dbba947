"""The orchestrator over the real broker and MariaDB, the test playing rooms, clients and
reservations: it takes the commands off their queues and publishes their replies."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from aio_pika.abc import AbstractRobustConnection
from fastapi import FastAPI

from contracts.booking import SagaProgressed, StartBooking
from contracts.clients import ClientRejected, ClientVerified, VerifyClient
from contracts.envelope import DEAD_LETTER_REASON_HEADER, Envelope, new_id
from contracts.reservations import ReservationWritten, WriteReservation
from contracts.rooms import (
    ConfirmHold,
    HoldConfirmed,
    HoldReleased,
    HoldRoom,
    ReleaseHold,
    RoomHeld,
)
from contracts.topology import Service, Topology
from contracts.values import NightlyPrice, Stay
from infra.messaging.codec import Outgoing
from orchestrator.entrypoints.app import create_app
from orchestrator.settings import OrchestratorSettings
from tests.support.observer import Observed, drain_queue, watch_events
from tests.support.participants import Participants, publish
from tests.support.service_auth import internal_client

pytestmark = pytest.mark.integration

STAY = Stay(check_in=date(2027, 5, 3), check_out=date(2027, 5, 5))
WAIT = 30.0


@pytest.fixture
def settings(amqp_url: str, namespace: str, sql_database_url: str) -> OrchestratorSettings:
    return OrchestratorSettings(
        amqp_url=amqp_url,
        booking_namespace=namespace,
        sagas_db_url=sql_database_url,
        step_deadline_seconds=30,
        sweep_interval_seconds=0.2,
        log_json=True,
    )


@contextlib.asynccontextmanager
async def running(settings: OrchestratorSettings) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with internal_client(
            "orchestrator", transport=transport, base_url="http://orchestrator"
        ) as http:
            yield http


def start_booking(saga_id: str, key: str | None = None) -> Outgoing:
    request = StartBooking(
        idempotency_key=key or f"key-{saga_id}"[:64],
        agency_id="agency-7",
        agent_id="agent-7",
        client_id="client-42",
        hotel_id="hotel-lome",
        room_type_id="rt-double",
        stay=STAY,
        guests=2,
    )
    return Outgoing.of(request, Envelope.new(request.message_type, saga_id))


def room_held() -> RoomHeld:
    nights = [STAY.check_in, STAY.check_in + timedelta(days=1)]
    return RoomHeld(
        hold_id="hold-9",
        hotel_id="hotel-lome",
        room_type_id="rt-double",
        room_id="room-3",
        room_number="3",
        hotel_name="Hôtel du Golfe",
        room_type_name="Double",
        stay=STAY,
        nightly_prices=[NightlyPrice(night=n, price=Decimal("45000")) for n in nights],
        total=Decimal("90000"),
        currency="XOF",
        hold_expires_at=datetime.now(UTC) + timedelta(minutes=15),
    )


async def saga_when(
    http: httpx.AsyncClient, saga_id: str, condition: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    async with asyncio.timeout(WAIT):
        while True:
            response = await http.get(f"/sagas/{saga_id}")
            if response.status_code == 200 and condition(body := response.json()):
                return body
            await asyncio.sleep(0.1)


def public_events(events: Observed) -> list[dict[str, Any]]:
    return [
        json.loads(m.body)
        for m in events.messages
        if m.content_type == "application/cloudevents+json"
    ]


def progress_states(events: Observed) -> list[str]:
    progressed = [m for m in events.messages if m.type == SagaProgressed.message_type]
    return [json.loads(m.body)["state"] for m in progressed]


async def wait_for_public(events: Observed) -> list[dict[str, Any]]:
    async with asyncio.timeout(WAIT), events.arrived:
        await events.arrived.wait_for(lambda: bool(public_events(events)))
    return public_events(events)


async def test_a_booking_runs_to_confirmation_and_is_announced(
    settings: OrchestratorSettings, topology: Topology, broker_connection: AbstractRobustConnection
) -> None:
    participants = Participants(broker_connection, topology)
    saga_id = new_id()
    async with running(settings) as http, watch_events(settings.amqp_url, topology) as events:
        await publish(broker_connection, topology, start_booking(saga_id))
        hold = await participants.take(Service.ROOMS, HoldRoom)
        verify = await participants.take(Service.CLIENTS, VerifyClient)
        await participants.reply(verify, ClientVerified(client_id="client-42"))
        await participants.reply(hold, room_held())
        write = await participants.take(Service.RESERVATIONS, WriteReservation)
        assert json.loads(write.body)["total"] == "90000"
        await participants.reply(
            write, ReservationWritten(reservation_id="res-1", confirmation_code="K7M2P9QX")
        )
        confirm = await participants.take(Service.ROOMS, ConfirmHold)
        await participants.reply(confirm, HoldConfirmed(hold_id="hold-9"))

        saga = await saga_when(http, saga_id, lambda s: s["state"] == "CONFIRMED")
        [confirmed] = await wait_for_public(events)
        async with asyncio.timeout(WAIT), events.arrived:
            await events.arrived.wait_for(lambda: "CONFIRMED" in progress_states(events))

    assert confirmed["type"] == "booking.BookingConfirmed.v1"
    assert confirmed["data"]["confirmation_code"] == "K7M2P9QX"
    assert confirmed["subject"] == saga_id
    assert saga["data"]["reservation_id"] == "res-1"
    directions = [(h["direction"], h["message_type"]) for h in saga["history"]]
    assert ("in", "booking.StartBooking.v1") in directions
    assert ("out", "rooms.HoldRoom.v1") in directions
    assert ("in", "rooms.HoldConfirmed.v1") in directions
    # The client was verified before the hold answered: ROOM_HELD is never a state of its own.
    assert progress_states(events) == [
        "PENDING",
        "CLIENT_VERIFIED",
        "RESERVED",
        "CONFIRMED",
    ]


async def test_a_blocked_client_releases_the_hold_and_fails_with_its_reason(
    settings: OrchestratorSettings, topology: Topology, broker_connection: AbstractRobustConnection
) -> None:
    participants = Participants(broker_connection, topology)
    saga_id = new_id()
    async with running(settings) as http, watch_events(settings.amqp_url, topology) as events:
        await publish(broker_connection, topology, start_booking(saga_id))
        hold = await participants.take(Service.ROOMS, HoldRoom)
        verify = await participants.take(Service.CLIENTS, VerifyClient)
        await participants.reply(verify, ClientRejected(client_id="client-42", reason="blocked"))
        await participants.reply(hold, room_held())
        release = await participants.take(Service.ROOMS, ReleaseHold)
        await participants.reply(release, HoldReleased(hold_id="hold-9"))

        saga = await saga_when(http, saga_id, lambda s: s["state"] == "FAILED")
        [failed] = await wait_for_public(events)

    assert saga["failure_reason"] == "The client is blocked."
    assert failed["type"] == "booking.BookingFailed.v1"
    assert failed["data"]["reason"] == "The client is blocked."


async def test_the_same_booking_requested_twice_is_one_saga(
    settings: OrchestratorSettings, topology: Topology, broker_connection: AbstractRobustConnection
) -> None:
    participants = Participants(broker_connection, topology)
    saga_id = new_id()
    async with running(settings) as http:
        await publish(broker_connection, topology, start_booking(saga_id, key="same-key-123"))
        first_hold = await participants.take(Service.ROOMS, HoldRoom)
        # The agent's retry: the same request again, and the same key under another saga id.
        await publish(broker_connection, topology, start_booking(saga_id, key="same-key-123"))
        await publish(broker_connection, topology, start_booking(new_id(), key="same-key-123"))
        saga = await saga_when(
            http,
            saga_id,
            lambda s: (
                sum(h["message_type"] == StartBooking.message_type for h in s["history"]) == 3
            ),
        )
        listed = (await http.get("/sagas", params={"agency_id": "agency-7"})).json()

    assert listed["total"] == 1
    holds = [h for h in saga["history"] if h["message_type"] == HoldRoom.message_type]
    assert [h["message_id"] for h in holds] == [first_hold.message_id]
    queue = await (await broker_connection.channel()).get_queue(
        topology.command_queue(Service.ROOMS).name
    )
    assert queue.declaration_result.message_count == 0


async def test_a_step_without_answer_is_sent_again_and_the_saga_moves_on(
    settings: OrchestratorSettings, topology: Topology, broker_connection: AbstractRobustConnection
) -> None:
    participants = Participants(broker_connection, topology)
    quick = settings.model_copy(
        update={"step_deadline_seconds": 1.0, "retry_first_delay_seconds": 0.1}
    )
    saga_id = new_id()
    async with running(quick) as http:
        await publish(broker_connection, topology, start_booking(saga_id))
        hold = await participants.take(Service.ROOMS, HoldRoom)
        await participants.reply(hold, room_held())
        first = await participants.take(Service.CLIENTS, VerifyClient)  # left unanswered
        second = await participants.take(Service.CLIENTS, VerifyClient)
        assert second.message_id != first.message_id and second.body == first.body
        await participants.reply(second, ClientVerified(client_id="client-42"))
        await participants.take(Service.RESERVATIONS, WriteReservation)
        saga = await saga_when(http, saga_id, lambda s: s["state"] == "CLIENT_VERIFIED")
        metrics = (await http.get("/metrics")).text

    timeouts = [h for h in saga["history"] if h["direction"] == "timeout"]
    assert timeouts and timeouts[0]["message_type"] == VerifyClient.message_type
    assert 'booking_saga_step_retries_total{step="verify_client"}' in metrics


async def test_a_stopped_orchestrator_carries_on_from_the_stored_state(
    settings: OrchestratorSettings, topology: Topology, broker_connection: AbstractRobustConnection
) -> None:
    participants = Participants(broker_connection, topology)
    saga_id = new_id()
    async with running(settings):
        await publish(broker_connection, topology, start_booking(saga_id))
        hold = await participants.take(Service.ROOMS, HoldRoom)
        verify = await participants.take(Service.CLIENTS, VerifyClient)
        await participants.reply(hold, room_held())
        await participants.reply(verify, ClientVerified(client_id="client-42"))
        write = await participants.take(Service.RESERVATIONS, WriteReservation)

    # The orchestrator is down: the reservation's reply waits in its queue.
    await participants.reply(
        write, ReservationWritten(reservation_id="res-5", confirmation_code="ABCD2345")
    )
    async with running(settings) as http:
        confirm = await participants.take(Service.ROOMS, ConfirmHold)
        await participants.reply(confirm, HoldConfirmed(hold_id="hold-9"))
        saga = await saga_when(http, saga_id, lambda s: s["state"] == "CONFIRMED")

    writes = [h for h in saga["history"] if h["message_type"] == WriteReservation.message_type]
    assert len(writes) == 1 and saga["data"]["confirmation_code"] == "ABCD2345"


async def test_a_reply_for_an_unknown_saga_is_dead_lettered_with_its_reason(
    settings: OrchestratorSettings, topology: Topology, broker_connection: AbstractRobustConnection
) -> None:
    reply = ClientVerified(client_id="client-42")
    stray = Outgoing.of(reply, Envelope.new(reply.message_type, "no-such-saga"))
    async with running(settings):
        await publish(broker_connection, topology, stray, replies=True)
        dlq = topology.dead_letter_queue(topology.replies_queue()).name
        [dead] = await drain_queue(broker_connection, dlq, 1, timeout=WAIT)

    assert "no saga 'no-such-saga'" in dead.headers[DEAD_LETTER_REASON_HEADER]
