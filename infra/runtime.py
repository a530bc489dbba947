"""Wiring a service's broker side inside its lifespan: declare, subscribe, start, stop."""

from __future__ import annotations

from faststream.middlewares import AckPolicy
from faststream.rabbit import RabbitBroker, RabbitMessage, RabbitQueue

from contracts.topology import Topology
from infra.messaging.broker import broker_user_of, check_topology, declare_topology, existing
from infra.messaging.consumer import QueueConsumer


def subscribe(broker: RabbitBroker, queue: RabbitQueue, consumer: QueueConsumer) -> None:
    """Feed every delivery of `queue` to `consumer`, which acks by itself. Under broker
    identities the queue is the administrator's: taken as it is, never declared."""
    if consumer.publisher.broker_user is not None:
        queue = existing(queue)

    async def on_message(message: RabbitMessage) -> None:
        await consumer(message)

    broker.subscriber(queue, ack_policy=AckPolicy.MANUAL, no_reply=True)(on_message)


async def start_broker(broker: RabbitBroker, topology: Topology) -> None:
    await broker.connect()
    if broker_user_of(broker) is None:
        await declare_topology(broker, topology)
    else:
        await check_topology(broker, topology)
    await broker.start()


async def broker_ping(broker: RabbitBroker) -> None:
    if not await broker.ping(timeout=2.0):
        raise ConnectionError("broker unreachable")
