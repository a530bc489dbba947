"""One delivery from RabbitMQ, as our consumers see it: the AMQP message and how to settle it.

The services consume with aio-pika directly (`infra/runtime.py`), not through a FastStream
subscriber: FastStream's per-message machinery (its decoder, middlewares and dependency
injection, which ran the message's context lookup in a worker thread) cost more than our
own handling of a delivery, about a tenth of each consumer's CPU under load in py-spy.
FastStream still owns the connection and every publish.

A delivery handled in a batch (`in_batch`) is not acked on its own: `ack()` marks it, and
`settle_batch` acks the whole batch with one `basic.ack` (multiple) once the batch is done.
A nack or a reject goes out at once, as it did.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import structlog
from aio_pika.abc import AbstractIncomingMessage
from opentelemetry.context import Context

from infra.tracing import current_context

log = structlog.get_logger(__name__)


@dataclass(eq=False)
class Delivery:
    raw_message: AbstractIncomingMessage
    # When tracing, the context it arrived in (aio-pika's receive span), taken as the delivery
    # callback wraps it, for its consumer to handle it under; None when not.
    trace_context: Context | None = field(default_factory=current_context)
    in_batch: bool = field(default=False, init=False)
    ack_later: bool = field(default=False, init=False)
    settled: bool = field(default=False, init=False)

    async def ack(self) -> None:
        if self.in_batch:
            self.ack_later = self.settled = True
            return
        await self.raw_message.ack()
        self.settled = True

    async def nack(self, requeue: bool = True) -> None:
        await self.raw_message.nack(requeue=requeue)
        self.settled = True

    async def reject(self, requeue: bool = False) -> None:
        await self.raw_message.reject(requeue=requeue)
        self.settled = True


async def settle_batch(batch: Sequence[Delivery]) -> None:
    """Settle a handled batch: whatever its consumer left unsettled (a batch that failed
    half-way) goes back to the queue, then one ack per channel covers every delivery acked.

    An ack with `multiple` settles every delivery of the channel up to its tag. That is right
    here because each subscription consumes on a channel of its own (`infra.runtime`) and
    every batch is settled whole before the next: all that is older on the channel is already
    settled, and what is newer is not covered. A delivery of a channel closed meanwhile (a
    reconnection) cannot be acked; the broker delivers it again and the inbox answers it."""
    for delivery in batch:
        if not delivery.settled:
            with contextlib.suppress(Exception):
                await delivery.nack(requeue=True)
    newest: dict[int, Delivery] = {}
    for delivery in batch:
        if not delivery.ack_later:
            continue
        try:
            channel = delivery.raw_message.channel
        except Exception:  # its channel is gone: delivered again after the reconnection
            continue
        kept = newest.get(id(channel))
        if kept is None or _tag(delivery) > _tag(kept):
            newest[id(channel)] = delivery
    for delivery in newest.values():
        try:
            await delivery.raw_message.ack(multiple=True)
        except Exception as exc:  # a channel closing now: the same as above
            log.warning("batch ack failed; the broker delivers it again", error=type(exc).__name__)


def _tag(delivery: Delivery) -> int:
    return delivery.raw_message.delivery_tag or 0
