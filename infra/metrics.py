"""Prometheus metrics of the messaging runtime (labels keep services apart)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

MESSAGES_HANDLED = Counter(
    "booking_messages_handled_total",
    "Messages taken off a queue, by outcome (applied, duplicate, dead_lettered, requeued)",
    ["queue", "message_type", "outcome"],
)
HANDLING_SECONDS = Histogram(
    "booking_message_handling_seconds",
    "Time from delivery to ack, per message type",
    ["queue", "message_type"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
BATCH_SIZE = Histogram(
    "booking_consumer_batch_size",
    "Deliveries handled together as one batch (whatever the broker had delivered)",
    ["queue"],
    buckets=(1, 2, 4, 8, 16, 32, 64),
)
