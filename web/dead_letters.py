"""The operators' dead letters: every one listed (paged), requeued or discarded, and looking at
them changes nothing.

A dead-letter queue `<queue>.dlq` holds what `<queue>` could not process. The queues are
quorum queues, which count every delivery in `x-delivery-count`: peeking by getting a message
and putting it back bumped that count on each refresh and showed only the head. So each dead
letter is instead taken off its queue once (basic.get), kept in the accounts store with its
body, properties and headers (`web.dead_letter_store`), and acked only once the store has
committed it: nothing is lost if the process dies in between (the message stays in the queue,
and its copy is recognised). Operators then page through the store as often as they like. A
sweep runs before each read and action, so what the panel shows includes everything the queue
held when it was asked. (A RabbitMQ stream read by offset was the other way to look without
taking; but a stream cannot drop one message, so discard would need a store anyway, and
changing the queues' type would break every broker already declared with quorum queues.)

Requeue sends the kept message back through the exchange and routing key that feed `<queue>`,
with its properties but without the dead-letter headers, so its consumer sees it as new work
(consumers are idempotent); the row stays, marked requeued, with who did it and when.

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
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractRobustConnection
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.envelope import (
    DEAD_LETTER_ORIGINAL_USER_HEADER,
    DEAD_LETTER_QUEUE_HEADER,
    DEAD_LETTER_REASON_HEADER,
)
from contracts.topology import Topology
from web.dead_letter_store import DISCARDED, REQUEUED, DeadLetterStore, Kept, Letter

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
# At most this many dead letters are moved into the store per queue and read; the rest the
# next read moves (the panel says how many are still in the queue).
SWEEP_BATCH = 500
PROPERTY_NAMES = (
    "message_id",
    "type",
    "correlation_id",
    "timestamp",
    "content_type",
    "content_encoding",
    "priority",
    "reply_to",
    "user_id",
    "app_id",
)


class UnknownDeadLetterQueue(LookupError):
    """The name is not one of the topology's dead-letter queues."""


@dataclass(frozen=True)
class Route:
    exchange: str
    routing_key: str
    # The broker user of the queue's consumer, which dead-letters what it refuses.
    consumer_user: str


@dataclass(frozen=True)
class DeadLetterQueue:
    name: str
    source_queue: str
    depth: int  # every dead letter waiting for an operator: kept, and still in the queue
    in_queue: int  # of which not yet moved into the store
    head: dict[str, Any] | None  # the oldest kept one

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class DeadLetterPage:
    queue: DeadLetterQueue
    items: list[dict[str, Any]]
    limit: int
    offset: int

    def as_json(self) -> dict[str, Any]:
        return self.queue.as_json() | {
            "items": self.items,
            "total": self.queue.depth - self.queue.in_queue,
            "limit": self.limit,
            "offset": self.offset,
        }


def letter_of(message: AbstractIncomingMessage) -> Letter:
    headers = dict(message.headers or {})
    properties = {name: getattr(message, name) for name in PROPERTY_NAMES}
    return Letter(
        body=message.body,
        headers=headers,
        properties={name: value for name, value in properties.items() if value is not None},
        reason=_reason(headers),
        deliveries=_int(headers.get("x-delivery-count")),
    )


class DeadLetters:
    """One aio-pika connection of its own, opened in the lifespan, for operator actions."""

    def __init__(self, amqp_url: str, topology: Topology, engine: AsyncEngine) -> None:
        self._amqp_url = amqp_url
        self._routes = _routes(topology)
        self._store = DeadLetterStore(engine)
        self._connection: AbstractRobustConnection | None = None
        self._lock = asyncio.Lock()  # one sweep or operator action at a time in this process

    async def open(self) -> None:
        self._connection = await aio_pika.connect_robust(self._amqp_url)

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()

    def queue_names(self) -> list[str]:
        return list(self._routes)

    async def overview(self, peek: bool = True) -> list[DeadLetterQueue]:
        async with self._lock:
            left = {name: await self._sweep(name) for name in self._routes}
        counts = await self._store.counts()
        queues = []
        for name in self._routes:
            head = None
            if peek and counts.get(name):
                oldest, _ = await self._store.page(name, limit=1, offset=0)
                head = oldest[0] if oldest else None
            queues.append(_queue(name, counts.get(name, 0), left[name], head))
        return queues

    async def page(self, name: str, limit: int, offset: int) -> DeadLetterPage:
        """Every dead letter of one queue, oldest first, a page at a time."""
        self._route_of(name)
        async with self._lock:
            left = await self._sweep(name)
        items, total = await self._store.page(name, limit, offset)
        return DeadLetterPage(_queue(name, total, left, None), items, limit, offset)

    async def requeue(
        self,
        name: str,
        message_id: str | None = None,
        letter_id: int | None = None,
        operator: str = "operator",
    ) -> dict[str, Any] | None:
        """Send one dead letter back to its queue; None when there was none to send."""
        route = self._route_of(name)
        async with self._lock:
            await self._sweep(name)
            kept = await self._store.waiting(name, letter_id, message_id)
            if kept is None:
                return None
            async with self._channel(confirms=True) as channel:
                exchange = await channel.get_exchange(route.exchange, ensure=False)
                await exchange.publish(_cleaned(kept, route), route.routing_key, mandatory=True)
            # Only once the broker confirmed the copy; were this lost, a second requeue would
            # send a second copy, which the consumer's inbox answers as a duplicate.
            await self._store.handle(kept.letter_id, REQUEUED, operator)
        return kept.summary

    async def discard(
        self,
        name: str,
        message_id: str | None = None,
        letter_id: int | None = None,
        operator: str = "operator",
    ) -> dict[str, Any] | None:
        self._route_of(name)
        async with self._lock:
            await self._sweep(name)
            kept = await self._store.waiting(name, letter_id, message_id)
            if kept is None or not await self._store.handle(kept.letter_id, DISCARDED, operator):
                return None
        return kept.summary

    async def _sweep(self, name: str) -> int:
        """Move what `name` holds into the store, each acked once kept; how many are left."""
        async with self._channel() as channel:
            queue = await channel.declare_queue(name, passive=True)
            for _ in range(SWEEP_BATCH):
                message = await queue.get(no_ack=False, fail=False)
                if message is None:
                    return 0
                # Not acked if keeping fails: the channel closes and the broker keeps it.
                await self._store.keep(name, letter_of(message), message.redelivered or False)
                await message.ack()
            declared = await channel.declare_queue(name, passive=True)
            return declared.declaration_result.message_count or 0

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


def _queue(name: str, kept: int, left: int, head: dict[str, Any] | None) -> DeadLetterQueue:
    return DeadLetterQueue(name, name.removesuffix(".dlq"), kept + left, left, head)


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
    believed = isinstance(original_user, str | bytes | bytearray) and bool(original_user)
    return _text(original_user) if user_id == consumer_user and believed else user_id


def _cleaned(kept: Kept, route: Route) -> aio_pika.Message:
    original = kept.letter.headers
    properties = kept.letter.properties
    headers = {k: v for k, v in original.items() if k not in DEAD_LETTER_HEADERS}
    timestamp = properties.get("timestamp")
    return aio_pika.Message(
        kept.letter.body,
        headers=headers,
        content_type=properties.get("content_type"),
        content_encoding=properties.get("content_encoding"),
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        priority=properties.get("priority"),
        correlation_id=properties.get("correlation_id"),
        reply_to=properties.get("reply_to"),
        message_id=properties.get("message_id"),
        timestamp=timestamp if isinstance(timestamp, datetime) else None,
        type=properties.get("type"),
        user_id=requeued_user_id(
            properties.get("user_id"),
            original.get(DEAD_LETTER_ORIGINAL_USER_HEADER),
            route.consumer_user,
        ),
        app_id=properties.get("app_id"),
    )


def _reason(headers: dict[str, Any]) -> str | None:
    reason = headers.get(DEAD_LETTER_REASON_HEADER)
    if reason is not None:
        return _text(reason)
    deaths = headers.get("x-death")
    if isinstance(deaths, list) and deaths and isinstance(deaths[0], dict):
        return f"broker dead-lettered it ({_text(deaths[0].get('reason', 'unknown'))})"
    return None


def _int(value: Any) -> int:
    try:
        return int(str(value or 0))
    except ValueError:
        return 0


def _text(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode(errors="replace")
    return str(value)
