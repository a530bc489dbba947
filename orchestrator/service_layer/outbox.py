"""Publishing stored outbox rows, each exactly as it was stored, with publisher confirms; and
progress events, which are never stored, as transient messages."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from contracts.envelope import Envelope
from contracts.events import PUBLIC_EVENTS
from infra.messaging.codec import Outgoing
from infra.messaging.publisher import Publisher
from infra.tracing import resumed
from orchestrator.adapters.rows import COMMANDS, EVENTS, REPLIES, aware
from orchestrator.adapters.saga_store import OutboxRow

PUBLIC_EVENT_TYPES = {event.message_type: event for event in PUBLIC_EVENTS}


async def publish_rows(publisher: Publisher, rows: Sequence[OutboxRow]) -> list[str]:
    """Publish every row; the ids of those the broker confirmed (the rest stay unsent)."""
    results = await asyncio.gather(
        *(_publish(publisher, row) for row in rows), return_exceptions=True
    )
    return [row["message_id"] for row, result in zip(rows, results, strict=True) if result is None]


async def publish_progress(publisher: Publisher, rows: Sequence[OutboxRow]) -> int:
    """Publish progress events once, kept in the broker's memory only; how many went out. One
    that does not (a broker outage) is not retried: the stored saga is the truth a screen
    reads when it has heard nothing for a while."""
    results = await asyncio.gather(
        *(_publish_progress(publisher, row) for row in rows), return_exceptions=True
    )
    return sum(1 for result in results if result is None)


async def _publish_progress(publisher: Publisher, row: OutboxRow) -> None:
    with resumed(row.get("traceparent"), row["saga_id"]):
        outgoing = Outgoing(_envelope(row), row["body"].encode())
        await publisher.publish_transient_event(outgoing, row["routing_key"])


def _envelope(row: OutboxRow) -> Envelope:
    return Envelope(
        message_id=row["message_id"],
        saga_id=row["saga_id"],
        causation_id=row["causation_id"],
        message_type=row["message_type"],
        occurred_at=aware(row["occurred_at"]),
        sequence=row.get("sequence"),
    )


async def _publish(publisher: Publisher, row: OutboxRow) -> None:
    # Under the trace of the message that caused it, however late it leaves (the relay).
    with resumed(row.get("traceparent"), row["saga_id"]):
        await _publish_row(publisher, row)


async def _publish_row(publisher: Publisher, row: OutboxRow) -> None:
    envelope = _envelope(row)
    topology = publisher.topology
    if row["exchange"] in (COMMANDS, REPLIES):
        outgoing = Outgoing(envelope, row["body"].encode())
        exchange = topology.commands if row["exchange"] == COMMANDS else topology.replies
        await publisher.publish(outgoing, exchange, row["routing_key"])
        return
    if row["exchange"] == EVENTS:
        outgoing = Outgoing(envelope, row["body"].encode())
        await publisher.publish_to_events(outgoing, row["routing_key"])
    else:
        event = PUBLIC_EVENT_TYPES[row["message_type"]].model_validate_json(row["body"])
        await publisher.publish_public(event, envelope, row["routing_key"])
