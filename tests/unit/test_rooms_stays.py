"""Which stays may be searched or held, judged in the hotel's own time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from rooms.domain.stays import StayProblem, check_dates, check_guests, today_at

pytestmark = pytest.mark.unit

TODAY = date(2027, 5, 10)


def test_a_good_stay_passes() -> None:
    assert check_dates(TODAY, date(2027, 5, 12), TODAY) is None


@pytest.mark.parametrize("check_out", [TODAY, date(2027, 5, 9)])
def test_check_out_must_come_after_check_in(check_out: date) -> None:
    rejected = check_dates(TODAY, check_out, TODAY)
    assert rejected is not None
    assert rejected.problem is StayProblem.CHECK_OUT_NOT_AFTER_CHECK_IN


def test_a_stay_is_at_most_the_configured_number_of_nights() -> None:
    assert check_dates(TODAY, date(2027, 6, 9), TODAY) is None  # 30 nights
    too_long = check_dates(TODAY, date(2027, 6, 10), TODAY)
    assert too_long is not None and too_long.problem is StayProblem.TOO_LONG
    assert check_dates(TODAY, date(2027, 5, 15), TODAY, max_nights=4) is not None


def test_no_arrival_in_the_past() -> None:
    rejected = check_dates(date(2027, 5, 9), date(2027, 5, 12), TODAY)
    assert rejected is not None and rejected.problem is StayProblem.ARRIVAL_IN_THE_PAST


def test_today_is_the_date_at_the_hotel() -> None:
    # 23:30 UTC on 10 May is already 11 May in Tokyo and still 10 May in Lomé and Lima.
    instant = datetime(2027, 5, 10, 23, 30, tzinfo=UTC)
    assert today_at("Asia/Tokyo", instant) == date(2027, 5, 11)
    assert today_at("Africa/Lome", instant) == date(2027, 5, 10)
    assert today_at("America/Lima", instant) == date(2027, 5, 10)
    tokyo_today = today_at("Asia/Tokyo", instant)
    assert check_dates(TODAY, date(2027, 5, 12), tokyo_today) is not None
    assert check_dates(TODAY, date(2027, 5, 12), today_at("Africa/Lome", instant)) is None


def test_guests_must_fit_the_room() -> None:
    assert check_guests(2, capacity=2) is None
    rejected = check_guests(3, capacity=2)
    assert rejected is not None and rejected.problem is StayProblem.OVER_CAPACITY
