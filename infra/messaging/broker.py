"""The broker connection and the declaration of the topology a process uses.

Under one shared login every process declares the whole topology at start (idempotent). Under
broker identities the broker's administrator declares it (compose's definitions, the launcher's
and the tests' `infra.messaging.broker_users`) and no service may reconfigure it: a process only
checks, passively, that it is there.
"""

from __future__ import annotations

import copy
from typing import TypeVar

from faststream.rabbit import Channel, RabbitBroker, RabbitExchange, RabbitQueue

from contracts.topology import Topology
from infra.messaging.permissions import bindings


def make_broker(amqp_url: str, prefetch_count: int) -> RabbitBroker:
    """A broker whose publishes wait for confirms and fail on unroutable messages. Nothing is
    consumed through FastStream's subscribers (infra/runtime.py): every delivery, whatever its
    body, reaches our own decoding (`infra.messaging.codec.decode`), which turns anything
    invalid into a dead letter with a reason. Its own channel only publishes; each queue is
    consumed on a channel of its own with `prefetch_count`."""
    channel = Channel(publisher_confirms=True, on_return_raises=True)
    broker = RabbitBroker(
        amqp_url,
        default_channel=channel,
        logger=None,
        graceful_timeout=10.0,
        reconnect_interval=1.0,
    )
    broker.context.set_global(PREFETCH_KEY, prefetch_count)
    return broker


# Where a broker records the prefetch each of its consuming channels takes (`infra.runtime`).
PREFETCH_KEY = "booking_prefetch"


def prefetch_of(broker: RabbitBroker) -> int:
    prefetch = broker.context.get(PREFETCH_KEY)
    return prefetch if isinstance(prefetch, int) else 0


# Where a broker's publisher records the broker user it publishes as (None: a shared login).
BROKER_USER_KEY = "booking_broker_user"


def publishing_as(broker: RabbitBroker, broker_user: str | None) -> None:
    broker.context.set_global(BROKER_USER_KEY, broker_user)


def broker_user_of(broker: RabbitBroker) -> str | None:
    """The user `broker`'s publisher publishes as under broker identities, else None."""
    user = broker.context.get(BROKER_USER_KEY)
    return user if isinstance(user, str) else None


Declarable = TypeVar("Declarable", RabbitQueue, RabbitExchange)


def existing(declarable: Declarable) -> Declarable:
    """The same queue or exchange, declared passively: it must exist; needs no permission."""
    passive = copy.copy(declarable)
    passive.declare = False
    return passive


async def check_topology(broker: RabbitBroker, topology: Topology) -> None:
    """Under broker identities: every exchange and queue is there (a missing one closes the
    channel with NOT_FOUND, and the process does not start)."""
    for exchange in topology.exchanges():
        await broker.declare_exchange(existing(exchange))
    for queue in topology.work_queues():
        await broker.declare_queue(existing(queue))
        await broker.declare_queue(existing(topology.dead_letter_queue(queue)))


async def declare_topology(broker: RabbitBroker, topology: Topology) -> None:
    """Declare every exchange, work queue and dead-letter queue, and bind each. Idempotent."""
    for exchange in topology.exchanges():
        await broker.declare_exchange(exchange)
    for exchange, queue in bindings(topology):
        declared = await broker.declare_queue(queue)
        await declared.bind(exchange.name, routing_key=queue.routing())
