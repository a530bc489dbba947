"""Prometheus metrics of the reservations service."""

from __future__ import annotations

from prometheus_client import Counter

RESERVATION_OUTCOMES = Counter(
    "reservations_outcomes_total",
    "Reservation commands by outcome (written, found_existing, rejected, cancelled, absent, "
    "changed, change_found, change_reverted, nothing_to_revert)",
    ["outcome"],
)
