"""Cancellation, operators' actions, the outbox relay and the embedded SQLite store, over the
real broker with the test playing the participants."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aio_pika.abc import AbstractRobustConnection

from contracts.booking import CancelBooking
from contracts.clients import ClientVerified, VerifyClient
from contracts.envelope import Envelope, new_id
from contracts.reservations import (
    CancelReservation,
    ReservationCancelled,
    ReservationWritten,
    WriteReservation,
)
from contracts.rooms import (
    ConfirmHold,
    HoldConfirmed,
    HoldReleased,
    HoldRoom,
    ReleaseHold,
)
from contracts.topology import Service, Topology
from infra.messaging.codec import Outgoing
from infra.stores.sql import make_engine
from orchestrator.adapters.tables import outbox
from orchestrator.settings import OrchestratorSettings
from tests.integration.test_orchestrator_saga import (
    WAIT,
    Participants,
    publish,
    room_held,
    running,
    saga_when,
    settings,
    start_booking,
    wait_for_public,
)
from tests.support.observer import Observed, watch_events

__all__ = ["settings"]  # the orchestrator's test settings fixture, shared with the saga tests

pytestmark = pytest.mark.integration


async def confirm(participants: Participants, saga_id: str) -> None:
    await publish(participants.connection, participants.topology, start_booking(saga_id))
    hold = await participants.take(Service.ROOMS, HoldRoom)
    verify = await participants.take(Service.CLIENTS, VerifyClient)
    await participants.reply(hold, room_held())
    await participants.reply(verify, ClientVerified(client_id="client-42"))
    write = await participants.take(Service.RESERVATIONS, WriteReservation)
    written = ReservationWritten(reservation_id="res-8", confirmation_code="QRST2345")
    await participants.reply(write, written)
    await participants.reply(
        await participants.take(Service.ROOMS, ConfirmHold), HoldConfirmed(hold_id="hold-9")
    )


async def test_a_confirmed_booking_is_cancelled_and_its_nights_freed(
    settings: OrchestratorSettings, topology: Topology, broker_connection: AbstractRobustConnection
) -> None:
    participants = Participants(broker_connection, topology)
    saga_id = new_id()
    async with running(settings) as http, watch_events(settings.amqp_url, topology) as events:
        await confirm(participants, saga_id)
        await saga_when(http, saga_id, lambda s: s["state"] == "CONFIRMED")
        request = CancelBooking(booking_saga_id=saga_id, requested_by="agent-7", reason="Ill")
        envelope = Envelope.new(request.message_type, new_id())
        await publish(broker_connection, topology, Outgoing.of(request, envelope))
        cancel = await participants.take(Service.RESERVATIONS, CancelReservation)
        await participants.reply(
            cancel, ReservationCancelled(booking_saga_id=saga_id, reservation_id="res-8")
        )
        release = await participants.take(Service.ROOMS, ReleaseHold)  # a confirmed hold too
        await participants.reply(release, HoldReleased(hold_id="hold-9"))
        await saga_when(http, saga_id, lambda s: s["state"] == "CANCELLED")
        async with asyncio.timeout(WAIT), events.arrived:
            await events.arrived.wait_for(lambda: len(_public_types(events)) == 2)

    assert _public_types(events) == ["booking.BookingConfirmed.v1", "booking.BookingCancelled.v1"]


def _public_types(events: Observed) -> list[str]:
    cloud_events = "application/cloudevents+json"
    return [str(m.type) for m in events.messages if m.content_type == cloud_events]


async def test_an_operator_forces_compensation_and_cannot_retry_a_failed_saga(
    settings: OrchestratorSettings, topology: Topology, broker_connection: AbstractRobustConnection
) -> None:
    participants = Participants(broker_connection, topology)
    saga_id = new_id()
    async with running(settings) as http:
        await publish(broker_connection, topology, start_booking(saga_id))
        hold = await participants.take(Service.ROOMS, HoldRoom)
        verify = await participants.take(Service.CLIENTS, VerifyClient)
        await participants.reply(hold, room_held())
        await saga_when(http, saga_id, lambda s: s["state"] == "ROOM_HELD")

        forced = await http.post(f"/sagas/{saga_id}/compensate")
        await participants.reply(verify, ClientVerified(client_id="client-42"))
        release = await participants.take(Service.ROOMS, ReleaseHold)
        await participants.reply(release, HoldReleased(hold_id="hold-9"))
        saga = await saga_when(http, saga_id, lambda s: s["state"] == "FAILED")
        refused = await http.post(f"/sagas/{saga_id}/retry")
        missing = await http.get("/sagas/no-such-saga")
        failed = (await http.get("/sagas", params={"state": "FAILED"})).json()
        bad_filter = await http.get("/sagas", params={"state": "NONSENSE"})

    assert forced.status_code == 202 and forced.json()["state"] == "COMPENSATING"
    assert saga["failure_reason"] == "An operator stopped the booking."
    assert refused.status_code == 409 and "FAILED" in refused.json()["detail"]
    assert missing.status_code == 404
    assert [s["saga_id"] for s in failed["items"]] == [saga_id]
    assert bad_filter.status_code == 422


async def test_messages_committed_but_never_sent_are_relayed_at_start_up(
    settings: OrchestratorSettings, topology: Topology, broker_connection: AbstractRobustConnection
) -> None:
    participants = Participants(broker_connection, topology)
    saga_id = new_id()
    async with running(settings):
        await publish(broker_connection, topology, start_booking(saga_id))
        first_hold = await participants.take(Service.ROOMS, HoldRoom)
        await participants.take(Service.CLIENTS, VerifyClient)

    # As if the process died after its commit and before the broker confirmed the send.
    engine = make_engine(settings.sagas_db_url)
    async with engine.begin() as db:
        await db.execute(outbox.update().values(sent_at=None))
    await engine.dispose()

    async with running(settings):
        again = await participants.take(Service.ROOMS, HoldRoom)
        await participants.take(Service.CLIENTS, VerifyClient)

    assert again.message_id == first_hold.message_id and again.body == first_hold.body


async def test_the_embedded_sqlite_store_runs_a_booking(
    settings: OrchestratorSettings,
    topology: Topology,
    broker_connection: AbstractRobustConnection,
    tmp_path: Path,
) -> None:
    embedded = settings.model_copy(
        update={"sagas_db_url": f"sqlite+aiosqlite:///{tmp_path / 'sagas.db'}"}
    )
    participants = Participants(broker_connection, topology)
    saga_id = new_id()
    async with running(embedded) as http, watch_events(settings.amqp_url, topology) as events:
        await confirm(participants, saga_id)
        await saga_when(http, saga_id, lambda s: s["state"] == "CONFIRMED")
        [confirmed] = await wait_for_public(events)
        health = await http.get("/health")

    assert confirmed["data"]["confirmation_code"] == "QRST2345"
    assert health.status_code == 200
