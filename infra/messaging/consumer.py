"""The idempotent command consumer every participant service runs.

For each delivery: decode and validate (else dead-letter with the reason and ack); look the
message id up in the inbox (a duplicate gets the stored reply again); otherwise apply the
handler and store the reply in the same unit of work; publish the reply and wait for the
broker's confirm; only then ack. A store or broker outage is retried in place with backoff;
a message that keeps failing for another reason is dead-lettered with that reason once it
nears the queue's delivery limit (the broker's own limit is the backstop for hard crashes).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import structlog
from aio_pika.abc import AbstractIncomingMessage
from faststream.rabbit import RabbitMessage

from contracts.base import Message
from contracts.topology import DELIVERY_LIMIT
from infra.messaging.codec import Decoded, InvalidMessage, decode
from infra.messaging.inbox import Handler, Inbox
from infra.messaging.publisher import Publisher
from infra.messaging.retry import Backoff
from infra.metrics import HANDLING_SECONDS, MESSAGES_HANDLED

log = structlog.get_logger(__name__)


@dataclass
class CommandConsumer:
    queue_name: str
    inbox: Inbox
    handlers: Mapping[type[Message], Handler]
    publisher: Publisher
    transient_errors: tuple[type[BaseException], ...]
    transient_backoff: Backoff = field(default_factory=Backoff)

    async def __call__(self, message: RabbitMessage) -> None:
        raw = message.raw_message
        started = time.perf_counter()
        try:
            decoded = self._decode(raw)
        except InvalidMessage as exc:
            await self._dead_letter(message, exc.reason, raw.type or "unknown")
            return
        with structlog.contextvars.bound_contextvars(
            saga_id=decoded.envelope.saga_id,
            message_id=decoded.envelope.message_id,
            message_type=decoded.envelope.message_type,
        ):
            await self._handle(message, decoded)
        HANDLING_SECONDS.labels(self.queue_name, decoded.envelope.message_type).observe(
            time.perf_counter() - started
        )

    def _decode(self, raw: AbstractIncomingMessage) -> Decoded:
        decoded = decode(raw)
        if type(decoded.message) not in self.handlers:
            raise InvalidMessage(
                f"{self.queue_name} does not handle {decoded.envelope.message_type}"
            )
        return decoded

    async def _handle(self, message: RabbitMessage, decoded: Decoded) -> None:
        handler = self.handlers[type(decoded.message)]
        message_type = decoded.envelope.message_type
        try:
            result = await self.transient_backoff.run(
                lambda: self.inbox.process(decoded, handler), self.transient_errors
            )
            await self.transient_backoff.run(
                lambda: self.publisher.publish_reply(result.reply), self.transient_errors
            )
        except Exception as exc:  # a bug or a poison message: let the broker count it
            await self._failed(message, decoded, exc)
            return
        await message.ack()
        outcome = "duplicate" if result.duplicate else "applied"
        MESSAGES_HANDLED.labels(self.queue_name, message_type, outcome).inc()
        log.debug("command handled", outcome=outcome, reply=result.reply.envelope.message_type)

    async def _failed(self, message: RabbitMessage, decoded: Decoded, exc: Exception) -> None:
        deliveries = _delivery_count(message.raw_message) + 1
        reason = f"{type(exc).__name__}: {exc}"[:1000]
        if deliveries >= DELIVERY_LIMIT:
            log.error("command keeps failing, dead-lettering", reason=reason, deliveries=deliveries)
            await self._dead_letter(message, reason, decoded.envelope.message_type)
            return
        log.warning("command failed, requeued", reason=reason, deliveries=deliveries)
        MESSAGES_HANDLED.labels(self.queue_name, decoded.envelope.message_type, "requeued").inc()
        await asyncio.sleep(min(0.2 * 2**deliveries, 5.0))
        await message.nack(requeue=True)

    async def _dead_letter(self, message: RabbitMessage, reason: str, message_type: str) -> None:
        await self.transient_backoff.run(
            lambda: self.publisher.dead_letter(message.raw_message, self.queue_name, reason),
            self.transient_errors,
        )
        await message.ack()
        MESSAGES_HANDLED.labels(self.queue_name, message_type, "dead_lettered").inc()
        log.warning(
            "message dead-lettered",
            reason=reason,
            message_id=message.raw_message.message_id,
            saga_id=message.raw_message.correlation_id,
        )


def _delivery_count(raw: AbstractIncomingMessage) -> int:
    value = (raw.headers or {}).get("x-delivery-count", 0)
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else 0
