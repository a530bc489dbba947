"""A test's own view of the broker: what replies and dead letters came out, over aio-pika."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection
from faststream.rabbit import RabbitExchange

from contracts.topology import REPLIES_ROUTING_KEY, Topology
from infra.messaging.codec import Outgoing
from infra.messaging.signing import MessageSigner
from tests.support.signing import service_signer


@dataclass
class Observed:
    messages: list[AbstractIncomingMessage] = field(default_factory=list)
    arrived: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def add(self, message: AbstractIncomingMessage) -> None:
        async with self.arrived:
            self.messages.append(message)
            self.arrived.notify_all()

    async def wait_for(self, count: int, timeout: float = 15.0) -> list[AbstractIncomingMessage]:
        async with asyncio.timeout(timeout), self.arrived:
            await self.arrived.wait_for(lambda: len(self.messages) >= count)
        return list(self.messages)


@asynccontextmanager
async def watch(
    amqp_url: str, exchange: RabbitExchange, binding_key: str, label: str
) -> AsyncIterator[Observed]:
    """Copy every message `exchange` routes by `binding_key` to a private queue meanwhile."""
    connection = await aio_pika.connect_robust(amqp_url)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_exchange(
            exchange.name, aio_pika.ExchangeType(exchange.type.value), durable=True
        )
        queue = await channel.declare_queue(
            f"{exchange.name}.{label}.{uuid.uuid4().hex[:6]}", exclusive=True
        )
        await queue.bind(declared, binding_key)
        observed = Observed()

        async def collect(message: AbstractIncomingMessage) -> None:
            await message.ack()
            await observed.add(message)

        await queue.consume(collect)
        yield observed


def watch_replies(amqp_url: str, topology: Topology) -> AbstractAsyncContextManager[Observed]:
    """Every reply on `booking.replies` while the block runs."""
    return watch(amqp_url, topology.replies, REPLIES_ROUTING_KEY, "reply-observer")


def watch_events(amqp_url: str, topology: Topology) -> AbstractAsyncContextManager[Observed]:
    """Every event on `booking.events` (progress and public) while the block runs."""
    return watch(amqp_url, topology.events, "#", "event-observer")


def amqp_message(outgoing: Outgoing, signer: MessageSigner | None = None) -> aio_pika.Message:
    """The persistent AMQP message a sender publishes, its envelope in the properties; signed
    with `signer` if one is given (else as a stranger to the platform sends it: unsigned)."""
    signature = signer.sign(outgoing.envelope, outgoing.body) if signer else None
    properties = outgoing.amqp_properties(signature)
    properties["type"] = properties.pop("message_type")
    return aio_pika.Message(
        outgoing.body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT, **properties
    )


def signed_message(outgoing: Outgoing) -> aio_pika.Message:
    """The message as one of the platform's services sends it: signed with the run's key."""
    return amqp_message(outgoing, service_signer())


async def publish_raw(
    connection: AbstractRobustConnection,
    exchange_name: str,
    routing_key: str,
    body: bytes,
    **properties: object,
) -> None:
    channel = await connection.channel(publisher_confirms=True)
    exchange = await channel.get_exchange(exchange_name, ensure=True)
    await exchange.publish(
        aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT, **properties),  # type: ignore[arg-type]
        routing_key=routing_key,
        mandatory=True,
    )
    await channel.close()


async def publish_message(
    connection: AbstractRobustConnection,
    exchange_name: str,
    routing_key: str,
    message: aio_pika.Message,
) -> None:
    channel = await connection.channel(publisher_confirms=True)
    exchange = await channel.get_exchange(exchange_name, ensure=True)
    await exchange.publish(message, routing_key=routing_key, mandatory=True)
    await channel.close()


async def publish_outgoing(
    connection: AbstractRobustConnection, exchange_name: str, routing_key: str, outgoing: Outgoing
) -> None:
    """Publish a built message as one of the platform's services would: signed."""
    await publish_message(connection, exchange_name, routing_key, signed_message(outgoing))


async def send_command(
    connection: AbstractRobustConnection, topology: Topology, service: str, outgoing: Outgoing
) -> None:
    """Publish a built command exactly as a sender would."""
    await publish_outgoing(connection, topology.commands.name, service, outgoing)


async def request_reply(
    amqp_url: str, topology: Topology, service: str, outgoing: Outgoing
) -> AbstractIncomingMessage:
    """Send one command and wait for its reply on `booking.replies`."""
    connection = await aio_pika.connect_robust(amqp_url)
    async with connection, watch_replies(amqp_url, topology) as replies:
        await send_command(connection, topology, service, outgoing)
        (reply,) = await replies.wait_for(1, timeout=30)
    return reply


async def drain_queue(
    connection: AbstractRobustConnection, queue_name: str, expected: int, timeout: float = 15.0
) -> list[AbstractIncomingMessage]:
    """Take `expected` messages off a queue (acking them), waiting up to `timeout`."""
    channel = await connection.channel()
    queue = await channel.get_queue(queue_name, ensure=True)
    taken: list[AbstractIncomingMessage] = []
    async with asyncio.timeout(timeout):
        while len(taken) < expected:
            message = await queue.get(no_ack=False, fail=False)
            if message is None:
                await asyncio.sleep(0.05)
                continue
            await message.ack()
            taken.append(message)
    return taken
