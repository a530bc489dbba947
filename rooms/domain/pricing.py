"""Nightly prices of a stay from seasonal and weekday rates, and nightly overrides."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType

from rooms.domain.model import Rate

CENT = Decimal("0.01")
# Friday and Saturday nights are the weekend nights of the hotel trade.
WEEKEND_NIGHTS = frozenset({4, 5})
NO_OVERRIDES: Mapping[date, Decimal] = MappingProxyType({})


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


@dataclass(frozen=True)
class NightPrice:
    """What a night sells for (None: no rate covers it) and whether a nightly override set it."""

    price: Decimal | None
    overridden: bool


def nights_of(check_in: date, check_out: date) -> list[date]:
    return [check_in + timedelta(days=n) for n in range((check_out - check_in).days)]


def price_of_night(
    rates: Sequence[Rate], night: date, overrides: Mapping[date, Decimal] = NO_OVERRIDES
) -> Decimal:
    """A night's override if the hotel set one, else the narrowest season's rate."""
    if night in overrides:
        return overrides[night].quantize(CENT, rounding=ROUND_HALF_UP)
    covering = [rate for rate in rates if rate.covers(night)]
    if not covering:
        raise NotPriced(night)
    rate = min(covering, key=lambda r: r.months)
    price = rate.weekend_price if night.weekday() in WEEKEND_NIGHTS else rate.weekday_price
    return price.quantize(CENT, rounding=ROUND_HALF_UP)


def night_price(
    rates: Sequence[Rate], night: date, overrides: Mapping[date, Decimal] = NO_OVERRIDES
) -> NightPrice:
    try:
        return NightPrice(price_of_night(rates, night, overrides), night in overrides)
    except NotPriced:
        return NightPrice(None, overridden=False)


def quote(
    rates: Sequence[Rate],
    check_in: date,
    check_out: date,
    currency: str,
    overrides: Mapping[date, Decimal] = NO_OVERRIDES,
) -> Quote:
    prices = tuple(
        (night, price_of_night(rates, night, overrides)) for night in nights_of(check_in, check_out)
    )
    total = sum((price for _, price in prices), Decimal("0.00"))
    return Quote(prices, total, currency)
