"""The change saga: a confirmed booking moved to other dates, another room type of the same
hotel, or another number of guests, without being cancelled.

New nights are held first (under the change's own id), then the reservation is rewritten
(a new version, same confirmation code), then the booking's old nights are swapped for the new
ones in one transaction of the rooms service. Until that swap the booking is exactly as it was,
and any failure undoes the change's steps, last first. The swap is the point of no return:
it and the step after it never give up; out of attempts, the saga shows STUCK and goes on
asking. The booking is locked for the whole change (no cancellation, no second change), and
what the booking saga answers is in `orchestrator.domain.booking_answers`.
"""

from __future__ import annotations

from contracts.base import Reply
from contracts.orchestrator import (
    ApplyChange,
    BookingLocked,
    BookingNotChangeable,
    BookingUnlocked,
    ChangeApplied,
    LockBooking,
    UnlockBooking,
)
from contracts.reservations import (
    ChangeReservation,
    ReservationChanged,
    ReservationChangeReverted,
    ReservationRejected,
    RevertReservationChange,
)
from contracts.rooms import BookingMoved, HoldExpired, MoveBooking
from contracts.topology import Service
from orchestrator.domain import reasons
from orchestrator.domain.booking import HOLD_ROOM, UNDO_RETRY, undo_reason
from orchestrator.domain.definition import DefinitionRegistry, SagaDefinition, Step, together
from orchestrator.domain.model import BookingBefore, BookingData, Saga, SagaState

KIND = "change"


def _booking(saga: Saga) -> str:
    assert saga.data.booking_id is not None, "a change names the booking it changes"
    return saga.data.booking_id


# --- the undos -----------------------------------------------------------------------------

UNLOCK_BOOKING = Step(
    "unlock_booking",
    to=Service.ORCHESTRATOR,
    send=lambda saga: UnlockBooking(booking_saga_id=_booking(saga)),
    done=(BookingUnlocked,),
    retry=UNDO_RETRY,
)
REVERT_RESERVATION = Step(
    "revert_reservation",
    to=Service.RESERVATIONS,
    send=lambda saga: RevertReservationChange(
        booking_saga_id=_booking(saga), reason=undo_reason(saga)
    ),
    done=(ReservationChangeReverted,),
    retry=UNDO_RETRY,
)

# --- the forward steps ---------------------------------------------------------------------


def _lock(saga: Saga) -> LockBooking:
    data = saga.data
    return LockBooking(
        booking_saga_id=_booking(saga),
        agency_id=data.agency_id,
        client_id=data.client_id,
        hotel_id=data.hotel_id,
    )


def _record_booking(data: BookingData, reply: Reply) -> BookingData:
    assert isinstance(reply, BookingLocked)
    before = BookingBefore(
        room_type_id=reply.room_type_id,
        room_type_name=reply.room_type_name,
        room_number=reply.room_number,
        stay=reply.stay,
        guests=reply.guests,
        total=reply.total,
        currency=reply.currency,
    )
    return data.model_copy(
        update={
            "before": before,
            "reservation_id": reply.reservation_id,
            "confirmation_code": reply.confirmation_code,
        }
    )


def _new_version(saga: Saga) -> dict[str, object]:
    """What the booking becomes: the room and price the new hold got."""
    data = saga.data
    return {
        "booking_saga_id": _booking(saga),
        "room_type_id": data.room_type_id,
        "room_type_name": data.room_type_name or "",
        "room_id": data.room_id or "",
        "room_number": data.room_number or "",
        "stay": data.stay,
        "guests": data.guests,
        "nightly_prices": list(data.nightly_prices),
        "total": data.total or 0,
        "currency": data.currency or "",
    }


LOCK_BOOKING = Step(
    "lock_booking",
    to=Service.ORCHESTRATOR,
    send=_lock,
    done=(BookingLocked,),
    record=_record_booking,
    refused={BookingNotChangeable: reasons.not_changeable},
    undo=UNLOCK_BOOKING,
)
CHANGE_RESERVATION = Step(
    "change_reservation",
    to=Service.RESERVATIONS,
    send=lambda saga: ChangeReservation.model_validate(_new_version(saga)),
    done=(ReservationChanged,),
    reaches=SagaState.RESERVED,
    refused={ReservationRejected: reasons.reservation_rejected},
    undo=REVERT_RESERVATION,
)
MOVE_BOOKING = Step(  # the point of no return: after it, the booking is on the new nights
    "move_booking",
    to=Service.ROOMS,
    send=lambda saga: MoveBooking(booking_saga_id=_booking(saga)),
    done=(BookingMoved,),
    refused={HoldExpired: lambda _reply: reasons.CHANGE_HOLD_EXPIRED},
    gives_up=False,
)
APPLY_CHANGE = Step(
    "apply_change",
    to=Service.ORCHESTRATOR,
    send=lambda saga: ApplyChange.model_validate(_new_version(saga)),
    done=(ChangeApplied,),
    reaches=SagaState.CONFIRMED,
    gives_up=False,
)

CURRENT = SagaDefinition(
    KIND,
    version=1,
    forward=(together(LOCK_BOOKING, HOLD_ROOM), CHANGE_RESERVATION, MOVE_BOOKING, APPLY_CHANGE),
)

CHANGES = DefinitionRegistry((CURRENT,))
