"""WriteReservation and CancelReservation through the real broker to the running service."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import aio_pika
import pytest

from contracts.base import Command
from contracts.envelope import Envelope, new_id
from contracts.reservations import (
    CancelReservation,
    ReservationCancelled,
    ReservationRejected,
    ReservationWritten,
)
from contracts.topology import Service, Topology
from infra.messaging.codec import Outgoing
from tests.integration.test_reservations_support import RunningService, service, write_command
from tests.support.observer import send_command, watch_replies

pytestmark = pytest.mark.integration
__all__ = ["service"]


@pytest.fixture
async def connection(amqp_url: str) -> AsyncIterator[aio_pika.abc.AbstractRobustConnection]:
    connection = await aio_pika.connect_robust(amqp_url)
    async with connection:
        yield connection


def outgoing(command: Command, saga_id: str) -> Outgoing:
    return Outgoing.of(command, Envelope.new(command.message_type, saga_id))


async def send(connection: Any, topology: Topology, message: Outgoing) -> None:
    await send_command(connection, topology, str(Service.RESERVATIONS), message)


async def test_a_duplicated_write_and_a_retry_answer_with_one_reservation_then_cancel(
    amqp_url: str, topology: Topology, service: RunningService, connection: Any
) -> None:
    saga_id = new_id()
    write = outgoing(write_command(), saga_id)
    retry = outgoing(write_command(), saga_id)  # same saga, new message id
    cancel = outgoing(CancelReservation(booking_saga_id=saga_id, reason="hold expired"), saga_id)

    async with watch_replies(amqp_url, topology) as replies:
        await send(connection, topology, write)
        await send(connection, topology, write)
        await replies.wait_for(2, timeout=30)
        await send(connection, topology, retry)
        await replies.wait_for(3, timeout=30)
        await send(connection, topology, cancel)
        first, duplicate, retried, cancelled = await replies.wait_for(4, timeout=30)

    assert first.type == ReservationWritten.message_type
    assert (duplicate.message_id, duplicate.body) == (first.message_id, first.body)
    assert retried.message_id != first.message_id
    assert json.loads(retried.body) == json.loads(first.body)
    assert retried.headers["x-causation-id"] == retry.envelope.message_id
    written = ReservationWritten.model_validate_json(first.body)
    assert cancelled.type == ReservationCancelled.message_type
    assert json.loads(cancelled.body) == {
        "booking_saga_id": saga_id,
        "reservation_id": written.reservation_id,
    }

    stored = (await service.http.get(f"/reservations/by-code/{written.confirmation_code}")).json()
    listed = (await service.http.get("/reservations", params={"client_id": "client-1"})).json()
    assert stored["id"] == written.reservation_id and stored["saga_id"] == saga_id
    assert [c["status"] for c in stored["status_history"]] == ["CONFIRMED", "CANCELLED"]
    assert listed["total"] == 1


async def test_an_inconsistent_write_is_answered_with_a_rejection(
    amqp_url: str, topology: Topology, service: RunningService, connection: Any
) -> None:
    command = write_command().model_copy(update={"total": Decimal("1.00")})
    async with watch_replies(amqp_url, topology) as replies:
        await send(connection, topology, outgoing(command, new_id()))
        (reply,) = await replies.wait_for(1, timeout=30)

    assert reply.type == ReservationRejected.message_type
    assert "does not match the sum" in json.loads(reply.body)["reason"]
    assert (await service.http.get("/reservations")).json()["total"] == 0
