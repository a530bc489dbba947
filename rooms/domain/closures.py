"""Closing rooms: which nights a closure takes, which it skips, and which it must leave alone.

A closure is a hold with the status CLOSED that owns room_nights rows like a guest's hold
does. Reusing the occupancy table, rather than a table of its own, is what keeps a closure and
a booking from ever owning the same night: both go through the `(room_id, night)` primary key,
so whichever inserts first wins and the other is refused by the database, races included.
Every search, hold and change already treats an occupied night as not for sale, and the
sweeper and the release and move handlers only ever touch HELD or CONFIRMED holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from rooms.domain.holds import Hold
from rooms.domain.model import HoldStatus

CLOSURE_SAGA_PREFIX = "closure:"
# A closure never lapses; the hotel reopens it. The largest instant a DATETIME column keeps.
NEVER = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
LISTED_NIGHTS = 10


@dataclass(frozen=True)
class TakenNight:
    """A night of a room that hold `hold_id` owns; `closed` when that hold is a closure."""

    room_id: str
    night: date
    hold_id: str
    closed: bool


@dataclass(frozen=True)
class ClosurePlan:
    """For each room, the nights to close now and the nights a booking has (left alone)."""

    to_close: dict[str, list[date]] = field(default_factory=dict)
    booked: dict[str, list[date]] = field(default_factory=dict)
    already_closed: int = 0

    @property
    def closing(self) -> int:
        return sum(len(nights) for nights in self.to_close.values())


def plan_closure(
    room_ids: Sequence[str], nights: Sequence[date], taken: Iterable[TakenNight]
) -> ClosurePlan:
    owner = {(t.room_id, t.night): t.closed for t in taken}
    to_close: defaultdict[str, list[date]] = defaultdict(list)
    booked: defaultdict[str, list[date]] = defaultdict(list)
    already_closed = 0
    for room_id in room_ids:
        for night in nights:
            closed = owner.get((room_id, night))
            if closed is None:
                to_close[room_id].append(night)
            elif closed:
                already_closed += 1
            else:
                booked[room_id].append(night)
    return ClosurePlan(dict(to_close), dict(booked), already_closed)


@dataclass(frozen=True)
class ClosureOutcome:
    """What a closure got: nights it closed, nights closed before, nights a booking has."""

    closed: int
    already_closed: int
    booked: dict[str, list[date]]


def closure_outcome(taken: Iterable[TakenNight], ours: Collection[str]) -> ClosureOutcome:
    """Judge the nights of the range as they are once the closure's nights went in (a night a
    hold took meanwhile went to that hold: the insert skipped it)."""
    closed = already_closed = 0
    booked: defaultdict[str, list[date]] = defaultdict(list)
    for night in sorted(taken, key=lambda t: (t.room_id, t.night)):
        if night.hold_id in ours:
            closed += 1
        elif night.closed:
            already_closed += 1
        else:
            booked[night.room_id].append(night.night)
    return ClosureOutcome(closed, already_closed, dict(booked))


def closure_hold(
    hold_id: str,
    hotel_id: str,
    room_type_id: str,
    room_id: str,
    nights: Sequence[date],
    currency: str,
) -> Hold:
    """The hold row a closure of `nights` in one room is stored as: no guests, no price."""
    return Hold(
        hold_id=hold_id,
        saga_id=f"{CLOSURE_SAGA_PREFIX}{hold_id}",
        hotel_id=hotel_id,
        room_type_id=room_type_id,
        room_id=room_id,
        check_in=min(nights),
        check_out=date.fromordinal(max(nights).toordinal() + 1),
        guests=0,
        status=HoldStatus.CLOSED,
        expires_at=NEVER,
        nightly_prices=(),
        total=Decimal("0.00"),
        currency=currency,
    )


def booked_refusal(room_number: str, nights: Sequence[date]) -> str:
    """Why one room cannot be closed on these nights, in a sentence for the hotel manager."""
    return (
        f"Room {room_number} is booked on {listed(nights)}: a sold night cannot be closed. "
        "Choose other nights or another room."
    )


def listed(nights: Sequence[date]) -> str:
    """'2026-12-10', '2026-12-10 and 2026-12-11', '…, 2026-12-19 and 5 other nights'."""
    shown = [night.isoformat() for night in sorted(nights)]
    if len(shown) > LISTED_NIGHTS:
        return f"{', '.join(shown[:LISTED_NIGHTS])} and {len(shown) - LISTED_NIGHTS} other nights"
    if len(shown) == 1:
        return shown[0]
    return f"{', '.join(shown[:-1])} and {shown[-1]}"
