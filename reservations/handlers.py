"""The reservations service's command handlers, idempotent by saga.

A saga has at most one reservation (unique `saga_id`), so a retried `WriteReservation`
with a new message id finds the first one and answers with the same confirmation code.
A `CancelReservation` that overtakes its `WriteReservation` (the write timed out, the saga
compensated) leaves a mark on the saga, and the late write then cancels what it wrote: no
reservation outlives the booking it belonged to.

Changes of a reservation (new versions, and their reverts) are in `reservations.changes`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog
from motor.motor_asyncio import AsyncIOMotorDatabase
from pymongo.errors import DuplicateKeyError

from contracts.envelope import Envelope, new_id, utc_now
from contracts.reservations import (
    CancelReservation,
    ReservationCancelled,
    ReservationRejected,
    ReservationWritten,
    WriteReservation,
)
from reservations.adapters.repository import (
    MAX_WRITE_ATTEMPTS,
    ConcurrentWrites,
    ReservationRepository,
)
from reservations.domain.confirmation_code import new_confirmation_code
from reservations.domain.model import Reservation, ReservationStatus
from reservations.domain.rules import new_reservation, rejection_reason
from reservations.metrics import RESERVATION_OUTCOMES

log = structlog.get_logger(__name__)

# With 31**8 codes a collision is rare; several in a row mean something else is wrong.
MAX_CODE_ATTEMPTS = 5
CANCELLED_BEFORE_WRITTEN = "the booking was cancelled before its reservation was written"


class ConfirmationCodesExhausted(RuntimeError):
    pass


async def handle_write_reservation(
    command: WriteReservation,
    envelope: Envelope,
    database: AsyncIOMotorDatabase[dict[str, Any]],
    new_code: Callable[[], str] = new_confirmation_code,
) -> ReservationWritten | ReservationRejected:
    reason = rejection_reason(command)
    if reason is not None:
        RESERVATION_OUTCOMES.labels("rejected").inc()
        return ReservationRejected(reason=reason)
    repository = ReservationRepository(database)
    reservation = await _insert_or_find(repository, command, envelope.saga_id, new_code)
    if reservation.status is ReservationStatus.CANCELLED:
        RESERVATION_OUTCOMES.labels("rejected").inc()
        return ReservationRejected(reason="the reservation of this booking was cancelled")
    if await repository.is_saga_cancelled(envelope.saga_id):
        await _cancel(repository, reservation, CANCELLED_BEFORE_WRITTEN)
        RESERVATION_OUTCOMES.labels("rejected").inc()
        return ReservationRejected(reason=CANCELLED_BEFORE_WRITTEN)
    return ReservationWritten(
        reservation_id=reservation.reservation_id,
        confirmation_code=reservation.confirmation_code,
    )


async def _insert_or_find(
    repository: ReservationRepository,
    command: WriteReservation,
    saga_id: str,
    new_code: Callable[[], str],
) -> Reservation:
    for _ in range(MAX_CODE_ATTEMPTS):
        reservation = new_reservation(command, saga_id, new_id(), new_code(), utc_now())
        try:
            await repository.insert(reservation)
        except DuplicateKeyError:
            existing = await repository.by_saga(saga_id)
            if existing is not None:
                RESERVATION_OUTCOMES.labels("found_existing").inc()
                return existing
            continue  # the confirmation code was taken: draw another
        RESERVATION_OUTCOMES.labels("written").inc()
        log.debug("reservation written", reservation_id=reservation.reservation_id)
        return reservation
    raise ConfirmationCodesExhausted(
        f"{MAX_CODE_ATTEMPTS} confirmation codes in a row were already taken"
    )


async def handle_cancel_reservation(
    command: CancelReservation,
    envelope: Envelope,
    database: AsyncIOMotorDatabase[dict[str, Any]],
) -> ReservationCancelled:
    repository = ReservationRepository(database)
    # Marked first, so a write racing with this cancellation sees the mark after its insert.
    await repository.mark_saga_cancelled(command.booking_saga_id, utc_now())
    reservation = await repository.by_saga(command.booking_saga_id)
    if reservation is None:
        RESERVATION_OUTCOMES.labels("absent").inc()
        return ReservationCancelled(booking_saga_id=command.booking_saga_id, reservation_id=None)
    await _cancel(repository, reservation, command.reason)
    return ReservationCancelled(
        booking_saga_id=command.booking_saga_id, reservation_id=reservation.reservation_id
    )


async def _cancel(repository: ReservationRepository, reservation: Reservation, reason: str) -> None:
    current: Reservation | None = reservation
    for _ in range(MAX_WRITE_ATTEMPTS):
        if current is None or current.status is ReservationStatus.CANCELLED:
            return  # a concurrent cancellation got there first: the same outcome
        if await repository.replace(current.cancelled(reason, utc_now()), current):
            RESERVATION_OUTCOMES.labels("cancelled").inc()
            log.info("reservation cancelled", reservation_id=current.reservation_id)
            return
        # Another cancellation, or a change, was written since: read it and decide again.
        current = await repository.by_id(current.reservation_id)
    raise ConcurrentWrites(f"{MAX_WRITE_ATTEMPTS} writes of the reservation lost their race")
