"""Ranges of nights a hotel manager acts on: `[start, end)`, with a bound on their length."""

from __future__ import annotations

from datetime import date

CALENDAR_MAX_NIGHTS = 62
MANAGEMENT_MAX_NIGHTS = 366


def range_problem(start: date, end: date, max_nights: int) -> str | None:
    """Why `[start, end)` is not a range of 1..max_nights nights, or None when it is."""
    if end <= start:
        return f"end {end} must be after start {start} (the end night is not included)"
    nights = (end - start).days
    if nights > max_nights:
        return f"a range is at most {max_nights} nights, not {nights}"
    return None
