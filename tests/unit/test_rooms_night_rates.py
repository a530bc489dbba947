"""Nightly overrides over seasonal rates, and the pure rules of closing rooms."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from rooms.domain.calendar import Occupied, closed_runs, night_figures
from rooms.domain.closures import (
    TakenNight,
    booked_refusal,
    closure_hold,
    closure_outcome,
    plan_closure,
)
from rooms.domain.model import HoldStatus, Rate
from rooms.domain.night_ranges import range_problem
from rooms.domain.pricing import NotPriced, night_price, nights_of, price_of_night, quote

pytestmark = pytest.mark.unit

YEAR_ROUND = Rate(1, 12, Decimal("100"), Decimal("130"))
SUMMER = Rate(6, 8, Decimal("150"), Decimal("190"))
THURSDAY = date(2027, 7, 1)
FRIDAY = THURSDAY + timedelta(days=1)


def test_an_override_wins_over_every_season_for_its_night_only() -> None:
    overrides = {FRIDAY: Decimal("99.5")}

    prices = quote([YEAR_ROUND, SUMMER], THURSDAY, THURSDAY + timedelta(days=3), "EUR", overrides)

    assert prices.nightly_prices == (
        (THURSDAY, price_of_night([YEAR_ROUND, SUMMER], THURSDAY)),
        (FRIDAY, Decimal("99.50")),
        (FRIDAY + timedelta(days=1), price_of_night([SUMMER], FRIDAY + timedelta(days=1))),
    )
    assert prices.total == sum(price for _, price in prices.nightly_prices)


def test_without_overrides_a_quote_is_the_seasonal_one() -> None:
    stay = (THURSDAY, THURSDAY + timedelta(days=4))

    assert quote([SUMMER], *stay, "EUR", {}) == quote([SUMMER], *stay, "EUR")
    assert quote([SUMMER], *stay, "EUR", {date(2027, 1, 1): Decimal(1)}) == quote(
        [SUMMER], *stay, "EUR"
    )


def test_an_override_prices_a_night_no_season_covers() -> None:
    september = date(2027, 9, 1)

    with pytest.raises(NotPriced):
        quote([SUMMER], september, september + timedelta(days=1), "EUR")
    overrides = {september: Decimal("120")}
    priced = quote([SUMMER], september, september + timedelta(days=1), "EUR", overrides)

    assert priced.total == Decimal("120.00")


def test_night_price_says_whether_a_night_is_overridden_or_not_priced_at_all() -> None:
    september = date(2027, 9, 1)
    overrides = {THURSDAY: Decimal("80")}

    assert night_price([SUMMER], THURSDAY, overrides).price == Decimal("80.00")
    assert night_price([SUMMER], THURSDAY, overrides).overridden
    assert night_price([SUMMER], FRIDAY, overrides).price == price_of_night([SUMMER], FRIDAY)
    assert not night_price([SUMMER], FRIDAY, overrides).overridden
    assert night_price([SUMMER], september, overrides).price is None
    assert not night_price([SUMMER], september, overrides).overridden


def test_a_range_is_one_to_the_most_nights() -> None:
    assert range_problem(THURSDAY, THURSDAY + timedelta(days=1), 1) is None
    assert "after" in (range_problem(THURSDAY, THURSDAY, 10) or "")
    assert "at most 2 nights, not 3" in (range_problem(THURSDAY, THURSDAY + timedelta(3), 2) or "")


def test_a_closure_takes_free_nights_skips_closed_ones_and_leaves_booked_ones() -> None:
    nights = nights_of(THURSDAY, THURSDAY + timedelta(days=3))
    taken = [TakenNight("101", nights[1], "h1", False), TakenNight("102", nights[0], "c1", True)]

    plan = plan_closure(["101", "102"], nights, taken)

    assert plan.to_close == {"101": [nights[0], nights[2]], "102": nights[1:]}
    assert plan.booked == {"101": [nights[1]]}
    assert plan.already_closed == 1
    assert plan.closing == 4


def test_a_closure_reports_what_it_got_and_the_nights_holds_got_first() -> None:
    taken = [
        TakenNight("101", FRIDAY, "mine", closed=True),
        TakenNight("101", THURSDAY, "a guest", closed=False),
        TakenNight("102", THURSDAY, "an earlier closure", closed=True),
        TakenNight("102", FRIDAY, "mine too", closed=True),
    ]

    outcome = closure_outcome(taken, {"mine", "mine too"})

    assert (outcome.closed, outcome.already_closed) == (2, 1)
    assert outcome.booked == {"101": [THURSDAY]}


def test_a_refusal_names_the_room_and_its_booked_nights() -> None:
    two = booked_refusal("102", [FRIDAY, THURSDAY])
    many = booked_refusal("7", nights_of(THURSDAY, THURSDAY + timedelta(days=12)))

    assert two.startswith("Room 102 is booked on 2027-07-01 and 2027-07-02: a sold night")
    assert "2027-07-10 and 2 other nights" in many


def test_a_closure_hold_owns_nights_without_guests_price_or_end() -> None:
    hold = closure_hold("h1", "hotel", "type", "101", [FRIDAY, THURSDAY], "EUR")

    assert hold.status is HoldStatus.CLOSED and hold.saga_id == "closure:h1"
    assert (hold.check_in, hold.check_out) == (THURSDAY, FRIDAY + timedelta(days=1))
    assert hold.guests == 0 and hold.total == 0 and hold.nightly_prices == ()
    assert not hold.lapsed(hold.expires_at)  # even at the end of time: only a HELD hold lapses


def test_calendar_figures_count_booked_and_closed_rooms_per_night() -> None:
    nights = nights_of(THURSDAY, THURSDAY + timedelta(days=2))
    occupied = [
        Occupied("101", THURSDAY, None),
        Occupied("102", THURSDAY, "paint"),
        Occupied("102", FRIDAY, "paint"),
        Occupied("901", FRIDAY, None),  # a room of another type
    ]

    first, second = night_figures(["101", "102", "103"], nights, occupied, [YEAR_ROUND])
    runs = closed_runs(["101", "102", "103"], occupied)

    assert (first.rooms, first.free, first.booked, first.closed) == (3, 1, 1, 1)
    assert (second.rooms, second.free, second.booked, second.closed) == (3, 2, 0, 1)
    assert second.price == price_of_night([YEAR_ROUND], FRIDAY) and not second.overridden
    assert [(run.room_id, run.nights, run.reason) for run in runs] == [
        ("102", (THURSDAY, FRIDAY), "paint")
    ]
