"""One delivery from RabbitMQ, as our consumers see it: the AMQP message and how to settle it.

The services consume with aio-pika directly (`infra/runtime.py`), not through a FastStream
subscriber: FastStream's per-message machinery (its decoder, middlewares and dependency
injection, which ran the message's context lookup in a worker thread) cost more than our
own handling of a delivery, about a tenth of each consumer's CPU under load in py-spy.
FastStream still owns the connection, the channel (its prefetch and publisher confirms) and
every publish.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aio_pika.abc import AbstractIncomingMessage
from opentelemetry.context import Context

from infra.tracing import current_context


@dataclass(frozen=True)
class Delivery:
    raw_message: AbstractIncomingMessage
    # When tracing, the context it arrived in (aio-pika's receive span), taken as the delivery
    # callback wraps it, for its consumer to handle it under; None when not.
    trace_context: Context | None = field(default_factory=current_context)

    async def ack(self) -> None:
        await self.raw_message.ack()

    async def nack(self, requeue: bool = True) -> None:
        await self.raw_message.nack(requeue=requeue)

    async def reject(self, requeue: bool = False) -> None:
        await self.raw_message.reject(requeue=requeue)
