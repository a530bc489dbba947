"""The idempotent consumer runtime over the real broker, on a SQL store and on MongoDB."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aio_pika
import pytest
from motor.motor_asyncio import AsyncIOMotorClient
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.clients import ClientVerified, VerifyClient
from contracts.envelope import DEAD_LETTER_REASON_HEADER, Envelope, new_id
from contracts.topology import Service, Topology
from infra.messaging.broker import make_broker
from infra.messaging.codec import Outgoing
from infra.messaging.consumer_watch import ConsumerWatch
from infra.runtime import broker_ping, start_broker, stop_broker, subscribe
from infra.stores.sql import make_engine
from tests.support import probe
from tests.support.observer import drain_queue, publish_raw, send_command, watch_replies
from tests.support.servers import Server

pytestmark = pytest.mark.integration


@pytest.fixture
async def engine(sql_database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(sql_database_url)
    await probe.create_schema(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
async def sql_probe(amqp_url: str, topology: Topology, engine: AsyncEngine) -> AsyncIterator[None]:
    broker = make_broker(amqp_url, prefetch_count=8)
    subscribe(
        broker,
        topology.command_queue(Service.CLIENTS),
        probe.sql_consumer(broker, topology, engine),
    )
    await start_broker(broker, topology)
    yield
    await broker.stop()


def verify_client(saga_id: str, message_id: str | None = None) -> Outgoing:
    envelope = Envelope.new(VerifyClient.message_type, saga_id)
    if message_id is not None:
        envelope = envelope.model_copy(update={"message_id": message_id})
    return Outgoing.of(VerifyClient(client_id="client-1"), envelope)


async def send(
    connection: aio_pika.abc.AbstractRobustConnection, topology: Topology, outgoing: Outgoing
) -> None:
    await send_command(connection, topology, str(Service.CLIENTS), outgoing)


async def test_sql_inbox_applies_a_duplicate_once_and_answers_it_twice_the_same(
    amqp_url: str, topology: Topology, sql_probe: None, engine: AsyncEngine, broker_connection: Any
) -> None:
    command = verify_client(saga_id=new_id())
    async with watch_replies(amqp_url, topology) as replies:
        await send(broker_connection, topology, command)
        await send(broker_connection, topology, command)
        first, second = await replies.wait_for(2)

    assert await probe.applied(engine, command.envelope.saga_id) == 1
    assert first.type == ClientVerified.message_type
    assert first.message_id == second.message_id
    assert first.body == second.body
    assert first.correlation_id == command.envelope.saga_id
    assert first.headers["x-causation-id"] == command.envelope.message_id


async def test_mongo_inbox_applies_a_duplicate_once_and_answers_it_twice_the_same(
    amqp_url: str,
    topology: Topology,
    mongodb_server: Server,
    mongo_database_name: str,
    broker_connection: Any,
) -> None:
    client: AsyncIOMotorClient[dict[str, Any]] = AsyncIOMotorClient(
        mongodb_server.url, tz_aware=True
    )
    database = client[mongo_database_name]
    broker = make_broker(amqp_url, prefetch_count=8)
    subscribe(
        broker,
        topology.command_queue(Service.CLIENTS),
        probe.mongo_consumer(broker, topology, database),
    )
    await start_broker(broker, topology)
    try:
        command = verify_client(saga_id=new_id())
        async with watch_replies(amqp_url, topology) as replies:
            await send(broker_connection, topology, command)
            await send(broker_connection, topology, command)
            first, second = await replies.wait_for(2)
        effect = await database["probe_effects"].find_one({"_id": command.envelope.saga_id})
    finally:
        await broker.stop()
        client.close()

    assert effect is not None and effect["applied"] == 1
    assert first.message_id == second.message_id
    assert json.loads(first.body) == json.loads(second.body) == {"client_id": "client-1"}


@pytest.mark.parametrize(
    ("body", "properties", "reason_fragment"),
    [
        (
            b"{not json",
            {"type": VerifyClient.message_type},
            "body is not a valid clients.VerifyClient.v1",
        ),
        (b'{"client_id": ""}', {"type": VerifyClient.message_type}, "client_id"),
        (b'{"client_id": "c", "extra": 1}', {"type": VerifyClient.message_type}, "extra"),
        (b'{"client_id": "c"}', {"type": "clients.Nonsense.v9"}, "unknown message type"),
        (b'{"client_id": "c"}', {"type": "rooms.ReleaseHold.v1"}, "body is not a valid"),
        (
            b'{"reason": "x"}',
            {"type": "rooms.ReleaseHold.v1"},
            "does not handle rooms.ReleaseHold.v1",
        ),
        (
            b'{"client_id": "c"}',
            {"type": VerifyClient.message_type, "correlation_id": None},
            "correlation_id (saga id)",
        ),
        (
            b'{"client_id": "c"}',
            {"type": VerifyClient.message_type, "timestamp": None},
            "timestamp",
        ),
    ],
    ids=[
        "not-json",
        "empty-field",
        "unknown-field",
        "unknown-type",
        "wrong-body",
        "wrong-queue",
        "no-saga-id",
        "no-timestamp",
    ],
)
async def test_a_malformed_message_is_dead_lettered_with_its_reason_and_the_next_is_processed(
    amqp_url: str,
    topology: Topology,
    sql_probe: None,
    engine: AsyncEngine,
    broker_connection: Any,
    body: bytes,
    properties: dict[str, Any],
    reason_fragment: str,
) -> None:
    saga_id = new_id()
    bad_properties: dict[str, Any] = {
        "message_id": new_id(),
        "correlation_id": saga_id,
        "timestamp": datetime.now(UTC),
    } | properties
    bad_properties = {k: v for k, v in bad_properties.items() if v is not None}
    async with watch_replies(amqp_url, topology) as replies:
        await publish_raw(
            broker_connection, topology.commands.name, str(Service.CLIENTS), body, **bad_properties
        )
        good = verify_client(saga_id=new_id())
        await send(broker_connection, topology, good)
        (reply,) = await replies.wait_for(1)

    dlq = topology.dead_letter_queue(topology.command_queue(Service.CLIENTS))
    (dead,) = await drain_queue(broker_connection, dlq.name, expected=1)
    assert reason_fragment in dead.headers[DEAD_LETTER_REASON_HEADER]
    assert dead.body == body, "the dead letter keeps the original body for an operator to inspect"
    assert reply.correlation_id == good.envelope.saga_id
    assert await probe.applied(engine, good.envelope.saga_id) == 1
    assert await probe.applied(engine, saga_id) is None


async def test_a_message_that_keeps_failing_is_dead_lettered_with_the_error_and_nothing_is_kept(
    amqp_url: str, topology: Topology, engine: AsyncEngine, broker_connection: Any
) -> None:
    async def broken_handler(
        command: VerifyClient, envelope: Envelope, session: Any
    ) -> ClientVerified:
        await probe.verify_in_sql(command, envelope, session)
        raise LookupError("client directory has no entry for client-1")

    broker = make_broker(amqp_url, prefetch_count=8)
    consumer = probe.sql_consumer(broker, topology, engine)
    consumer.handlers = {VerifyClient: broken_handler}
    subscribe(broker, topology.command_queue(Service.CLIENTS), consumer)
    await start_broker(broker, topology)
    try:
        command = verify_client(saga_id=new_id())
        await send(broker_connection, topology, command)
        dlq = topology.dead_letter_queue(topology.command_queue(Service.CLIENTS))
        (dead,) = await drain_queue(broker_connection, dlq.name, expected=1, timeout=60)
    finally:
        await broker.stop()

    reason = dead.headers[DEAD_LETTER_REASON_HEADER]
    assert "LookupError: client directory has no entry for client-1" in reason
    assert dead.message_id == command.envelope.message_id
    assert await probe.applied(engine, command.envelope.saga_id) is None, (
        "every attempt rolled back"
    )


async def test_a_consumer_lost_under_the_robust_connection_is_consumed_again(
    amqp_url: str, topology: Topology, engine: AsyncEngine, broker_connection: Any
) -> None:
    """A consumer can vanish without aio-pika noticing (upstream: aio-pika issues 231, 626).
    The watch finds the queue without its consumer, consumes it again, and the command sent
    meanwhile is answered."""
    broker = make_broker(amqp_url, prefetch_count=8)
    consumer = probe.sql_consumer(broker, topology, engine)
    subscribe(broker, topology.command_queue(Service.CLIENTS), consumer)
    watch = ConsumerWatch(check_every=0.2, grace=1.0)
    await start_broker(broker, topology, watch)
    try:
        (consuming,) = watch.consumers
        queue_name = consuming.queue.name
        channel = await consuming.queue.channel.get_underlay_channel()
        await channel.basic_cancel(consuming.tag)  # gone on the broker, unknown to aio-pika
        declared = await channel.queue_declare(queue_name, passive=True)
        assert declared.consumer_count == 0, "the queue has lost its only consumer"
        restored_before = restored(queue_name)

        command = verify_client(saga_id=new_id())
        async with watch_replies(amqp_url, topology) as replies:
            await send(broker_connection, topology, command)
            (reply,) = await replies.wait_for(1, timeout=30)

        assert reply.correlation_id == command.envelope.saga_id
        assert restored(queue_name) == restored_before + 1
        await broker_ping(broker)  # healthy again
    finally:
        await stop_broker(broker)


def restored(queue_name: str) -> float:
    value = REGISTRY.get_sample_value("booking_consumers_restored_total", {"queue": queue_name})
    return value or 0.0
