"""Taking requests and replies off the orchestrator's queues into the saga service.

A delivery is acked only once its transition is committed (and its messages handed to the
broker). A message that can never apply (invalid, not meant for this queue, for a saga the
store never had) goes to the queue's dead-letter queue with the reason; nothing is dropped.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import structlog
from faststream.middlewares import AckPolicy
from faststream.rabbit import RabbitBroker, RabbitMessage, RabbitQueue

from contracts.base import Message
from infra.messaging.codec import Decoded, InvalidMessage, decode
from infra.messaging.errors import SQL_TRANSIENT
from infra.messaging.publisher import Publisher
from infra.messaging.retry import Backoff
from infra.metrics import HANDLING_SECONDS, MESSAGES_HANDLED
from orchestrator.service_layer.sagas import SagaService, UnknownSaga

log = structlog.get_logger(__name__)


@dataclass
class SagaConsumer:
    queue_name: str
    accepts: tuple[type[Message], ...]
    sagas: SagaService
    publisher: Publisher
    transient_backoff: Backoff = field(default_factory=Backoff)

    async def __call__(self, message: RabbitMessage) -> None:
        raw = message.raw_message
        started = time.perf_counter()
        try:
            decoded = self._decode(message)
        except InvalidMessage as exc:
            await self._dead_letter(message, exc.reason, raw.type or "unknown")
            return
        with structlog.contextvars.bound_contextvars(
            saga_id=decoded.envelope.saga_id, message_id=decoded.envelope.message_id
        ):
            await self._apply(message, decoded)
        HANDLING_SECONDS.labels(self.queue_name, decoded.envelope.message_type).observe(
            time.perf_counter() - started
        )

    def _decode(self, message: RabbitMessage) -> Decoded:
        decoded = decode(message.raw_message)
        if not isinstance(decoded.message, self.accepts):
            raise InvalidMessage(f"{self.queue_name} does not take {decoded.envelope.message_type}")
        return decoded

    async def _apply(self, message: RabbitMessage, decoded: Decoded) -> None:
        message_type = decoded.envelope.message_type
        try:
            await self.transient_backoff.run(lambda: self.sagas.receive(decoded), SQL_TRANSIENT)
        except UnknownSaga as exc:
            await self._dead_letter(message, str(exc), message_type)
            return
        except Exception as exc:  # a bug or a lost race: let the broker redeliver and count
            log.warning("message failed, requeued", error=f"{type(exc).__name__}: {exc}")
            MESSAGES_HANDLED.labels(self.queue_name, message_type, "requeued").inc()
            await asyncio.sleep(0.5)
            await message.nack(requeue=True)
            return
        await message.ack()
        MESSAGES_HANDLED.labels(self.queue_name, message_type, "applied").inc()

    async def _dead_letter(self, message: RabbitMessage, reason: str, message_type: str) -> None:
        await self.transient_backoff.run(
            lambda: self.publisher.dead_letter(message.raw_message, self.queue_name, reason),
            SQL_TRANSIENT,
        )
        await message.ack()
        MESSAGES_HANDLED.labels(self.queue_name, message_type, "dead_lettered").inc()
        log.warning("message dead-lettered", reason=reason)


def subscribe(broker: RabbitBroker, queue: RabbitQueue, consumer: SagaConsumer) -> None:
    async def on_message(message: RabbitMessage) -> None:
        await consumer(message)

    broker.subscriber(queue, ack_policy=AckPolicy.MANUAL, no_reply=True)(on_message)
