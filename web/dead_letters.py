"""The operators' view of the dead-letter queues: depth, the head message, requeue, discard.

A dead-letter queue `<queue>.dlq` holds what `<queue>` could not process. Requeue sends the
message back through the exchange and routing key that feed `<queue>`, with its properties but
without the dead-letter headers, so its consumer sees it as new work (consumers are idempotent).

Under broker identities the requeued copy carries the `user-id` the message first had, so its
consumer's sender check (`infra.messaging.identities`) sees who really sent it: RabbitMQ lets web
publish with another user's `user-id` because web's user is an `impersonator` (and only web's;
`infra.messaging.permissions`). A message the broker dead-lettered keeps that `user-id`; one a
consumer dead-lettered is a copy that consumer published, and the original's `user-id` is in
`x-dead-letter-original-user`, believed only when the broker vouches that the copy came from the
queue's own consumer. So a requeue can restore a sender, never invent one: anything else keeps
the `user-id` of whoever published the copy, and is refused again if that is not the sender.
"""

from __future__ import annotations

import asyncio
import base64
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractRobustConnection

from contracts.envelope import (
    DEAD_LETTER_ORIGINAL_USER_HEADER,
    DEAD_LETTER_QUEUE_HEADER,
    DEAD_LETTER_REASON_HEADER,
)
from contracts.topology import Topology

# Headers the broker or our consumers add when dead-lettering; they mean nothing once requeued.
DEAD_LETTER_HEADERS = frozenset(
    {
        DEAD_LETTER_REASON_HEADER,
        DEAD_LETTER_QUEUE_HEADER,
        DEAD_LETTER_ORIGINAL_USER_HEADER,
        "x-death",
        "x-delivery-count",
        "x-first-death-exchange",
        "x-first-death-queue",
        "x-first-death-reason",
        "x-last-death-exchange",
        "x-last-death-queue",
        "x-last-death-reason",
    }
)
BODY_PREVIEW_BYTES = 2000


class UnknownDeadLetterQueue(LookupError):
    """The name is not one of the topology's dead-letter queues."""


@dataclass(frozen=True)
class Route:
    exchange: str
    routing_key: str
    # The broker user of the queue's consumer, which dead-letters what it refuses.
    consumer_user: str


@dataclass(frozen=True)
class PeekedMessage:
    message_id: str | None
    message_type: str | None
    saga_id: str | None
    reason: str | None
    deliveries: int
    timestamp: str | None
    body_preview: str

    @classmethod
    def of(cls, message: AbstractIncomingMessage) -> PeekedMessage:
        headers = message.headers or {}
        return cls(
            message_id=message.message_id,
            message_type=message.type,
            saga_id=message.correlation_id,
            reason=_reason(headers),
            deliveries=int(str(headers.get("x-delivery-count", 0) or 0)),
            timestamp=_iso(message.timestamp),
            body_preview=_preview(message.body),
        )


@dataclass(frozen=True)
class DeadLetterQueue:
    name: str
    source_queue: str
    depth: int
    head: PeekedMessage | None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


class DeadLetters:
    """One aio-pika connection of its own, opened in the lifespan, for operator actions."""

    def __init__(self, amqp_url: str, topology: Topology) -> None:
        self._amqp_url = amqp_url
        self._routes = _routes(topology)
        self._connection: AbstractRobustConnection | None = None
        self._lock = asyncio.Lock()  # one operator action at a time: get, move, ack in order

    async def open(self) -> None:
        self._connection = await aio_pika.connect_robust(self._amqp_url)

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()

    def queue_names(self) -> list[str]:
        return list(self._routes)

    async def overview(self, peek: bool = True) -> list[DeadLetterQueue]:
        return [await self.inspect(name, peek) for name in self._routes]

    async def inspect(self, name: str, peek: bool = True) -> DeadLetterQueue:
        self._route_of(name)
        async with self._lock, self._channel() as channel:
            queue = await channel.declare_queue(name, passive=True)
            depth = queue.declaration_result.message_count or 0
            head = None
            if peek and depth:
                message = await queue.get(no_ack=False, fail=False)
                if message is not None:
                    head = PeekedMessage.of(message)
                    await message.nack(requeue=True)
        return DeadLetterQueue(name, name.removesuffix(".dlq"), depth, head)

    async def requeue(self, name: str, message_id: str | None = None) -> PeekedMessage | None:
        """Move one message back to its original queue; None when there was none to move."""
        route = self._route_of(name)
        async with self._lock, self._channel(confirms=True) as channel:
            message = await _take(channel, name, message_id)
            if message is None:
                return None
            exchange = await channel.get_exchange(route.exchange, ensure=False)
            requeued = _cleaned(message, route.consumer_user)
            await exchange.publish(requeued, route.routing_key, mandatory=True)
            await message.ack()  # only once the broker confirmed the copy
            return PeekedMessage.of(message)

    async def discard(self, name: str, message_id: str | None = None) -> PeekedMessage | None:
        self._route_of(name)
        async with self._lock, self._channel() as channel:
            message = await _take(channel, name, message_id)
            if message is None:
                return None
            await message.ack()
            return PeekedMessage.of(message)

    def _route_of(self, name: str) -> Route:
        route = self._routes.get(name)
        if route is None:
            raise UnknownDeadLetterQueue(name)
        return route

    def _channel(self, confirms: bool = False) -> _OpenChannel:
        if self._connection is None:
            raise ConnectionError("the dead-letter helper is not connected")
        return _OpenChannel(self._connection, confirms)


class _OpenChannel:
    def __init__(self, connection: AbstractRobustConnection, confirms: bool) -> None:
        self._connection = connection
        self._confirms = confirms
        self._channel: AbstractChannel | None = None

    async def __aenter__(self) -> AbstractChannel:
        self._channel = await self._connection.channel(publisher_confirms=self._confirms)
        return self._channel

    async def __aexit__(self, *exc: object) -> None:
        if self._channel is not None and not self._channel.is_closed:
            await self._channel.close()


async def _take(
    channel: AbstractChannel, name: str, message_id: str | None
) -> AbstractIncomingMessage | None:
    """The head message, or the one with `message_id` (what the operator saw), unacked."""
    queue = await channel.declare_queue(name, passive=True)
    depth = queue.declaration_result.message_count or 0
    for _ in range(max(depth, 1)):
        message = await queue.get(no_ack=False, fail=False)
        if message is None:
            return None
        if message_id is None or message.message_id == message_id:
            return message
        await message.nack(requeue=True)
    return None


def _routes(topology: Topology) -> dict[str, Route]:
    routes: dict[str, Route] = {}
    for queue in topology.work_queues():
        routes[f"{queue.name}.dlq"] = Route(
            topology.source(queue).name,
            queue.routing(),
            topology.broker_user(topology.consumer(queue)),
        )
    return routes


def requeued_user_id(user_id: str | None, original_user: object, consumer_user: str) -> str | None:
    """The `user-id` a requeued dead letter carries: the one its original had (see above)."""
    if user_id == consumer_user and isinstance(original_user, str | bytes) and original_user:
        return _text(original_user)
    return user_id


def _cleaned(message: AbstractIncomingMessage, consumer_user: str) -> aio_pika.Message:
    original = message.headers or {}
    headers = {k: v for k, v in original.items() if k not in DEAD_LETTER_HEADERS}
    return aio_pika.Message(
        message.body,
        headers=headers,
        content_type=message.content_type,
        content_encoding=message.content_encoding,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        priority=message.priority,
        correlation_id=message.correlation_id,
        reply_to=message.reply_to,
        message_id=message.message_id,
        timestamp=message.timestamp,
        type=message.type,
        user_id=requeued_user_id(
            message.user_id, original.get(DEAD_LETTER_ORIGINAL_USER_HEADER), consumer_user
        ),
        app_id=message.app_id,
    )


def _reason(headers: dict[str, Any]) -> str | None:
    reason = headers.get(DEAD_LETTER_REASON_HEADER)
    if reason is not None:
        return _text(reason)
    deaths = headers.get("x-death")
    if isinstance(deaths, list) and deaths and isinstance(deaths[0], dict):
        return f"broker dead-lettered it ({_text(deaths[0].get('reason', 'unknown'))})"
    return None


def _text(value: Any) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def _preview(body: bytes) -> str:
    try:
        return body[:BODY_PREVIEW_BYTES].decode()
    except UnicodeDecodeError:
        return "base64:" + base64.b64encode(body[:BODY_PREVIEW_BYTES]).decode()
