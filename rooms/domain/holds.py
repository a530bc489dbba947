"""A hold on the nights of one room for one saga, and what each command does to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from rooms.domain.model import HoldStatus


@dataclass(frozen=True)
class Hold:
    hold_id: str
    saga_id: str
    hotel_id: str
    room_type_id: str
    room_id: str
    check_in: date
    check_out: date
    guests: int
    status: HoldStatus
    expires_at: datetime
    nightly_prices: tuple[tuple[date, Decimal], ...]
    total: Decimal
    currency: str

    def lapsed(self, now: datetime) -> bool:
        return self.status is HoldStatus.HELD and now >= self.expires_at


class ConfirmOutcome(StrEnum):
    CONFIRM = "confirm"
    ALREADY_CONFIRMED = "already_confirmed"
    EXPIRE = "expire"
    GONE = "gone"


def confirm_outcome(hold: Hold, now: datetime) -> ConfirmOutcome:
    """What a ConfirmHold does: a lapsed hold expires now, even if no sweeper has run yet."""
    if hold.status is HoldStatus.CONFIRMED:
        return ConfirmOutcome.ALREADY_CONFIRMED
    if hold.status is not HoldStatus.HELD:
        return ConfirmOutcome.GONE
    return ConfirmOutcome.EXPIRE if hold.lapsed(now) else ConfirmOutcome.CONFIRM


def frees_nights_on_release(hold: Hold) -> bool:
    """Releasing frees the nights of a live hold or booking; a lapsed or released one has none,
    nor has a moved one (a change's hold whose nights now belong to the booking it changed)."""
    return hold.status in (HoldStatus.HELD, HoldStatus.CONFIRMED)


def why_gone(hold: Hold, what: str = "the hold") -> str:
    """Why a hold that is neither live nor a booking can no longer be confirmed or moved onto,
    in a sentence for whoever reads the refusal."""
    if hold.status is HoldStatus.RELEASED:
        return f"{what} was released"
    if hold.status is HoldStatus.MOVED:
        return f"{what} was already moved onto a booking and holds no nights any more"
    if hold.status is HoldStatus.CLOSED:
        return f"{what} is the hotel's closure of the room, not a guest's hold"
    return f"{what} lapsed at {hold.expires_at.isoformat()}"
