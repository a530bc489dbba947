"""Queue consumers: the one delivery protocol every service's consumers follow.

For each delivery: decode and validate; under broker identities, check that the broker vouches
for the sender the consumer declares (`sender`: the AMQP `user-id`, `infra.messaging.identities`);
check that one of the platform's services signed it (`x-signature`, `infra.messaging.signing`);
else dead-letter it with the reason and ack; apply it;
ack only once the effect is committed and whatever it sends is confirmed by the broker. A store
or broker outage is retried in place with backoff; a message that keeps failing for another
reason is dead-lettered with that reason once it nears the queue's delivery limit (the broker's
own limit is the backstop for hard crashes).

`CommandConsumer` is the participants' idempotent consumer: look the message id up in the inbox
(a duplicate gets the stored reply again); otherwise apply the handler and store the reply in
the same unit of work; publish the reply.
"""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, TypeVar

import structlog
from aio_pika.abc import AbstractIncomingMessage

from contracts.base import Event, Message
from contracts.envelope import SIGNATURE_HEADER
from contracts.registry import MESSAGE_TYPES
from contracts.topology import DELIVERY_LIMIT
from infra import tracing
from infra.messaging.codec import Decoded, InvalidMessage, Outgoing, decode
from infra.messaging.delivery import Delivery
from infra.messaging.identities import Sender, sender_problem
from infra.messaging.inbox import BatchInbox, Handler, Inbox, InboxResult
from infra.messaging.publisher import Publisher
from infra.messaging.retry import Backoff
from infra.metrics import HANDLING_SECONDS, MESSAGES_HANDLED
from infra.tracing import BatchSpans

T = TypeVar("T")
NOT_SIGNED = "not signed by one of the platform's services"
log = structlog.get_logger(__name__)


@dataclass(kw_only=True)
class QueueConsumer(ABC):
    queue_name: str
    publisher: Publisher
    transient_errors: tuple[type[BaseException], ...]
    transient_backoff: Backoff = field(default_factory=Backoff)
    # Whom this queue takes messages from, checked when the broker vouches for senders.
    sender: Sender = Sender.ORCHESTRATOR
    handled_log: ClassVar[str] = "message handled"

    @abstractmethod
    def accepts(self, message: Message) -> bool:
        """Whether this queue's consumer handles this kind of message at all."""

    @abstractmethod
    async def apply(self, decoded: Decoded) -> str:
        """Apply a valid message; the outcome label for metrics. Raise InvalidMessage for a
        message that can never apply (it is dead-lettered with the reason)."""

    async def __call__(self, message: Delivery) -> None:
        raw = message.raw_message
        started = time.perf_counter()
        try:
            decoded = self._decode(raw)
        except InvalidMessage as exc:
            await self._dead_letter(message, exc.reason, known_type(raw.type))
            return
        with (
            structlog.contextvars.bound_contextvars(
                saga_id=decoded.envelope.saga_id,
                message_id=decoded.envelope.message_id,
                message_type=decoded.envelope.message_type,
            ),
            tracing.processing(message.trace_context, self.queue_name, decoded.envelope),
        ):
            await self._handle(message, decoded)
        HANDLING_SECONDS.labels(self.queue_name, decoded.envelope.message_type).observe(
            time.perf_counter() - started
        )

    async def handle_batch(self, messages: Sequence[Delivery]) -> None:
        """Handle the deliveries that were ready together; by default one after the other."""
        for message in messages:
            await self(message)

    async def retrying(self, operation: Callable[[], Awaitable[T]]) -> T:
        """Run `operation`, retrying it in place while a store or the broker is unreachable."""
        return await self.transient_backoff.run(operation, self.transient_errors)

    def _decode(self, raw: AbstractIncomingMessage) -> Decoded:
        decoded = decode(raw)
        if not self.accepts(decoded.message):
            raise InvalidMessage(
                f"{self.queue_name} does not handle {decoded.envelope.message_type}"
            )
        if self.publisher.broker_user is not None:
            problem = sender_problem(
                self.publisher.topology, self.sender, decoded.message, raw.user_id
            )
            if problem is not None:
                raise InvalidMessage(problem)
        signature = (raw.headers or {}).get(SIGNATURE_HEADER)
        if signature is None:
            raise InvalidMessage(f"{NOT_SIGNED} (no {SIGNATURE_HEADER} header)")
        if not self.publisher.signer.verify(decoded.envelope, raw.body, signature):
            raise InvalidMessage(f"{NOT_SIGNED} ({SIGNATURE_HEADER} does not match)")
        return decoded

    async def _handle(self, message: Delivery, decoded: Decoded) -> None:
        message_type = decoded.envelope.message_type
        try:
            outcome = await self.apply(decoded)
        except InvalidMessage as exc:
            await self._dead_letter(message, exc.reason, message_type)
            return
        except Exception as exc:  # a bug or a poison message: let the broker count it
            await self._failed(message, decoded, exc)
            return
        await message.ack()
        MESSAGES_HANDLED.labels(self.queue_name, message_type, outcome).inc()
        log.debug(self.handled_log, outcome=outcome)

    async def _failed(self, message: Delivery, decoded: Decoded, exc: Exception) -> None:
        deliveries = _delivery_count(message.raw_message) + 1
        reason = f"{type(exc).__name__}: {exc}"[:1000]
        if deliveries >= DELIVERY_LIMIT:
            log.error("message keeps failing, dead-lettering", reason=reason, deliveries=deliveries)
            await self._dead_letter(message, reason, decoded.envelope.message_type)
            return
        log.warning("message failed, requeued", reason=reason, deliveries=deliveries)
        MESSAGES_HANDLED.labels(self.queue_name, decoded.envelope.message_type, "requeued").inc()
        await asyncio.sleep(min(0.2 * 2**deliveries, 5.0))
        await message.nack(requeue=True)

    async def _dead_letter(self, message: Delivery, reason: str, message_type: str) -> None:
        try:
            await self.retrying(
                lambda: self.publisher.dead_letter(message.raw_message, self.queue_name, reason)
            )
        except self.transient_errors:
            raise
        except Exception as exc:  # a message we cannot even copy: the broker dead-letters it
            log.error(
                "dead letter not published, rejecting to the broker's dead-letter queue",
                reason=reason,
                error=type(exc).__name__,
            )
            await message.reject(requeue=False)
            MESSAGES_HANDLED.labels(self.queue_name, message_type, "rejected").inc()
            return
        await message.ack()
        MESSAGES_HANDLED.labels(self.queue_name, message_type, "dead_lettered").inc()
        log.warning(
            "message dead-lettered",
            reason=reason,
            message_id=message.raw_message.message_id,
            saga_id=message.raw_message.correlation_id,
        )


@dataclass(kw_only=True)
class CommandConsumer(QueueConsumer):
    inbox: Inbox
    handlers: Mapping[type[Message], Handler]
    handled_log: ClassVar[str] = "command handled"

    def accepts(self, message: Message) -> bool:
        return type(message) in self.handlers

    async def apply(self, decoded: Decoded) -> str:
        handler = self.handlers[type(decoded.message)]
        result = await self.retrying(lambda: self.inbox.process(decoded, handler))
        await self.retrying(lambda: self.publisher.publish_reply(result.reply))
        return "duplicate" if result.duplicate else "applied"

    async def _publish(self, reply: Outgoing) -> None:
        await self.retrying(lambda: self.publisher.publish_reply(reply))

    async def handle_batch(self, messages: Sequence[Delivery]) -> None:
        """The batched pipeline: every valid command of the batch in one transaction of the
        inbox (`BatchInbox`), every reply published with its confirm in flight together, each
        delivery acked once its reply is confirmed. A message the batch could not apply (a bug,
        a lost race) takes the one-message path, with its dead letter or requeue."""
        inbox = self.inbox
        if len(messages) == 1 or not isinstance(inbox, BatchInbox):
            await super().handle_batch(messages)
            return
        started = time.perf_counter()
        valid: list[tuple[Delivery, Decoded]] = []
        for message in messages:
            try:
                valid.append((message, self._decode(message.raw_message)))
            except InvalidMessage as exc:
                await self._dead_letter(message, exc.reason, known_type(message.raw_message.type))
        if not valid:
            return
        with traced_batch(self.queue_name, valid) as spans:
            await self._apply_batch(inbox, valid, spans)
        share = (time.perf_counter() - started) / len(valid)
        for _, item in valid:
            HANDLING_SECONDS.labels(self.queue_name, item.envelope.message_type).observe(share)

    async def _apply_batch(
        self, inbox: BatchInbox, valid: list[tuple[Delivery, Decoded]], spans: BatchSpans
    ) -> None:
        decoded = [item for _, item in valid]
        try:
            results = await self.retrying(lambda: inbox.process_batch(decoded, self.handlers))
        except Exception as exc:  # the batch as a whole failed: each message on its own
            log.warning("batch failed, handling its messages one by one", error=type(exc).__name__)
            results = [exc] * len(valid)
        applied = [
            (message, item, result)
            for (message, item), result in zip(valid, results, strict=True)
            if isinstance(result, InboxResult)
        ]
        published = await asyncio.gather(
            *(
                spans.run(item.envelope.message_id, self._publish(result.reply))
                for _, item, result in applied
            ),
            return_exceptions=True,
        )
        for (message, item, result), sent in zip(applied, published, strict=True):
            message_type = item.envelope.message_type
            if isinstance(sent, BaseException):  # stored: a redelivery publishes it again
                await message.nack(requeue=True)
                continue
            await message.ack()
            outcome = "duplicate" if result.duplicate else "applied"
            MESSAGES_HANDLED.labels(self.queue_name, message_type, outcome).inc()
        alone = [
            (m, item)
            for (m, item), r in zip(valid, results, strict=True)
            if not isinstance(r, InboxResult)
        ]
        for message, item in alone:
            with (
                structlog.contextvars.bound_contextvars(
                    saga_id=item.envelope.saga_id, message_id=item.envelope.message_id
                ),
                spans.of(item.envelope.message_id),
            ):
                await self._handle(message, item)


EventHandler = Callable[[Event], Awaitable[str]]


@dataclass(kw_only=True)
class EventConsumer(QueueConsumer):
    """A service's consumer of events it acts on: each handler is idempotent by itself (it
    records a fact keyed by its business identity) and sends nothing, so no inbox is needed."""

    handlers: Mapping[type[Event], EventHandler]
    handled_log: ClassVar[str] = "event handled"

    def accepts(self, message: Message) -> bool:
        return type(message) in self.handlers

    async def apply(self, decoded: Decoded) -> str:
        event = decoded.message
        assert isinstance(event, Event)  # accepts() let only handled event types through
        handler = self.handlers[type(event)]
        return await self.retrying(lambda: handler(event))


def traced_batch(queue_name: str, *parts: Sequence[tuple[Delivery, Decoded]]) -> BatchSpans:
    """The spans of a batch (in parts) when tracing (`infra.tracing.BatchSpans`); nothing is
    built when not."""
    if not tracing.enabled():
        return tracing.NO_BATCH
    items = [(message.trace_context, item.envelope) for part in parts for message, item in part]
    return tracing.batch_spans(queue_name, items)


def known_type(message_type: str | None) -> str:
    """A metrics label: the message type if the platform knows it (never a sender's free text)."""
    return message_type if message_type in MESSAGE_TYPES else "unknown"


def _delivery_count(raw: AbstractIncomingMessage) -> int:
    value = (raw.headers or {}).get("x-delivery-count", 0)
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else 0
