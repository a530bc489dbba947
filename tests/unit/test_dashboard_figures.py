"""The operators' figures count each booking at its first outcome: a booking confirmed and later
cancelled is a confirmation (counted, in the minute it was confirmed) whose latency ends when it
was confirmed; and the dead-letter store keeps AMQP header values as they came."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from web.dead_letter_store import decode_value, encode_value
from web.entrypoints.dashboard_api import outcome_of, per_minute_figures

pytestmark = pytest.mark.unit

NOW = datetime(2026, 5, 1, 12, 10, 30, tzinfo=UTC)


def booking(
    state: str, created: datetime, confirmed: datetime | None, updated: datetime
) -> dict[str, Any]:
    steps = [
        {"name": "hold_room", "status": "succeeded", "decided_at": created.isoformat()},
        {
            "name": "confirm_hold",
            "status": "succeeded" if confirmed else "started",
            "decided_at": confirmed.isoformat() if confirmed else None,
        },
    ]
    if state == "CANCELLED":
        release = {"name": "release_hold", "status": "succeeded"}
        steps.append(release | {"decided_at": updated.isoformat()})
    return {
        "kind": "booking",
        "state": state,
        "created_at": created.isoformat(),
        "updated_at": updated.isoformat(),
        "steps": steps,
    }


def test_a_booking_cancelled_later_counts_as_confirmed_when_it_was_confirmed() -> None:
    submitted = NOW - timedelta(minutes=5, seconds=20)
    confirmed = submitted + timedelta(milliseconds=240)
    cancelled = NOW - timedelta(seconds=10)  # five minutes later, in another minute
    saga = booking("CANCELLED", submitted, confirmed, cancelled)

    outcome = outcome_of(saga)
    figures = per_minute_figures([saga], NOW, minutes=10)

    assert outcome is not None and outcome.confirmed
    assert outcome.at == confirmed and outcome.latency_ms == pytest.approx(240.0)
    by_minute = {m["minute"]: m for m in figures["minutes"]}
    confirmed_minute = confirmed.replace(second=0, microsecond=0).isoformat()
    cancelled_minute = cancelled.replace(second=0, microsecond=0).isoformat()
    assert by_minute[confirmed_minute]["confirmed"] == 1
    assert by_minute[confirmed_minute]["latency_p95_ms"] == 240.0
    assert by_minute[cancelled_minute]["confirmed"] == 0
    assert figures["latency_p95_ms"] == 240.0


def test_every_confirmation_of_a_minute_counts_whatever_became_of_the_booking() -> None:
    start = NOW - timedelta(seconds=25)
    sagas = [
        booking(state, start, start + timedelta(milliseconds=100 * (n + 1)), NOW)
        for n, state in enumerate(["CONFIRMED"] * 7 + ["CANCELLED", "CANCELLING"])
    ]

    figures = per_minute_figures(sagas, NOW, minutes=1)

    assert figures["minutes"][-1]["confirmed"] == 9
    assert figures["latency_p95_ms"] is not None and figures["latency_p95_ms"] <= 900.0


def test_a_failed_booking_ends_when_it_failed_and_one_in_flight_has_no_outcome() -> None:
    submitted = NOW - timedelta(seconds=30)
    failed = booking("FAILED", submitted, None, submitted + timedelta(milliseconds=300))
    pending = booking("RESERVED", submitted, None, NOW)
    change = booking("CONFIRMED", submitted, NOW, NOW) | {"kind": "change"}

    outcome = outcome_of(failed)

    assert outcome is not None and not outcome.confirmed
    assert outcome.latency_ms == pytest.approx(300.0)
    assert outcome_of(pending) is None
    assert outcome_of(change) is None


def test_header_values_come_back_with_their_types() -> None:
    headers = {
        "x-signature": "ab12",
        "x-sequence": 3,
        "flag": True,
        "ratio": 0.5,
        "price": Decimal("12.30"),
        "at": datetime(2026, 5, 1, 12, 0, tzinfo=UTC),
        "raw": bytearray(b"\x00\xff"),
        "x-death": [{"count": 1, "reason": "rejected", "queue": "q", "time": NOW}],
        "$table": "a header named like a tag",
        "nothing": None,
    }

    again = decode_value(encode_value(headers))

    assert again == headers
    assert type(again["price"]) is Decimal and type(again["raw"]) is bytearray
