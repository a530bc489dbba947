"""Poison messages on the clients service's commands queue: each is dead-lettered with its reason,
and the service keeps answering (issue 12, defect 3: invalid JSON used to wedge a consumer)."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aio_pika
import httpx
import pytest
from aio_pika.abc import AbstractRobustConnection

from contracts.booking import SagaProgressed
from contracts.clients import ClientVerified, VerifyClient
from contracts.envelope import (
    DEAD_LETTER_QUEUE_HEADER,
    DEAD_LETTER_REASON_HEADER,
    Envelope,
    new_id,
)
from contracts.topology import Service, Topology
from infra.messaging.broker import make_broker
from infra.messaging.codec import Outgoing
from infra.runtime import start_broker
from tests.integration.test_clients_api import http
from tests.integration.test_clients_verification import create_client, send, verify
from tests.support.observer import (
    amqp_message,
    drain_queue,
    publish_message,
    publish_outgoing,
    publish_raw,
    watch_replies,
)
from tests.support.signing import service_signer
from web.entrypoints.progress_feed import subscribe_progress
from web.progress import ProgressHub

pytestmark = pytest.mark.integration
__all__ = ["http"]  # the clients service under test, with its real broker side

EACH = 40  # more than the service's prefetch count (32) of every kind
KIND_HEADER = "x-poison-kind"
SECRET = "Priya Raman, passport K1234567"  # personal data a reason must never quote
FIVE_MB = 5 * 1024 * 1024


@dataclass(frozen=True)
class Poison:
    body: bytes
    properties: dict[str, Any]
    reason: str  # what the dead letter's reason header must say


def envelope_properties() -> dict[str, Any]:
    return {
        "message_id": new_id(),
        "correlation_id": new_id(),
        "timestamp": datetime.now(UTC),
        "type": VerifyClient.message_type,
    }


# Content types FastStream would decode the body by (JSON, text), and none at all.
CONTENT_TYPES = ("application/json", "text/plain", None)


def poisons(kind: str, index: int) -> Poison:
    content_type = CONTENT_TYPES[index % len(CONTENT_TYPES)]
    full = envelope_properties() | {"content_type": content_type}
    secret = SECRET.encode()
    match kind:
        case "invalid-json":
            return Poison(b"{" + secret + b" not json", full, "Invalid JSON")
        case "not-utf8":
            return Poison(b'{"client_id": "\xff\xfe' + secret + b'"}', full, "not UTF-8")
        case "deep-nesting":
            depth = 10_000
            nested = [b"[" * depth + b"]" * depth, b'{"a":' * depth + b"1" + b"}" * depth]
            return Poison(nested[index % 2], full, "recursion limit exceeded")
        case "five-mb":
            body = b'{"client_id": "' + secret + b"x" * FIVE_MB + b'"}'
            return Poison(body, full, "body too large")
        case "unknown-type":
            bodies = [b'{"client_id": "' + secret + b'"}', b"{" + secret]
            return Poison(
                bodies[index % 2], full | {"type": "clients.Nonsense.v9"}, "unknown message type"
            )
        case "missing-properties":
            # (aiormq gives every published message a message_id, so that one is always there)
            missing = ["type", "correlation_id", "timestamp"]
            properties = {k: v for k, v in full.items() if k != missing[index % len(missing)]}
            if index % 5 == 0:
                properties = {"content_type": content_type}  # no properties at all
            return Poison(b"{" + secret, properties, "missing AMQP properties")
    raise AssertionError(kind)


KINDS = (
    "invalid-json",
    "not-utf8",
    "deep-nesting",
    "five-mb",
    "unknown-type",
    "missing-properties",
)


async def publish_all(
    connection: AbstractRobustConnection, topology: Topology, messages: list[tuple[str, Poison]]
) -> None:
    """Publish every poison message onto the clients commands queue, confirmed by the broker."""
    channel = await connection.channel(publisher_confirms=True)
    exchange = await channel.get_exchange(topology.commands.name, ensure=True)

    async def publish(kind: str, poison: Poison) -> None:
        properties = {k: v for k, v in poison.properties.items() if v is not None}
        message = aio_pika.Message(
            poison.body,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            headers={KIND_HEADER: kind},
            **properties,
        )
        await exchange.publish(message, routing_key=str(Service.CLIENTS), mandatory=True)

    await asyncio.gather(*(publish(kind, poison) for kind, poison in messages))
    await channel.close()


async def test_poison_messages_are_dead_lettered_with_a_reason_and_the_service_keeps_answering(
    http: httpx.AsyncClient, broker_connection: Any, amqp_url: str, topology: Topology
) -> None:
    client_id = await create_client(http, "poison.survivor@example.in")
    messages = [
        (kind, poisons(kind, index)) for kind, index in itertools.product(KINDS, range(EACH))
    ]

    async with watch_replies(amqp_url, topology) as replies:
        await publish_all(broker_connection, topology, messages)
        good = verify(client_id)
        await send(broker_connection, topology, good)
        (reply,) = await replies.wait_for(1, timeout=30)

    assert reply.correlation_id == good.envelope.saga_id
    assert reply.type == ClientVerified.message_type

    queue = topology.command_queue(Service.CLIENTS)
    dead = await drain_queue(
        broker_connection, topology.dead_letter_queue(queue).name, len(messages), timeout=30
    )
    expected = {kind: poisons(kind, 0).reason for kind in KINDS}
    by_kind = Counter(str(m.headers[KIND_HEADER]) for m in dead)
    assert by_kind == dict.fromkeys(KINDS, EACH)
    for message in dead:
        kind = str(message.headers[KIND_HEADER])
        reason = str(message.headers[DEAD_LETTER_REASON_HEADER])
        assert expected[kind] in reason, (kind, reason)
        assert "Priya" not in reason and "xxxx" not in reason, "a reason never quotes the body"
        assert message.headers[DEAD_LETTER_QUEUE_HEADER] == queue.name
    huge = [m for m in dead if m.headers[KIND_HEADER] == "five-mb"]
    assert all(len(m.body) > FIVE_MB for m in huge), "a dead letter keeps the original body"


async def test_the_web_progress_feed_skips_poison_and_unsigned_events_and_delivers_the_next(
    amqp_url: str, topology: Topology, broker_connection: Any
) -> None:
    hub = ProgressHub()
    broker = make_broker(amqp_url, prefetch_count=8)
    subscribe_progress(broker, topology, hub, "web", service_signer())
    await start_broker(broker, topology)
    saga_id = new_id()
    event = SagaProgressed(
        saga_kind="booking", state="PENDING", step=None, terminal=False, at=datetime.now(UTC)
    )
    good = Outgoing.of(event, Envelope.new(SagaProgressed.message_type, saga_id))
    routing_key = topology.progress_routing_key("booking")
    try:
        async with hub.follow(saga_id) as followed:
            poison = [poisons(kind, index) for kind in KINDS for index in range(3)]
            for item in poison:
                properties = {k: v for k, v in item.properties.items() if v is not None}
                await publish_raw(
                    broker_connection, topology.events.name, routing_key, item.body, **properties
                )
            # A forged step claiming the booking confirmed, with a code of the forger's choosing.
            forged_saga = {"saga_id": saga_id, "state": "CONFIRMED", "revision": 99}
            forged = event.model_copy(update={"state": "CONFIRMED", "saga": forged_saga})
            unsigned = Outgoing.of(forged, Envelope.new(SagaProgressed.message_type, saga_id))
            await publish_message(
                broker_connection, topology.events.name, routing_key, amqp_message(unsigned)
            )
            await publish_outgoing(broker_connection, topology.events.name, routing_key, good)
            async with asyncio.timeout(15):
                received = await followed.get()
    finally:
        await broker.stop()
    assert received == event
    assert hub.latest(saga_id) is None, "the forged snapshot never reached the hub"
