"""Hotel managers close rooms (maintenance) or a whole room type (stop-sell), and reopen them.

Closing one room refuses if a booking has any of the nights; closing a type closes every free
night of every room and reports the booked ones it left alone. Either way the nights are taken
in one transaction through the occupancy key (see rooms.domain.closures), so a hold racing the
closure gets the night or the closure does, never both. The nights go in skipping any a hold
took since they were read, and what the closure got is read back: retrying the whole
transaction instead would starve a stop-sell of a busy hotel, as holds keep coming.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NoReturn

import structlog
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from rooms.adapters import closures
from rooms.adapters.hotel_rooms import Room
from rooms.adapters.tables import holds
from rooms.domain.closures import booked_refusal, closure_hold, closure_outcome, plan_closure
from rooms.domain.holds import Hold
from rooms.domain.pricing import nights_of

log = structlog.get_logger(__name__)
ATTEMPTS = 5
LOCK_RACE_CODES = frozenset({1205, 1213})  # lock wait timeout, deadlock


@dataclass(frozen=True)
class Target:
    """What to close: every room of a type, or one room of it (`room_id`)."""

    hotel_id: str
    room_type_id: str
    currency: str
    rooms: tuple[Room, ...]
    room_id: str | None = None


@dataclass(frozen=True)
class LeftBooked:
    room_id: str
    number: str
    nights: tuple[date, ...]


@dataclass(frozen=True)
class Closed:
    closed: int
    already_closed: int
    left_booked: tuple[LeftBooked, ...]


class BookedNights(Exception):
    """One room cannot be closed: a booking has some of the nights."""

    def __init__(self, detail: str, room_number: str = "", nights: Sequence[date] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.room_number, self.nights = room_number, tuple(sorted(nights))


class KeptChanging(Exception):
    """The closure lost every attempt to deadlocks with holds taking nights of the range."""


async def close(
    engine: AsyncEngine,
    target: Target,
    start: date,
    end: date,
    reason: str,
    closed_by: str | None,
    now: datetime,
) -> Closed:
    for _ in range(ATTEMPTS):
        try:
            async with engine.begin() as db:
                closed = await _close_once(db, target, start, end, reason, closed_by, now)
        except OperationalError as exc:
            if not _lost_a_lock_race(exc):
                raise
            # A deadlock with a hold chose this transaction: nothing of it stayed, go again.
            log.info("closure rolled back, trying again", error=str(exc.orig)[:200])
            continue
        log.info(
            "rooms closed",
            hotel_id=target.hotel_id,
            room_type_id=target.room_type_id,
            room_id=target.room_id,
            start=start.isoformat(),
            end=end.isoformat(),
            closed=closed.closed,
            already_closed=closed.already_closed,
            left_booked=sum(len(left.nights) for left in closed.left_booked),
        )
        return closed
    raise KeptChanging


async def _close_once(
    db: AsyncConnection,
    target: Target,
    start: date,
    end: date,
    reason: str,
    closed_by: str | None,
    now: datetime,
) -> Closed:
    rooms = [room for room in target.rooms if target.room_id in (None, room.room_id)]
    room_ids = [room.room_id for room in rooms]
    number_of = {room.room_id: room.number for room in rooms}
    plan = plan_closure(
        room_ids, nights_of(start, end), await closures.taken_nights(db, room_ids, start, end)
    )
    if target.room_id is not None and plan.booked:
        _refuse(number_of, plan.booked)
    closing = [
        (_closure_of(target, room_id, nights), nights) for room_id, nights in plan.to_close.items()
    ]
    await closures.store(db, closing, reason, closed_by, now)
    ours = {hold.hold_id for hold, _ in closing}
    # What the closure got: a hold may have taken a night since the first read.
    outcome = closure_outcome(
        await closures.taken_nights(db, room_ids, start, end, current=True), ours
    )
    if target.room_id is not None and outcome.booked:
        _refuse(number_of, outcome.booked)  # the rollback undoes the nights it did get
    if ours:
        await closures.drop_empty(db, holds.c.hold_id.in_(ours))
    left = tuple(
        LeftBooked(room_id, number_of[room_id], tuple(nights))
        for room_id, nights in outcome.booked.items()
    )
    return Closed(outcome.closed, outcome.already_closed, left)


def _lost_a_lock_race(exc: OperationalError) -> bool:
    """A deadlock or lock wait timeout (MySQL), or a locked database (SQLite)."""
    code = exc.orig.args[0] if exc.orig is not None and exc.orig.args else None
    return code in LOCK_RACE_CODES or "database is locked" in str(exc.orig)


def _refuse(number_of: dict[str, str], booked: dict[str, list[date]]) -> NoReturn:
    ((room_id, nights),) = booked.items()
    raise BookedNights(booked_refusal(number_of[room_id], nights), number_of[room_id], nights)


def _closure_of(target: Target, room_id: str, nights: list[date]) -> Hold:
    hold_id = str(uuid.uuid4())
    return closure_hold(
        hold_id, target.hotel_id, target.room_type_id, room_id, nights, target.currency
    )


async def reopen(engine: AsyncEngine, target: Target, start: date, end: date) -> int:
    room_ids = [room.room_id for room in target.rooms if target.room_id in (None, room.room_id)]
    async with engine.begin() as db:
        reopened = await closures.reopen(db, room_ids, start, end)
    log.info(
        "rooms reopened",
        hotel_id=target.hotel_id,
        room_type_id=target.room_type_id,
        room_id=target.room_id,
        start=start.isoformat(),
        end=end.isoformat(),
        reopened=reopened,
    )
    return reopened
