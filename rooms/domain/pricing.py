"""Nightly prices of a stay from seasonal and weekday rates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from rooms.domain.model import Rate

CENT = Decimal("0.01")
# Friday and Saturday nights are the weekend nights of the hotel trade.
WEEKEND_NIGHTS = frozenset({4, 5})


class NotPriced(ValueError):
    """A night no rate covers: the room type is not sold on that night."""

    def __init__(self, night: date) -> None:
        super().__init__(f"no rate covers the night of {night.isoformat()}")
        self.night = night


@dataclass(frozen=True)
class Quote:
    nightly_prices: tuple[tuple[date, Decimal], ...]
    total: Decimal
    currency: str


def nights_of(check_in: date, check_out: date) -> list[date]:
    return [check_in + timedelta(days=n) for n in range((check_out - check_in).days)]


def price_of_night(rates: Sequence[Rate], night: date) -> Decimal:
    covering = [rate for rate in rates if rate.covers(night)]
    if not covering:
        raise NotPriced(night)
    rate = min(covering, key=lambda r: r.months)
    price = rate.weekend_price if night.weekday() in WEEKEND_NIGHTS else rate.weekday_price
    return price.quantize(CENT, rounding=ROUND_HALF_UP)


def quote(rates: Sequence[Rate], check_in: date, check_out: date, currency: str) -> Quote:
    prices = tuple(
        (night, price_of_night(rates, night)) for night in nights_of(check_in, check_out)
    )
    total = sum((price for _, price in prices), Decimal("0.00"))
    return Quote(prices, total, currency)
