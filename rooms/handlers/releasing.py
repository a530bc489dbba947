"""ReleaseHold, ConfirmHold and ReleaseBooking: the fate of a saga's hold."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

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


async def release_hold(
    command: ReleaseHold, envelope: Envelope, connection: AsyncConnection
) -> HoldReleased:
    hold = await holds.find_by_saga(connection, envelope.saga_id, for_update=True)
    if hold is None:
        return HoldReleased(hold_id=None)
    await _release(connection, hold)
    return HoldReleased(hold_id=hold.hold_id)


async def release_booking(
    command: ReleaseBooking, envelope: Envelope, connection: AsyncConnection
) -> BookingReleased:
    hold = await holds.find_by_saga(connection, command.booking_saga_id, for_update=True)
    if hold is not None:
        await _release(connection, hold)
    return BookingReleased(booking_saga_id=command.booking_saga_id)


async def confirm_hold(
    command: ConfirmHold, envelope: Envelope, connection: AsyncConnection
) -> HoldConfirmed | HoldExpired:
    hold = await holds.find_by_saga(connection, envelope.saga_id, for_update=True)
    if hold is None:
        return HoldExpired(hold_id=None, detail="this saga holds no room")
    now = utc_now()
    outcome = confirm_outcome(hold, now)
    if outcome is ConfirmOutcome.CONFIRM:
        await holds.set_status(connection, hold.hold_id, HoldStatus.CONFIRMED, now)
    if outcome in (ConfirmOutcome.CONFIRM, ConfirmOutcome.ALREADY_CONFIRMED):
        return HoldConfirmed(hold_id=hold.hold_id)
    if outcome is ConfirmOutcome.EXPIRE:
        await expire_lapsed(connection, hold, now)
    return HoldExpired(hold_id=hold.hold_id, detail=why_gone(hold))


async def expire_lapsed(connection: AsyncConnection, hold: Hold, now: datetime) -> None:
    """Expire a lapsed HELD hold now, before any sweep, and free its nights (unless a sweep or
    another command already settled it)."""
    if await holds.expire_if_lapsed(connection, hold.hold_id, now):
        await occupancy.free_nights_of(connection, hold.hold_id)
        HOLDS_EXPIRED.inc()


async def _release(connection: AsyncConnection, hold: Hold) -> None:
    if frees_nights_on_release(hold):
        await occupancy.free_nights_of(connection, hold.hold_id)
        await holds.set_status(connection, hold.hold_id, HoldStatus.RELEASED, utc_now())
