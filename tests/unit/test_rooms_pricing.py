"""Nightly prices from seasonal and weekday rates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from rooms.domain.model import Rate
from rooms.domain.pricing import NotPriced, nights_of, price_of_night, quote

pytestmark = pytest.mark.unit

YEAR_ROUND = Rate(1, 12, Decimal("100"), Decimal("130"))
SUMMER = Rate(6, 8, Decimal("150"), Decimal("190"))
WINTER_ACROSS_NEW_YEAR = Rate(12, 2, Decimal("80"), Decimal("95.555"))


def test_a_stay_has_a_night_per_day_before_check_out() -> None:
    assert nights_of(date(2027, 3, 30), date(2027, 4, 2)) == [
        date(2027, 3, 30),
        date(2027, 3, 31),
        date(2027, 4, 1),
    ]


def test_friday_and_saturday_nights_are_weekend_prices() -> None:
    # 2027-03-04 is a Thursday.
    prices = quote([YEAR_ROUND], date(2027, 3, 4), date(2027, 3, 8), "EUR")
    assert [price for _, price in prices.nightly_prices] == [
        Decimal("100.00"),
        Decimal("130.00"),
        Decimal("130.00"),
        Decimal("100.00"),
    ]
    assert prices.total == Decimal("460.00")
    assert prices.currency == "EUR"


def test_the_narrowest_season_covering_a_night_wins() -> None:
    rates = [YEAR_ROUND, SUMMER]
    assert price_of_night(rates, date(2027, 7, 14)) == Decimal("150.00")  # a Wednesday
    assert price_of_night(rates, date(2027, 9, 1)) == Decimal("100.00")


def test_a_season_may_wrap_the_new_year() -> None:
    rates = [YEAR_ROUND, WINTER_ACROSS_NEW_YEAR]
    assert price_of_night(rates, date(2027, 12, 29)) == Decimal("80.00")
    assert price_of_night(rates, date(2028, 1, 7)) == Decimal("95.56")  # Friday, rounded half up
    assert price_of_night(rates, date(2028, 3, 1)) == Decimal("100.00")


def test_a_stay_across_seasons_prices_each_night_by_its_own_season() -> None:
    prices = quote([YEAR_ROUND, SUMMER], date(2027, 5, 31), date(2027, 6, 2), "EUR")
    assert prices.nightly_prices == (
        (date(2027, 5, 31), Decimal("100.00")),
        (date(2027, 6, 1), Decimal("150.00")),
    )
    assert prices.total == Decimal("250.00")


def test_a_night_no_rate_covers_is_not_sold() -> None:
    with pytest.raises(NotPriced) as raised:
        quote([SUMMER], date(2027, 8, 31), date(2027, 9, 2), "EUR")
    assert raised.value.night == date(2027, 9, 1)
