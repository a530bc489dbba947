"""Changes of a booking's reservation: `ChangeReservation` and its undo,
`RevertReservationChange`, both sent under the change saga's id (the change id).

A change writes a new version of the booking's reservation (same id, same confirmation code),
idempotently by business state: a resend finds the version its change wrote and answers with
it again. A revert first marks its change withdrawn, for good, then writes the version before
the change again if the change is in force. The store has no multi-document transactions, so
a change checks the mark both before it writes (a withdrawn change writes nothing) and after
(a revert that looked before the write saw nothing to undo: the change undoes itself). Either
way no withdrawn change stays in force, as with `CancelReservation` in `handlers`.

Every write is conditional on the version and status it was computed from; a writer that
loses the race reads again and decides again.
"""

from __future__ import annotations

from typing import Any

import structlog
from motor.motor_asyncio import AsyncIOMotorDatabase

from contracts.envelope import Envelope, utc_now
from contracts.reservations import (
    ChangeReservation,
    ReservationChanged,
    ReservationChangeReverted,
    ReservationRejected,
    RevertReservationChange,
)
from reservations.adapters.repository import (
    MAX_WRITE_ATTEMPTS,
    ConcurrentWrites,
    ReservationRepository,
)
from reservations.domain.model import Reservation, ReservationStatus
from reservations.domain.rules import changed_reservation, rejection_reason
from reservations.metrics import RESERVATION_OUTCOMES

log = structlog.get_logger(__name__)

CHANGE_WITHDRAWN = (
    "the change was withdrawn (reverted) before it reached the reservation; "
    "the booking keeps its dates, room and guests"
)
CANCELLED_NOT_CHANGED = "the reservation of this booking was cancelled; it cannot be changed"
NO_RESERVATION = "this booking has no reservation to change"


async def handle_change_reservation(
    command: ChangeReservation,
    envelope: Envelope,
    database: AsyncIOMotorDatabase[dict[str, Any]],
) -> ReservationChanged | ReservationRejected:
    change_id = envelope.saga_id
    reason = rejection_reason(command)
    if reason is not None:
        return _rejected(reason)
    repository = ReservationRepository(database)
    if await repository.is_change_withdrawn(change_id):
        return _rejected(CHANGE_WITHDRAWN)
    answer = await _write_change(repository, command, change_id)
    if isinstance(answer, ReservationChanged) and await repository.is_change_withdrawn(change_id):
        # Withdrawn while this was writing: its revert may have found nothing to undo.
        await revert_change(repository, command.booking_saga_id, change_id, CHANGE_WITHDRAWN)
        return _rejected(CHANGE_WITHDRAWN)
    return answer


async def _write_change(
    repository: ReservationRepository, command: ChangeReservation, change_id: str
) -> ReservationChanged | ReservationRejected:
    for _ in range(MAX_WRITE_ATTEMPTS):
        current = await repository.by_saga(command.booking_saga_id)
        if current is None:
            return _rejected(NO_RESERVATION)
        written = current.version_written_by(change_id)
        if written is not None:  # a resend: the same answer again
            RESERVATION_OUTCOMES.labels("change_found").inc()
            return _changed(current, written)
        if current.status is ReservationStatus.CANCELLED:
            return _rejected(CANCELLED_NOT_CHANGED)
        new_version = changed_reservation(current, command, change_id, utc_now())
        if await repository.replace(new_version, current):
            RESERVATION_OUTCOMES.labels("changed").inc()
            log.info(
                "reservation changed",
                reservation_id=current.reservation_id,
                version=new_version.version,
                change_id=change_id,
            )
            return _changed(new_version, new_version.version)
    raise ConcurrentWrites(f"{MAX_WRITE_ATTEMPTS} writes of the reservation lost their race")


async def handle_revert_reservation_change(
    command: RevertReservationChange,
    envelope: Envelope,
    database: AsyncIOMotorDatabase[dict[str, Any]],
) -> ReservationChangeReverted:
    change_id, booking_saga_id = envelope.saga_id, command.booking_saga_id
    repository = ReservationRepository(database)
    # Marked first: a change still on its way is refused when it arrives, and one writing
    # right now sees the mark after its write and undoes itself.
    await repository.mark_change_withdrawn(change_id, booking_saga_id, command.reason, utc_now())
    reservation = await revert_change(repository, booking_saga_id, change_id, command.reason)
    return ReservationChangeReverted(
        booking_saga_id=booking_saga_id,
        version=None if reservation is None else reservation.version,
    )


async def revert_change(
    repository: ReservationRepository, booking_saga_id: str, change_id: str, reason: str
) -> Reservation | None:
    """The booking's reservation once change `change_id` is no longer in force: the version
    before it written again if the change wrote the current version, else as it is (reverted
    already, or never made). None when the booking has no reservation."""
    for _ in range(MAX_WRITE_ATTEMPTS):
        current = await repository.by_saga(booking_saga_id)
        if current is None:
            RESERVATION_OUTCOMES.labels("absent").inc()
            return None
        if current.changed_by != change_id:
            RESERVATION_OUTCOMES.labels("nothing_to_revert").inc()
            return current
        reverted = current.reverted(change_id, reason, utc_now())
        if await repository.replace(reverted, current):
            RESERVATION_OUTCOMES.labels("change_reverted").inc()
            log.info(
                "reservation change reverted",
                reservation_id=current.reservation_id,
                version=reverted.version,
                change_id=change_id,
            )
            return reverted
    raise ConcurrentWrites(f"{MAX_WRITE_ATTEMPTS} writes of the reservation lost their race")


def _changed(reservation: Reservation, version: int) -> ReservationChanged:
    return ReservationChanged(
        reservation_id=reservation.reservation_id,
        confirmation_code=reservation.confirmation_code,
        version=version,
    )


def _rejected(reason: str) -> ReservationRejected:
    RESERVATION_OUTCOMES.labels("rejected").inc()
    return ReservationRejected(reason=reason)
