"""Wiring a service's broker side inside its lifespan: declare, subscribe, start, stop."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from weakref import WeakKeyDictionary

import structlog
from aio_pika.abc import AbstractIncomingMessage
from faststream.rabbit import RabbitBroker, RabbitExchange, RabbitQueue

from contracts.topology import Topology
from infra.messaging.broker import (
    broker_user_of,
    check_topology,
    declare_topology,
    existing,
    prefetch_of,
)
from infra.messaging.consumer import QueueConsumer
from infra.messaging.consumer_watch import Consumer, ConsumerWatch
from infra.messaging.delivery import Delivery, settle_batch
from infra.metrics import BATCH_SIZE

# The most deliveries handled as one batch (the channel's prefetch bounds it too).
MAX_BATCH = 64
log = structlog.get_logger(__name__)
OnDelivery = Callable[[AbstractIncomingMessage], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    """A queue consumed straight with aio-pika once the broker has started (delivery.py says
    why), on a channel of its own (so a batch's one ack covers its deliveries only) with the
    broker's prefetch; aio-pika's robust channel declares, binds and consumes it again after a
    reconnection, and the consumer watch makes sure it did."""

    queue: RabbitQueue
    on_delivery: OnDelivery
    no_ack: bool = False
    bound_to: tuple[RabbitExchange, str] | None = None  # an exchange and a routing key


_SUBSCRIPTIONS: WeakKeyDictionary[RabbitBroker, list[Subscription]] = WeakKeyDictionary()
_WATCHES: WeakKeyDictionary[RabbitBroker, ConsumerWatch] = WeakKeyDictionary()


def listen(broker: RabbitBroker, subscription: Subscription) -> None:
    """Consume `subscription` once `start_broker` has started `broker`."""
    _SUBSCRIPTIONS.setdefault(broker, []).append(subscription)


def subscribe(broker: RabbitBroker, queue: RabbitQueue, consumer: QueueConsumer) -> None:
    """Feed the deliveries of `queue` to `consumer` in batches: whatever the broker has
    delivered (up to the channel's prefetch) while the last batch was handled. A batch never
    waits on a timer: a lone message is handled at once. The batch is settled whole once
    handled (`settle_batch`: one ack for what the consumer acked, what it left unsettled back
    to the queue); a crash before that redelivers it. Under broker identities the queue is the
    administrator's: taken as it is, never declared."""
    if consumer.publisher.broker_user is not None:
        queue = existing(queue)
    batches = Batches(consumer)

    async def on_delivery(message: AbstractIncomingMessage) -> None:
        batches.add(Delivery(message))

    listen(broker, Subscription(queue, on_delivery))


class Batches:
    """Deliveries waiting for their consumer, and the one task that hands them over in order."""

    def __init__(self, consumer: QueueConsumer) -> None:
        self._consumer = consumer
        self._waiting: asyncio.Queue[Delivery] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None

    def add(self, message: Delivery) -> None:
        self._waiting.put_nowait(message)
        if self._worker is None or self._worker.done():
            # A context of its own: not the one of the delivery that happened to wake it.
            self._worker = asyncio.create_task(self._run(), context=contextvars.Context())

    async def _run(self) -> None:
        while True:
            batch = [await self._waiting.get()]
            while len(batch) < MAX_BATCH and not self._waiting.empty():
                batch.append(self._waiting.get_nowait())
            BATCH_SIZE.labels(self._consumer.queue_name).observe(len(batch))
            for delivery in batch:
                delivery.in_batch = True
            try:
                await self._consumer.handle_batch(batch)
            except Exception:  # never lose the worker; what it left unsettled goes back
                log.exception("a batch failed", queue=self._consumer.queue_name, size=len(batch))
            await settle_batch(batch)


async def start_broker(
    broker: RabbitBroker, topology: Topology, watch: ConsumerWatch | None = None
) -> None:
    """Connect, declare (or check) the topology, consume every subscription, and watch that
    each stays consumed (`infra.messaging.consumer_watch`)."""
    connection = await broker.connect()
    if broker_user_of(broker) is None:
        await declare_topology(broker, topology)
    else:
        await check_topology(broker, topology)
    await broker.start()
    watch = _WATCHES.setdefault(broker, watch or ConsumerWatch())
    for subscription in _SUBSCRIPTIONS.get(broker, ()):
        channel = connection.channel(publisher_confirms=False)
        await channel.initialize()
        await channel.set_qos(prefetch_count=prefetch_of(broker))
        declared = subscription.queue
        queue = await channel.declare_queue(
            declared.name,
            durable=declared.durable,
            exclusive=declared.exclusive,
            auto_delete=declared.auto_delete,
            arguments=declared.arguments,
            passive=not declared.declare,
        )
        if subscription.bound_to is not None:
            exchange, routing_key = subscription.bound_to
            await queue.bind(await broker.declare_exchange(exchange), routing_key)
        tag = await queue.consume(subscription.on_delivery, no_ack=subscription.no_ack)
        watch.add(Consumer(connection, queue, tag, subscription.on_delivery, subscription.no_ack))
    watch.start()


async def stop_broker(broker: RabbitBroker) -> None:
    watch = _WATCHES.pop(broker, None)
    if watch is not None:
        await watch.stop()
    await broker.stop()


async def broker_ping(broker: RabbitBroker) -> None:
    if not await broker.ping(timeout=2.0):
        raise ConnectionError("broker unreachable")
    watch = _WATCHES.get(broker)
    lost = watch.lost() if watch is not None else []
    if lost:
        raise ConnectionError(f"not consuming {', '.join(lost)}")
