"""The imperative shell: load a saga, transition it, store the result, then publish."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import structlog

from contracts.base import Reply
from contracts.booking import CancelBooking, StartBooking, StartChange
from contracts.envelope import utc_now
from contracts.orchestrator import ToBooking
from infra import tracing
from infra.messaging.codec import Decoded
from infra.messaging.publisher import Publisher
from orchestrator import metrics
from orchestrator.adapters.rows import progress_rows
from orchestrator.adapters.saga_store import OutboxRow, SagaStore, VersionConflict
from orchestrator.domain.definition import DefinitionRegistry
from orchestrator.domain.engine import new_booking, new_change, transition
from orchestrator.domain.messages import (
    Asked,
    CancelRequested,
    DeadlinePassed,
    Decision,
    Incoming,
    ReplyReceived,
    Started,
)
from orchestrator.domain.model import Saga
from orchestrator.service_layer.outbox import publish_progress, publish_rows

log = structlog.get_logger(__name__)
MAX_CONFLICTS = 20


class ConcurrentUpdates(RuntimeError):
    """A saga kept changing under us; the message is redelivered and tried again."""


class UnknownSaga(LookupError):
    pass


class SagaService:
    def __init__(
        self,
        store: SagaStore,
        registry: DefinitionRegistry,
        publisher: Publisher,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._store = store
        self._registry = registry
        self._publisher = publisher
        self._clock = clock
        # Confirmed sends waiting to be marked in the outbox, in one statement per flush.
        self._sent_unmarked: set[str] = set()

    async def receive_batch(self, batch: Sequence[Decoded]) -> list[Saga | Exception]:
        """Replies and cancellations, of any sagas, in one transaction of the store (starts go
        one by one: `receive`). Per message: the saga as it left it, UnknownSaga, or the
        exception its transition raised. Raises VersionConflict (nothing written) when another
        writer changed one of the sagas meanwhile: the caller then applies them one by one."""
        now = self._clock()
        items = []
        for decoded in batch:
            saga_id, incoming = self._incoming(decoded)

            def decide(saga: Saga, incoming: Incoming = incoming) -> Decision:
                return transition(saga, incoming, now, self._registry)

            items.append((saga_id, decide, decoded.envelope.message_id))
        results = await self._store.apply_batch(items, now)
        rows: list[OutboxRow] = []
        decisions: list[Decision] = []
        outcome: list[Saga | Exception] = []
        for (saga_id, _, _), result in zip(items, results, strict=True):
            if result is None:
                outcome.append(UnknownSaga(f"no saga {saga_id!r} in the saga store"))
            elif isinstance(result, Exception):
                outcome.append(result)
            else:
                metrics.observe(result.before, result.decision)
                rows += result.rows
                decisions.append(result.decision)
                outcome.append(result.decision.saga)
        await self._publish(rows, decisions)
        return outcome

    def _incoming(self, decoded: Decoded) -> tuple[str, Incoming]:
        message, envelope = decoded.message, decoded.envelope
        if isinstance(message, CancelBooking):
            return message.booking_saga_id, CancelRequested(envelope.message_id, message)
        if isinstance(message, ToBooking):
            return message.booking_saga_id, Asked(envelope.message_id, message, envelope.saga_id)
        assert isinstance(message, Reply)
        return envelope.saga_id, ReplyReceived(envelope.message_id, message, envelope.causation_id)

    async def receive(self, decoded: Decoded) -> Saga:
        """Apply a request or a reply; raises UnknownSaga for a saga this store never had."""
        message, envelope = decoded.message, decoded.envelope
        if isinstance(message, StartBooking | StartChange):
            return await self.start(message, envelope.saga_id, envelope.message_id)
        saga_id, incoming = self._incoming(decoded)
        return await self.apply(saga_id, incoming, envelope.message_id)

    async def start(
        self, request: StartBooking | StartChange, saga_id: str, message_id: str
    ) -> Saga:
        """Start a booking or a change; the same saga id or idempotency key again starts
        nothing new.

        The insert comes first: a new saga costs one transaction, and only a repeat
        (refused by the unique keys) reads the saga it repeats.
        """
        now = self._clock()
        if isinstance(request, StartChange):
            fresh = new_change(saga_id, request, now, self._registry)
        else:
            fresh = new_booking(saga_id, request, now, self._registry)
        started = Started(message_id, request.message_type)
        decision = transition(fresh, started, now, self._registry)
        rows = await self._store.insert(decision, message_id, now)
        if rows is not None:
            metrics.observe(fresh, decision)
            await self._publish(rows, [decision])
            return decision.saga
        existing = await self._existing(request, saga_id)
        if existing is None:
            raise ConcurrentUpdates(f"saga {saga_id} could be neither stored nor read")
        return await self.apply(existing.saga_id, started, message_id)

    async def start_batch(self, requests: Sequence[Decoded]) -> list[Saga] | None:
        """Start several bookings in one transaction; None, having started none, when one of
        them repeats a saga already stored (the caller then starts them one by one)."""
        now = self._clock()
        fresh: list[Saga] = []
        decisions: list[Decision] = []
        for decoded in requests:
            request, envelope = decoded.message, decoded.envelope
            assert isinstance(request, StartBooking)
            saga = new_booking(envelope.saga_id, request, now, self._registry)
            fresh.append(saga)
            decisions.append(transition(saga, Started(envelope.message_id), now, self._registry))
        if len({d.saga.saga_id for d in decisions}) < len(decisions):
            return None  # the same saga twice in one batch: one by one
        causes = [decoded.envelope.message_id for decoded in requests]
        stored = await self._store.insert_batch(list(zip(decisions, causes, strict=True)), now)
        if stored is None:
            return None
        for saga, decision in zip(fresh, decisions, strict=True):
            metrics.observe(saga, decision)
        await self._publish([row for rows in stored for row in rows], decisions)
        return [decision.saga for decision in decisions]

    async def _existing(self, request: StartBooking | StartChange, saga_id: str) -> Saga | None:
        by_id = await self._store.get(saga_id)
        if by_id is not None or isinstance(request, StartChange):  # a change's key is its id
            return by_id
        return await self._store.get_by_key(request.agency_id, request.idempotency_key)

    async def apply(self, saga_id: str, incoming: Incoming, causation_id: str | None) -> Saga:
        for _ in range(MAX_CONFLICTS):
            now = self._clock()

            def decide(saga: Saga, now: datetime = now) -> Decision:
                return transition(saga, incoming, now, self._registry)

            try:
                applied = await self._store.apply(saga_id, decide, causation_id, now)
            except VersionConflict:
                continue
            if applied is None:
                raise UnknownSaga(f"no saga {saga_id!r} in the saga store")
            metrics.observe(applied.before, applied.decision)
            await self._publish(applied.rows, [applied.decision])
            return applied.decision.saga
        raise ConcurrentUpdates(f"saga {saga_id} changed {MAX_CONFLICTS} times while we applied")

    async def sweep(self, limit: int = 100) -> int:
        """Feed passed deadlines into their sagas; how many messages that sent."""
        now = self._clock()

        def on_deadline(saga: Saga) -> Decision:
            decision = transition(saga, DeadlinePassed(), now, self._registry)
            metrics.observe(saga, decision)
            return decision

        applied = await self._store.apply_due(now, limit, on_deadline)
        rows = [row for one in applied for row in one.rows]
        await self._publish(rows, [one.decision for one in applied])
        return len(rows)

    async def relay(self, older_than: timedelta = timedelta(0)) -> int:
        """Publish what was stored but never confirmed sent (a crash between commit and send)."""
        rows = await self._store.unsent(before=self._clock() - older_than)
        rows = [row for row in rows if row["message_id"] not in self._sent_unmarked]
        await self._publish(rows)
        return len(rows)

    async def mark_sent(self) -> int:
        """Record the confirmed sends in the outbox, all in one statement.

        Marking each send in its own transaction cost a commit per message; batched, a crash
        loses at most one interval of marks, and the relay then sends those messages again,
        which every consumer, being idempotent, takes once.
        """
        if not self._sent_unmarked:
            return 0
        marking = list(self._sent_unmarked)
        await self._store.mark_sent(marking, self._clock())
        self._sent_unmarked.difference_update(marking)
        return len(marking)

    async def _publish(self, rows: Sequence[OutboxRow], decisions: Sequence[Decision] = ()) -> None:
        """After the commit: the stored rows until confirmed, and the decisions' progress
        events once, together: one per saga, the last (`latest_progress`)."""
        topology, now = self._publisher.topology, self._clock()
        progress = latest_progress(
            [row for d in decisions for row in progress_rows(d, topology, now)]
        )
        if tracing.enabled():  # a saga's progress travels in the trace of its commands
            traces = {row["saga_id"]: row["traceparent"] for row in rows if row["traceparent"]}
            for row in progress:
                row["traceparent"] = traces.get(row["saga_id"], row["traceparent"])
        sent, _ = await asyncio.gather(
            publish_rows(self._publisher, rows), publish_progress(self._publisher, progress)
        )
        if len(sent) < len(rows):
            log.warning("some messages were not confirmed; the relay will resend them")
        self._sent_unmarked.update(sent)


def latest_progress(rows: Sequence[OutboxRow]) -> list[OutboxRow]:
    """One progress event per saga, its last: each carries the whole saga as the batch left it
    (steps and times included), so a screen shown only the last misses nothing, and a batch
    that moved a saga twice (a hold and a client check answered together) publishes once."""
    return list({row["saga_id"]: row for row in rows}.values())
