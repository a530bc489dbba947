"""A batch is settled whole: one ack covers what its consumer acked, and what a failing batch
left unsettled goes back to the queue, over the real broker."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import aio_pika
import pytest
from faststream.rabbit import RabbitQueue

from contracts.topology import Topology
from infra.messaging.broker import make_broker
from infra.messaging.delivery import Delivery, settle_batch
from infra.runtime import Batches, Subscription, listen, start_broker, stop_broker

pytestmark = pytest.mark.integration
MESSAGES = 20


class Recording:
    """A consumer that acks what it is given; its first batch fails after one ack when
    `fail_first` (a bug, say, half-way through)."""

    def __init__(self, queue_name: str, fail_first: bool) -> None:
        self.queue_name = queue_name
        self.fail_first = fail_first
        self.batches: list[list[tuple[bytes, bool]]] = []
        self.handled: dict[bytes, int] = {}
        self.all_handled = asyncio.Event()

    async def handle_batch(self, messages: Sequence[Delivery]) -> None:
        self.batches.append([(m.raw_message.body, m.raw_message.redelivered) for m in messages])
        for index, message in enumerate(messages):
            if self.fail_first and len(self.batches) == 1 and index == 1:
                raise RuntimeError("a bug half-way through the batch")
            await message.ack()
            body = message.raw_message.body
            self.handled[body] = self.handled.get(body, 0) + 1
        if len(self.handled) == MESSAGES:
            self.all_handled.set()


async def run(amqp_url: str, topology: Topology, connection: Any, fail_first: bool) -> Recording:
    queue = RabbitQueue(f"{topology.namespace}.settlement", durable=True)
    channel = await connection.channel()
    await channel.declare_queue(queue.name, durable=True)
    for number in range(MESSAGES):
        await channel.default_exchange.publish(aio_pika.Message(b"%d" % number), queue.name)
    recording = Recording(queue.name, fail_first)
    broker = make_broker(amqp_url, prefetch_count=8)
    batches = Batches(recording)  # type: ignore[arg-type]

    async def on_delivery(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        batches.add(Delivery(message))

    listen(broker, Subscription(queue, on_delivery))
    await start_broker(broker, topology)
    try:
        async with asyncio.timeout(30):
            await recording.all_handled.wait()
    finally:
        await stop_broker(broker)  # anything not acked would now go back to the queue
    left = await channel.declare_queue(queue.name, passive=True)
    await channel.queue_delete(queue.name)
    assert left.declaration_result.message_count == 0, "every delivery was acked"
    return recording


async def test_deliveries_handled_in_batches_are_each_acked_once(
    amqp_url: str, topology: Topology, broker_connection: Any
) -> None:
    recording = await run(amqp_url, topology, broker_connection, fail_first=False)

    assert max(len(batch) for batch in recording.batches) > 1, "several deliveries per batch"
    assert set(recording.handled.values()) == {1}, "acked once: nothing came back"


async def test_what_a_failing_batch_left_unsettled_comes_back_and_only_that(
    amqp_url: str, topology: Topology, broker_connection: Any
) -> None:
    recording = await run(amqp_url, topology, broker_connection, fail_first=True)

    first = recording.batches[0]
    assert len(first) > 2
    acked_before_the_bug = first[0][0]
    assert recording.handled[acked_before_the_bug] == 1, "the ack before the bug held"
    again = [body for batch in recording.batches[1:] for body, redelivered in batch if redelivered]
    assert sorted(again) == sorted(body for body, _ in first[1:]), "the rest came back"


async def test_a_delivery_of_a_channel_gone_does_not_keep_the_rest_of_its_batch_unacked(
    topology: Topology, broker_connection: Any
) -> None:
    """After a broker restart a batch can hold deliveries of the closed channel and of the new
    one. An ack of the old fails; it must not leave the new ones unacked, or they hold the
    prefetch and the queue stops flowing (the rabbitmq-restart failure in `make chaos`)."""
    name = f"{topology.namespace}.mixed"
    setup = await broker_connection.channel()
    await setup.declare_queue(name, durable=True)
    for number in range(3):
        await setup.default_exchange.publish(aio_pika.Message(b"%d" % number), name)

    closed = await broker_connection.channel()
    stale = await (await closed.get_queue(name)).get(no_ack=False)
    assert stale is not None
    await closed.close()  # the delivery returns to the queue; its own ack can no longer be sent

    live = await broker_connection.channel()
    live_queue = await live.get_queue(name)
    fresh = [await live_queue.get(no_ack=False) for _ in range(3)]
    batch = [Delivery(stale), *(Delivery(message) for message in fresh if message is not None)]
    assert len(batch) == 4
    for delivery in batch:
        delivery.in_batch = True
        await delivery.ack()  # as a consumer acks inside a batch: nothing sent yet
    await settle_batch(batch)
    await live.close()  # anything the batch left unacked would now go back to the queue

    left = await setup.declare_queue(name, passive=True)
    await setup.queue_delete(name)
    assert left.declaration_result.message_count == 0, "the live channel's deliveries were acked"
