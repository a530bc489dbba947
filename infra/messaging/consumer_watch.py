"""Keeping a process's consumers consuming across reconnections to the broker.

aio-pika's robust connection declares, binds and consumes every queue again after it
reconnects, and that is what normally brings a consumer back. Upstream reports it not always
doing so (aio-pika issues 231 and 626: a queue left with no consumer after a broker restart),
and a process that has silently stopped consuming leaves every saga it serves to time out. So
it is not left to the library alone: every few seconds each consumer is checked on both ends
(our channel still holds its consumer tag, and the broker counts at least one consumer on the
queue), and one found missing for longer than a reconnection takes, counted from when the
connection is up again, is consumed again, with a warning and a metric. Until it is back, the
process's `/health` says which queue is not consumed. While the connection is down the watch
waits: bringing it back is aio-pika's job, and racing it only refuses a consumer tag in use.

(The rabbitmq-restart failure of `make chaos`, docs/chaos/rabbitmq-restart-broken, looked like
this and was not: the consumer was there, its prefetch held by deliveries a failed batch never
settled. `infra.messaging.delivery.settle_batch` is that fix; this watch is the net for the
other.)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import cast

import aiormq
import structlog
from aio_pika.abc import AbstractConnection, AbstractIncomingMessage, AbstractQueue, ConsumerTag
from prometheus_client import Counter

log = structlog.get_logger(__name__)

CHECK_EVERY_SECONDS = 5.0
# How long a consumer may be missing before it is consumed again: longer than aio-pika takes
# to reconnect and restore it (its reconnect interval is 1 s), so the two never race.
GRACE_SECONDS = 15.0
STEP_TIMEOUT_SECONDS = 5.0

CONSUMERS_RESTORED = Counter(
    "booking_consumers_restored_total",
    "Consumers found missing after a reconnection and consumed again",
    ["queue"],
)

OnDelivery = Callable[[AbstractIncomingMessage], Awaitable[None]]


@dataclass
class Consumer:
    """One queue this process consumes: enough to check it and to consume it again."""

    connection: AbstractConnection
    queue: AbstractQueue
    tag: ConsumerTag
    on_delivery: OnDelivery
    no_ack: bool
    missing_since: float | None = field(default=None)

    @property
    def reconnecting(self) -> bool:
        return self.connection.is_closed or not self.connection.connected.is_set()

    async def is_consuming(self) -> bool:
        channel = cast(aiormq.Channel, await self.queue.channel.get_underlay_channel())
        if self.tag not in channel.consumers:
            return False
        declared = await channel.queue_declare(
            self.queue.name, passive=True, timeout=STEP_TIMEOUT_SECONDS
        )
        return (declared.consumer_count or 0) > 0

    async def consume_again(self) -> None:
        channel = cast(aiormq.Channel, await self.queue.channel.get_underlay_channel())
        if self.tag in channel.consumers:  # ours on this side, unknown to the broker: over again
            await channel.basic_cancel(self.tag, timeout=STEP_TIMEOUT_SECONDS)
        await self.queue.consume(
            self.on_delivery,
            no_ack=self.no_ack,
            consumer_tag=self.tag,
            timeout=STEP_TIMEOUT_SECONDS,
        )


@dataclass
class ConsumerWatch:
    check_every: float = CHECK_EVERY_SECONDS
    grace: float = GRACE_SECONDS
    consumers: list[Consumer] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None

    def add(self, consumer: Consumer) -> None:
        self.consumers.append(consumer)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="consumer-watch")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    def lost(self) -> list[str]:
        """The queues not consumed for longer than the grace period."""
        now = time.monotonic()
        return [
            consumer.queue.name
            for consumer in self.consumers
            if consumer.missing_since is not None and now - consumer.missing_since > self.grace
        ]

    async def check_once(self) -> None:
        for consumer in self.consumers:
            await self._check(consumer)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.check_every)
            await self.check_once()

    async def _check(self, consumer: Consumer) -> None:
        if consumer.reconnecting:  # aio-pika's to restore; the grace starts once connected
            consumer.missing_since = None
            return
        try:
            consuming = await asyncio.wait_for(consumer.is_consuming(), STEP_TIMEOUT_SECONDS)
        except Exception:  # a channel not restored, a broker not answering: not consuming
            consuming = False
        now = time.monotonic()
        if consuming:
            consumer.missing_since = None
            return
        if consumer.missing_since is None:
            consumer.missing_since = now
            return
        if now - consumer.missing_since <= self.grace:
            return
        try:
            await asyncio.wait_for(consumer.consume_again(), STEP_TIMEOUT_SECONDS)
        except Exception as exc:
            log.warning(
                "queue not consumed, consuming it again failed; trying again",
                queue=consumer.queue.name,
                error=type(exc).__name__,
            )
            return
        log.warning(
            "queue was not consumed after a reconnection; consuming it again",
            queue=consumer.queue.name,
            missing_seconds=round(now - consumer.missing_since, 1),
        )
        CONSUMERS_RESTORED.labels(consumer.queue.name).inc()
        consumer.missing_since = None
