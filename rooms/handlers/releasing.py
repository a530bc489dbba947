"""ReleaseHold, ConfirmHold and ReleaseBooking: the fate of a saga's hold."""

from __future__ import annotations

from datetime import datetime

from contracts.envelope import Envelope, utc_now
from contracts.rooms import (
    BookingReleased,
    ConfirmHold,
    HoldConfirmed,
    HoldExpired,
    HoldReleased,
    ReleaseBooking,
    ReleaseHold,
)
from infra.stores.driver_sql import DriverTransaction
from infra.stores.sql_inbox import SqlWork
from rooms.adapters import holds, occupancy
from rooms.domain.holds import (
    ConfirmOutcome,
    Hold,
    confirm_outcome,
    frees_nights_on_release,
    why_gone,
)
from rooms.domain.model import HoldStatus
from rooms.metrics import HOLDS_EXPIRED


async def release_hold(command: ReleaseHold, envelope: Envelope, work: SqlWork) -> HoldReleased:
    hold = await holds.find_by_saga(work.statements, envelope.saga_id, for_update=True)
    if hold is None:
        return HoldReleased(hold_id=None)
    await _release(work.statements, hold)
    return HoldReleased(hold_id=hold.hold_id)


async def release_booking(
    command: ReleaseBooking, envelope: Envelope, work: SqlWork
) -> BookingReleased:
    hold = await holds.find_by_saga(work.statements, command.booking_saga_id, for_update=True)
    if hold is not None:
        await _release(work.statements, hold)
    return BookingReleased(booking_saga_id=command.booking_saga_id)


async def confirm_hold(
    command: ConfirmHold, envelope: Envelope, work: SqlWork
) -> HoldConfirmed | HoldExpired:
    statements = work.statements
    hold = await holds.find_by_saga(statements, envelope.saga_id, for_update=True)
    if hold is None:
        return HoldExpired(hold_id=None, detail="this saga holds no room")
    now = utc_now()
    outcome = confirm_outcome(hold, now)
    if outcome is ConfirmOutcome.CONFIRM:
        await holds.set_status(statements, hold.hold_id, HoldStatus.CONFIRMED, now)
    if outcome in (ConfirmOutcome.CONFIRM, ConfirmOutcome.ALREADY_CONFIRMED):
        return HoldConfirmed(hold_id=hold.hold_id)
    if outcome is ConfirmOutcome.EXPIRE:
        await expire_lapsed(statements, hold, now)
    return HoldExpired(hold_id=hold.hold_id, detail=why_gone(hold))


async def expire_lapsed(statements: DriverTransaction, hold: Hold, now: datetime) -> None:
    """Expire a lapsed HELD hold now, before any sweep, and free its nights (unless a sweep or
    another command already settled it)."""
    if await holds.expire_if_lapsed(statements, hold.hold_id, now):
        await occupancy.free_nights_of(statements, hold.hold_id)
        HOLDS_EXPIRED.inc()


async def _release(statements: DriverTransaction, hold: Hold) -> None:
    if frees_nights_on_release(hold):
        await occupancy.free_nights_of(statements, hold.hold_id)
        await holds.set_status(statements, hold.hold_id, HoldStatus.RELEASED, utc_now())
