"""UTC instants to and from the store's naive DATETIME columns."""

from __future__ import annotations

from datetime import UTC, datetime


def to_column(instant: datetime) -> datetime:
    return instant.astimezone(UTC).replace(tzinfo=None)


def from_column(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC)
