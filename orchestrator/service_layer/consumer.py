"""Taking requests and replies off the orchestrator's queues into the saga service.

The delivery protocol (validation, dead letters with a reason, ack after commit, retry of
outages) is the shared `QueueConsumer`'s; a message for a saga the store never had can never
apply, so it is dead-lettered with that reason too. Nothing is dropped.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import structlog

from contracts.base import Message
from contracts.booking import StartBooking, StartChange
from infra.messaging.codec import Decoded, InvalidMessage
from infra.messaging.consumer import QueueConsumer, known_type, traced_batch
from infra.messaging.delivery import Delivery
from infra.metrics import HANDLING_SECONDS, MESSAGES_HANDLED
from infra.tracing import BatchSpans
from orchestrator.adapters.saga_store import VersionConflict
from orchestrator.service_layer.sagas import SagaService, UnknownSaga

log = structlog.get_logger(__name__)


@dataclass(kw_only=True)
class SagaConsumer(QueueConsumer):
    accepted: tuple[type[Message], ...]
    sagas: SagaService

    def accepts(self, message: Message) -> bool:
        return isinstance(message, self.accepted)

    async def apply(self, decoded: Decoded) -> str:
        try:
            await self.retrying(lambda: self.sagas.receive(decoded))
        except UnknownSaga as exc:
            raise InvalidMessage(str(exc)) from exc
        return "applied"

    async def handle_batch(self, messages: Sequence[Delivery]) -> None:
        """The batched pipeline: the batch's replies and cancellations, whatever their sagas,
        in one transaction of the saga store, their outbox published together, each delivery
        acked after; the batch's new bookings likewise, in another. A repeated start, and a
        message whose transition failed, go one by one."""
        if len(messages) == 1:
            await super().handle_batch(messages)
            return
        started = time.perf_counter()
        alone: list[tuple[Delivery, Decoded]] = []
        together: list[tuple[Delivery, Decoded]] = []
        for message in messages:
            try:
                decoded = self._decode(message.raw_message)
            except InvalidMessage as exc:
                await self._dead_letter(message, exc.reason, known_type(message.raw_message.type))
                continue
            starts = isinstance(decoded.message, StartBooking | StartChange)
            (alone if starts else together).append((message, decoded))
        with traced_batch(self.queue_name, alone, together) as spans:
            await self._handle_sorted(alone, together, spans)
        share = (time.perf_counter() - started) / len(messages)
        for message in messages:
            HANDLING_SECONDS.labels(self.queue_name, known_type(message.raw_message.type)).observe(
                share
            )

    async def _handle_sorted(
        self,
        alone: list[tuple[Delivery, Decoded]],
        together: list[tuple[Delivery, Decoded]],
        spans: BatchSpans,
    ) -> None:
        bookings = [(m, d) for m, d in alone if isinstance(d.message, StartBooking)]
        if len(bookings) > 1:
            alone = await self._start_together(bookings) + [
                (m, d) for m, d in alone if not isinstance(d.message, StartBooking)
            ]
        for message, decoded in alone:
            with spans.of(decoded.envelope.message_id):
                await self._handle(message, decoded)
        if len(together) > 1:
            together = await self._apply_together(together)
        for message, decoded in together:
            with spans.of(decoded.envelope.message_id):
                await self._handle(message, decoded)

    async def _start_together(
        self, batch: list[tuple[Delivery, Decoded]]
    ) -> list[tuple[Delivery, Decoded]]:
        """Start the batch's bookings in one transaction; what is left to handle one by one."""
        try:
            started = await self.retrying(
                lambda: self.sagas.start_batch([decoded for _, decoded in batch])
            )
        except Exception as exc:
            log.warning("batch failed, handling its messages one by one", error=type(exc).__name__)
            return batch
        if started is None:  # a repeat among them: one by one finds it
            return batch
        for message, decoded in batch:
            await message.ack()
            MESSAGES_HANDLED.labels(self.queue_name, decoded.envelope.message_type, "applied").inc()
        return []

    async def _apply_together(
        self, batch: list[tuple[Delivery, Decoded]]
    ) -> list[tuple[Delivery, Decoded]]:
        """Apply the batch in one transaction; what is left to handle one by one."""
        try:
            results = await self.retrying(
                lambda: self.sagas.receive_batch([decoded for _, decoded in batch])
            )
        except VersionConflict:  # another replica moved one of the sagas: one by one
            return batch
        except Exception as exc:
            log.warning("batch failed, handling its messages one by one", error=type(exc).__name__)
            return batch
        left = []
        for (message, decoded), result in zip(batch, results, strict=True):
            message_type = decoded.envelope.message_type
            if isinstance(result, UnknownSaga):
                await self._dead_letter(message, str(result), message_type)
            elif isinstance(result, Exception):
                left.append((message, decoded))
            else:
                await message.ack()
                MESSAGES_HANDLED.labels(self.queue_name, message_type, "applied").inc()
        return left
