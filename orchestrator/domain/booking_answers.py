"""What a booking saga answers when a change saga asks it something: lock, unlock, apply.

Every answer is idempotent by what the booking holds (`locked_by`, `changes`), not by the
command's message id alone: a change resends its command with a new id after a timeout, and
gets the same answer.
"""

from __future__ import annotations

from contracts.base import Reply
from contracts.events import BookingChanged
from contracts.orchestrator import (
    ApplyChange,
    BookingLocked,
    BookingNotChangeable,
    BookingUnlocked,
    ChangeApplied,
    LockBooking,
    ToBooking,
    UnlockBooking,
)
from orchestrator.domain.booking import KIND
from orchestrator.domain.model import BookingData, Saga, SagaState
from orchestrator.domain.work import Work


def answer(work: Work, command: ToBooking, change_id: str) -> Reply | None:
    """The booking's answer to `change_id`'s command, having changed what it changes; None
    when it cannot answer (an apply from a change that does not hold the booking)."""
    if isinstance(command, LockBooking):
        return _lock(work, command, change_id)
    if isinstance(command, UnlockBooking):
        if work.saga.data.locked_by == change_id:
            work.update(data=work.saga.data.model_copy(update={"locked_by": None}))
            work.announce("unlock_booking", "the change was not made; the booking is unchanged")
        return BookingUnlocked(booking_saga_id=work.saga.saga_id)
    assert isinstance(command, ApplyChange)
    return _apply(work, command, change_id)


def lock_refusal(saga: Saga, command: LockBooking, change_id: str) -> str | None:
    """Why this booking cannot be locked for this change, in a sentence an agent reads."""
    data = saga.data
    if saga.kind != KIND:
        return "Only a booking can be changed."
    if data.agency_id != command.agency_id:
        return "The booking belongs to another agency."
    if data.hotel_id != command.hotel_id or data.client_id != command.client_id:
        return "A change keeps the booking's hotel and client."
    if saga.state != SagaState.CONFIRMED:
        return f"Only a confirmed booking can be changed; this one is {saga.state}."
    if data.locked_by not in (None, change_id):
        return "Another change of this booking is under way."
    return None


def _lock(work: Work, command: LockBooking, change_id: str) -> Reply:
    saga = work.saga
    refusal = None if change_id in saga.data.changes else lock_refusal(saga, command, change_id)
    if refusal is not None:
        return BookingNotChangeable(booking_saga_id=saga.saga_id, reason=refusal)
    if saga.data.locked_by != change_id and change_id not in saga.data.changes:
        work.update(data=saga.data.model_copy(update={"locked_by": change_id}))
        work.announce("lock_booking", "a change of this booking is under way")
    data = work.saga.data
    return BookingLocked(
        booking_saga_id=saga.saga_id,
        room_type_id=data.room_type_id,
        room_type_name=data.room_type_name or "",
        room_number=data.room_number or "",
        stay=data.stay,
        guests=data.guests,
        total=data.total or 0,
        currency=data.currency or "",
        hotel_name=data.hotel_name or "",
        reservation_id=data.reservation_id or "",
        confirmation_code=data.confirmation_code or "",
    )


def _apply(work: Work, command: ApplyChange, change_id: str) -> Reply | None:
    data = work.saga.data
    if change_id in data.changes:
        return ChangeApplied(booking_saga_id=work.saga.saga_id)
    if data.locked_by != change_id:
        return None
    changed = _changed(data, command, change_id)
    work.update(data=changed)
    work.publish(
        BookingChanged(
            booking_id=work.saga.saga_id,
            change_id=change_id,
            agency_id=changed.agency_id,
            hotel_id=changed.hotel_id,
            room_type_id=changed.room_type_id,
            stay=changed.stay,
            guests=changed.guests,
            total=changed.total or 0,
            currency=changed.currency or "",
        ),
        BookingChanged.public_name,
    )
    work.announce("apply_change", "the booking was changed")
    return ChangeApplied(booking_saga_id=work.saga.saga_id)


def _changed(data: BookingData, command: ApplyChange, change_id: str) -> BookingData:
    return data.model_copy(
        update={
            "room_type_id": command.room_type_id,
            "room_type_name": command.room_type_name,
            "room_id": command.room_id,
            "room_number": command.room_number,
            "stay": command.stay,
            "guests": command.guests,
            "nightly_prices": tuple(command.nightly_prices),
            "total": command.total,
            "currency": command.currency,
            "locked_by": None,
            "changes": (*data.changes, change_id),
        }
    )
