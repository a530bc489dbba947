"""A booking's cancellation terms: free of charge until `free_cancellation_hours` before
check-in (the hotel's check-in time on the first day, in the hotel's zone); after that, the
first night is charged. Pure.

The terms travel as a code and its values (`terms.free_until`, `terms.first_night_charged`),
which the apps and the voucher say in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from web.vouchers.formats import local_moment

FREE_UNTIL = "terms.free_until"
FIRST_NIGHT_CHARGED = "terms.first_night_charged"


@dataclass(frozen=True)
class Terms:
    free_until: datetime  # in the hotel's zone
    time_zone: str
    first_night: Decimal | None  # what a late cancellation costs
    currency: str | None

    def code(self, now: datetime) -> str:
        return FREE_UNTIL if now < self.free_until else FIRST_NIGHT_CHARGED

    def params(self, now: datetime) -> dict[str, Any]:
        charged = {
            "amount": None if self.first_night is None else str(self.first_night),
            "currency": self.currency,
        }
        if self.code(now) == FIRST_NIGHT_CHARGED:
            return charged
        return {"free_until": self.free_until.isoformat(), "time_zone": self.time_zone} | charged


def free_until(check_in: date, check_in_time: str, time_zone: str, hours: int) -> datetime:
    """The last moment of free cancellation, in the hotel's zone. The hours are counted in
    real time, so across a change of the clocks the wall-clock time moves by an hour."""
    arrival = local_moment(check_in, check_in_time, time_zone)
    return (arrival.astimezone(UTC) - timedelta(hours=hours)).astimezone(ZoneInfo(time_zone))


def terms_for(
    hotel: dict[str, Any], check_in: date, prices: list[dict[str, Any]], currency: str | None
) -> Terms:
    """The terms of a stay at `hotel` (as the rooms service describes it) starting `check_in`,
    whose nightly `prices` are `[{night, price}]` in `currency`."""
    first = min(prices, key=lambda price: str(price["night"]), default=None)
    return Terms(
        free_until=free_until(
            check_in,
            hotel.get("check_in_time") or "15:00",
            hotel["time_zone"],
            int(hotel.get("free_cancellation_hours") or 0),
        ),
        time_zone=hotel["time_zone"],
        first_night=None if first is None else Decimal(str(first["price"])),
        currency=currency or hotel.get("currency"),
    )


def cancellation(terms: Terms | None, now: datetime) -> dict[str, Any]:
    """The booking page's `cancellation`: null fields when the hotel is not known."""
    if terms is None:
        return {"free_until": None, "terms_code": None, "terms_params": {}}
    return {
        "free_until": terms.free_until.isoformat(),
        "terms_code": terms.code(now),
        "terms_params": terms.params(now),
    }
