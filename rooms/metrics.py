"""Prometheus metrics of the rooms service."""

from __future__ import annotations

from prometheus_client import Counter

HOLD_OUTCOMES = Counter(
    "rooms_hold_requests_total",
    "HoldRoom commands applied, by outcome (held or the reason it was refused)",
    ["outcome"],
)
HOLDS_EXPIRED = Counter("rooms_holds_expired_total", "Holds that lapsed and had their nights freed")
BOOKING_MOVES = Counter(
    "rooms_booking_moves_total",
    "MoveBooking commands applied, by outcome (moved or the reason it was refused)",
    ["outcome"],
)
