"""MoveBooking: a confirmed booking takes over the nights its change saga holds.

The change saga first holds the new nights under its own saga id (HoldRoom). MoveBooking, sent
under that same id, then swaps them in one transaction: the booking's old nights are freed,
the change's nights become the booking's hold's (same hold id, still CONFIRMED, now with the
change's room, stay, guests and price), and the change's hold is marked MOVED, owning nothing.
Sent again after that, it answers the same and changes nothing. When the change holds no live
room (none, released, lapsed) or the booking is not a confirmed one, it refuses with
HoldExpired and nothing moves.
"""

from __future__ import annotations

from typing import Literal

from contracts.envelope import Envelope, utc_now
from contracts.rooms import BookingMoved, HoldExpired, MoveBooking
from infra.stores.sql_inbox import SqlWork
from rooms.adapters import holds, occupancy
from rooms.domain.holds import ConfirmOutcome, confirm_outcome, why_gone
from rooms.domain.model import HoldStatus
from rooms.domain.pricing import nights_of
from rooms.handlers.releasing import expire_lapsed
from rooms.metrics import BOOKING_MOVES

Refusal = Literal["no_hold", "hold_gone", "not_a_booking", "other_hotel"]
CHANGE_HOLD = "the change's hold"


async def move_booking(
    command: MoveBooking, envelope: Envelope, work: SqlWork
) -> BookingMoved | HoldExpired:
    statements = work.statements
    # The change's hold first, then the booking's: every MoveBooking locks them in this order.
    change = await holds.find_by_saga(statements, envelope.saga_id, for_update=True)
    if change is None:
        return _refused(None, "no_hold", "this change holds no room to move the booking onto")
    booking = await holds.find_by_saga(statements, command.booking_saga_id, for_update=True)
    if change.status is HoldStatus.MOVED and booking is not None:
        # Already applied (a resend comes with a new message id): the same answer, no change.
        return BookingMoved(booking_saga_id=command.booking_saga_id, hold_id=booking.hold_id)
    now = utc_now()
    outcome = confirm_outcome(change, now)
    if outcome is ConfirmOutcome.EXPIRE:
        await expire_lapsed(statements, change, now)
    if outcome is ConfirmOutcome.ALREADY_CONFIRMED:
        detail = f"{CHANGE_HOLD} is a confirmed booking itself, not new nights to move onto"
        return _refused(change.hold_id, "hold_gone", detail)
    if outcome is not ConfirmOutcome.CONFIRM:
        return _refused(change.hold_id, "hold_gone", why_gone(change, CHANGE_HOLD))
    if booking is None or booking.status is not HoldStatus.CONFIRMED:
        state = "holds no room" if booking is None else f"is {booking.status.value.lower()}"
        detail = f"booking {command.booking_saga_id} {state}, so there is no booking to move"
        return _refused(change.hold_id, "not_a_booking", detail)
    if booking.hotel_id != change.hotel_id:
        detail = (
            f"{CHANGE_HOLD} is in hotel {change.hotel_id}, the booking in hotel "
            f"{booking.hotel_id}: a booking moves within its hotel only"
        )
        return _refused(change.hold_id, "other_hotel", detail)

    # The nights the booking keeps (a stay extended in its own room) stay where they are.
    keeping = (change.room_id, nights_of(change.check_in, change.check_out))
    await occupancy.free_nights_of(statements, booking.hold_id, keeping)
    await occupancy.hand_over_nights(statements, change.hold_id, booking.hold_id)
    await holds.take_over_stay(statements, booking.hold_id, change, now)
    await holds.set_status(statements, change.hold_id, HoldStatus.MOVED, now)
    BOOKING_MOVES.labels("moved").inc()
    return BookingMoved(booking_saga_id=command.booking_saga_id, hold_id=booking.hold_id)


def _refused(hold_id: str | None, outcome: Refusal, detail: str) -> HoldExpired:
    BOOKING_MOVES.labels(outcome).inc()
    return HoldExpired(hold_id=hold_id, detail=detail[:500])
