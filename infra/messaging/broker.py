"""The broker connection and the declaration of the topology a process uses."""

from __future__ import annotations

from typing import Any

from faststream.message import StreamMessage
from faststream.rabbit import Channel, RabbitBroker, RabbitQueue

from contracts.topology import Topology


async def undecoded_body(message: StreamMessage[Any]) -> bytes:
    """Every subscriber's FastStream decoder: the body exactly as it came, never parsed.

    FastStream would otherwise decode a body by its content type before our handler runs, and a
    body it cannot decode (not JSON, not UTF-8, nested too deep) would raise inside the
    framework: neither acked nor dead-lettered, holding a prefetch slot for good. Our consumers
    read `message.raw_message` and validate it in `infra.messaging.codec.decode`, which turns
    anything invalid into a dead letter with a reason.
    """
    return message.body


def make_broker(amqp_url: str, prefetch_count: int) -> RabbitBroker:
    """A broker whose publishes wait for confirms and fail on unroutable messages, and whose
    subscribers hand every delivery, whatever its body, to our own decoding."""
    channel = Channel(
        prefetch_count=prefetch_count,
        publisher_confirms=True,
        on_return_raises=True,
    )
    return RabbitBroker(
        amqp_url,
        default_channel=channel,
        logger=None,
        graceful_timeout=10.0,
        reconnect_interval=1.0,
        decoder=undecoded_body,
    )


async def declare_topology(broker: RabbitBroker, topology: Topology) -> None:
    """Declare every exchange, work queue and dead-letter queue. Idempotent."""
    exchanges = {
        "commands": await broker.declare_exchange(topology.commands),
        "replies": await broker.declare_exchange(topology.replies),
    }
    await broker.declare_exchange(topology.events)
    dead_letters = await broker.declare_exchange(topology.dead_letters)
    for queue in topology.work_queues():
        await _declare_bound(broker, queue, exchanges[_exchange_key(queue, topology)])
        dlq = topology.dead_letter_queue(queue)
        await _declare_bound(broker, dlq, dead_letters)


def _exchange_key(queue: RabbitQueue, topology: Topology) -> str:
    return "replies" if queue.name == topology.replies_queue().name else "commands"


async def _declare_bound(broker: RabbitBroker, queue: RabbitQueue, exchange: object) -> None:
    declared = await broker.declare_queue(queue)
    await declared.bind(exchange, routing_key=queue.routing())  # type: ignore[arg-type]
