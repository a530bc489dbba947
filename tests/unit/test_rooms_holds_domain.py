"""What ConfirmHold and releases do to a hold, whatever the sweeper has done."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from rooms.domain.holds import ConfirmOutcome, Hold, confirm_outcome, frees_nights_on_release
from rooms.domain.model import HoldStatus

pytestmark = pytest.mark.unit

NOW = datetime(2027, 5, 10, 12, 0, tzinfo=UTC)


def hold(status: HoldStatus, expires_in: timedelta = timedelta(minutes=10)) -> Hold:
    return Hold(
        hold_id="h",
        saga_id="s",
        hotel_id="hotel",
        room_type_id="rt",
        room_id="r",
        check_in=date(2027, 6, 1),
        check_out=date(2027, 6, 2),
        guests=2,
        status=status,
        expires_at=NOW + expires_in,
        nightly_prices=((date(2027, 6, 1), Decimal("100.00")),),
        total=Decimal("100.00"),
        currency="EUR",
    )


def test_a_live_hold_is_confirmed() -> None:
    assert confirm_outcome(hold(HoldStatus.HELD), NOW) is ConfirmOutcome.CONFIRM


def test_a_lapsed_hold_expires_on_confirm_even_before_the_sweeper() -> None:
    lapsed = hold(HoldStatus.HELD, expires_in=timedelta(seconds=-1))
    assert lapsed.lapsed(NOW)
    assert confirm_outcome(lapsed, NOW) is ConfirmOutcome.EXPIRE
    assert confirm_outcome(hold(HoldStatus.HELD, timedelta(0)), NOW) is ConfirmOutcome.EXPIRE


def test_confirming_twice_is_the_same_success() -> None:
    confirmed = hold(HoldStatus.CONFIRMED, expires_in=timedelta(seconds=-100))
    assert confirm_outcome(confirmed, NOW) is ConfirmOutcome.ALREADY_CONFIRMED
    assert not confirmed.lapsed(NOW)


@pytest.mark.parametrize("status", [HoldStatus.RELEASED, HoldStatus.EXPIRED, HoldStatus.MOVED])
def test_a_released_expired_or_moved_hold_cannot_be_confirmed(status: HoldStatus) -> None:
    assert confirm_outcome(hold(status), NOW) is ConfirmOutcome.GONE


def test_only_live_holds_and_bookings_have_nights_to_free() -> None:
    assert frees_nights_on_release(hold(HoldStatus.HELD))
    assert frees_nights_on_release(hold(HoldStatus.CONFIRMED))
    assert not frees_nights_on_release(hold(HoldStatus.RELEASED))
    assert not frees_nights_on_release(hold(HoldStatus.EXPIRED))
    assert not frees_nights_on_release(hold(HoldStatus.MOVED))  # its nights are the booking's
