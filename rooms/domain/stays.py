"""Whether a stay may be searched or held: dates, length, arrival, guests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

DEFAULT_MAX_NIGHTS = 30


class StayProblem(StrEnum):
    CHECK_OUT_NOT_AFTER_CHECK_IN = "check_out_not_after_check_in"
    TOO_LONG = "too_long"
    ARRIVAL_IN_THE_PAST = "arrival_in_the_past"
    OVER_CAPACITY = "over_capacity"


@dataclass(frozen=True)
class StayRejected:
    problem: StayProblem
    detail: str
    # The values `detail` names, for a reader's own language (dates as ISO text).
    params: Mapping[str, str | int] = field(default_factory=dict)


def today_at(time_zone: str, now_utc: datetime) -> date:
    """The calendar date at the hotel, which is what its arrival day is measured against."""
    return now_utc.astimezone(ZoneInfo(time_zone)).date()


def check_dates(
    check_in: date, check_out: date, hotel_today: date, max_nights: int = DEFAULT_MAX_NIGHTS
) -> StayRejected | None:
    if check_out <= check_in:
        return StayRejected(
            StayProblem.CHECK_OUT_NOT_AFTER_CHECK_IN,
            f"check-out {check_out} must be after check-in {check_in}",
            {"check_in": check_in.isoformat(), "check_out": check_out.isoformat()},
        )
    nights = (check_out - check_in).days
    if nights > max_nights:
        return StayRejected(
            StayProblem.TOO_LONG,
            f"a stay is at most {max_nights} nights, not {nights}",
            {"max_nights": max_nights, "nights": nights},
        )
    if check_in < hotel_today:
        return StayRejected(
            StayProblem.ARRIVAL_IN_THE_PAST,
            f"arrival {check_in} is in the past at the hotel (today there is {hotel_today})",
            {"check_in": check_in.isoformat(), "today": hotel_today.isoformat()},
        )
    return None


def check_guests(guests: int, capacity: int) -> StayRejected | None:
    if guests > capacity:
        return StayRejected(
            StayProblem.OVER_CAPACITY,
            f"{guests} guests exceed the room's capacity of {capacity}",
            {"guests": guests, "capacity": capacity},
        )
    return None
