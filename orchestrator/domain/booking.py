"""The booking saga and its cancellation, in every version still able to finish a saga.

Read a step as: what it sends, to whom, which replies end it, and what undoes it. Undos come
first because a step names its undo. When a booking fails, `SagaDefinition.undo_order` undoes
every forward step that happened or may have, last written first; cancelling a confirmed
booking runs the same rule over every forward step (older versions wrote theirs out).
"""

from __future__ import annotations

from datetime import timedelta

from contracts.base import Event, Reply
from contracts.clients import ClientRejected, ClientVerified, VerifyClient
from contracts.events import BookingCancelled, BookingConfirmed, BookingFailed
from contracts.reservations import (
    CancelReservation,
    ReservationCancelled,
    ReservationRejected,
    ReservationWritten,
    WriteReservation,
)
from contracts.rooms import (
    BookingReleased,
    ConfirmHold,
    HoldConfirmed,
    HoldExpired,
    HoldReleased,
    HoldRoom,
    ReleaseBooking,
    ReleaseHold,
    RoomHeld,
    RoomUnavailable,
)
from contracts.topology import Service
from orchestrator.domain import reasons
from orchestrator.domain.definition import (
    DefinitionRegistry,
    Retry,
    SagaDefinition,
    Step,
    together,
)
from orchestrator.domain.model import BookingData, Saga, SagaState

KIND = "booking"
# An undo never gives up (the step it undoes may have happened): past its attempts the saga
# shows STUCK while the undo goes on being resent.
UNDO_RETRY = Retry(attempts=3, first_delay=timedelta(seconds=1), max_delay=timedelta(seconds=30))

# --- the undos -----------------------------------------------------------------------------


def undo_reason(saga: Saga) -> str:
    return saga.data.cancel_reason or saga.failure_reason or reasons.COMPENSATION


RELEASE_HOLD = Step(
    "release_hold",
    to=Service.ROOMS,
    send=lambda saga: ReleaseHold(reason=undo_reason(saga)),
    done=(HoldReleased,),
    retry=UNDO_RETRY,
)
CANCEL_RESERVATION = Step(
    "cancel_reservation",
    to=Service.RESERVATIONS,
    send=lambda saga: CancelReservation(booking_saga_id=saga.saga_id, reason=undo_reason(saga)),
    done=(ReservationCancelled,),
    retry=UNDO_RETRY,
)
RELEASE_BOOKING = Step(  # a confirmed booking's nights; version 2's undo of its confirmation
    "release_booking",
    to=Service.ROOMS,
    send=lambda saga: ReleaseBooking(booking_saga_id=saga.saga_id),
    done=(BookingReleased,),
    retry=UNDO_RETRY,
)

# --- the forward steps ---------------------------------------------------------------------


def _hold_room(saga: Saga) -> HoldRoom:
    data = saga.data
    return HoldRoom(
        hotel_id=data.hotel_id,
        room_type_id=data.room_type_id,
        stay=data.stay,
        guests=data.guests,
        instead_of=data.booking_id,  # a change: its booking's nights are its own to keep
    )


def _record_hold(data: BookingData, reply: Reply) -> BookingData:
    assert isinstance(reply, RoomHeld)
    return data.model_copy(
        update={
            "hold_id": reply.hold_id,
            "room_id": reply.room_id,
            "room_number": reply.room_number,
            "hotel_name": reply.hotel_name,
            "room_type_name": reply.room_type_name,
            "nightly_prices": tuple(reply.nightly_prices),
            "total": reply.total,
            "currency": reply.currency,
            "hold_expires_at": reply.hold_expires_at,
        }
    )


def _write_reservation(saga: Saga) -> WriteReservation:
    data = saga.data
    return WriteReservation(
        client_id=data.client_id,
        agency_id=data.agency_id,
        hotel_id=data.hotel_id,
        hotel_name=data.hotel_name or "",
        room_type_id=data.room_type_id,
        room_type_name=data.room_type_name or "",
        room_id=data.room_id or "",
        room_number=data.room_number or "",
        stay=data.stay,
        guests=data.guests,
        nightly_prices=list(data.nightly_prices),
        total=data.total or 0,
        currency=data.currency or "",
    )


def _record_reservation(data: BookingData, reply: Reply) -> BookingData:
    assert isinstance(reply, ReservationWritten)
    return data.model_copy(
        update={
            "reservation_id": reply.reservation_id,
            "confirmation_code": reply.confirmation_code,
        }
    )


HOLD_ROOM = Step(
    "hold_room",
    to=Service.ROOMS,
    send=_hold_room,
    done=(RoomHeld,),
    record=_record_hold,
    reaches=SagaState.ROOM_HELD,
    refused={RoomUnavailable: reasons.room_unavailable},
    undo=RELEASE_HOLD,  # frees the nights whether or not the hold was confirmed
)
VERIFY_CLIENT = Step(
    "verify_client",
    to=Service.CLIENTS,
    send=lambda saga: VerifyClient(client_id=saga.data.client_id),
    done=(ClientVerified,),
    reaches=SagaState.CLIENT_VERIFIED,
    refused={ClientRejected: reasons.client_rejected},
    deadline=timedelta(seconds=5),  # one indexed read: an answer this late means trouble
)
WRITE_RESERVATION = Step(
    "write_reservation",
    to=Service.RESERVATIONS,
    send=_write_reservation,
    done=(ReservationWritten,),
    record=_record_reservation,
    reaches=SagaState.RESERVED,
    refused={ReservationRejected: reasons.reservation_rejected},
    undo=CANCEL_RESERVATION,
)
CONFIRM_HOLD = Step(
    "confirm_hold",
    to=Service.ROOMS,
    send=lambda _saga: ConfirmHold(),
    done=(HoldConfirmed,),
    reaches=SagaState.CONFIRMED,
    refused={HoldExpired: lambda _reply: reasons.HOLD_EXPIRED},
    # no undo of its own: undoing the hold (release_hold) frees a confirmed hold too
)

# --- what the world hears when a booking ends ----------------------------------------------


def booking_ended(saga: Saga, state: SagaState) -> tuple[Event, str] | None:
    """The public event of a booking that ended in `state`: ids only, no personal data."""
    data, booking_id = saga.data, saga.saga_id
    if state == SagaState.CONFIRMED:
        confirmed = BookingConfirmed(
            booking_id=booking_id,
            reservation_id=data.reservation_id or "",
            confirmation_code=data.confirmation_code or "",
            client_id=data.client_id,
            agency_id=data.agency_id,
            hotel_id=data.hotel_id,
            room_type_id=data.room_type_id,
            stay=data.stay,
            total=data.total or 0,
            currency=data.currency or "",
        )
        return confirmed, BookingConfirmed.public_name
    where = {"booking_id": booking_id, "agency_id": data.agency_id, "hotel_id": data.hotel_id}
    if state == SagaState.FAILED:
        return BookingFailed(**where, reason=saga.failure_reason or ""), BookingFailed.public_name
    if state == SagaState.CANCELLED:
        return BookingCancelled(
            **where, reason=data.cancel_reason or ""
        ), BookingCancelled.public_name
    return None


# --- the versions --------------------------------------------------------------------------

CURRENT = SagaDefinition(  # cancelling undoes every step, last first, as a failure does
    KIND,
    version=4,
    forward=(together(HOLD_ROOM, VERIFY_CLIENT), WRITE_RESERVATION, CONFIRM_HOLD),
    ends_with=booking_ended,
)

# Older versions, kept while a saga started under them may still be in flight. Each differs
# from the next in one line.
VERSION_3 = SagaDefinition(  # cancellation released the nights with ReleaseBooking
    KIND,
    version=3,
    forward=(together(HOLD_ROOM, VERIFY_CLIENT), WRITE_RESERVATION, CONFIRM_HOLD),
    cancellation=(CANCEL_RESERVATION, RELEASE_BOOKING),
    ends_with=booking_ended,
)
VERSION_2 = SagaDefinition(  # a confirmation had its own undo, so the room was freed first
    KIND,
    version=2,
    forward=(
        together(HOLD_ROOM, VERIFY_CLIENT),
        WRITE_RESERVATION,
        CONFIRM_HOLD.undone_by(RELEASE_BOOKING),
    ),
    cancellation=(CANCEL_RESERVATION, RELEASE_BOOKING),
    ends_with=booking_ended,
)
VERSION_1 = SagaDefinition(  # the steps ran one after the other
    KIND,
    version=1,
    forward=(HOLD_ROOM, VERIFY_CLIENT, WRITE_RESERVATION, CONFIRM_HOLD),
    cancellation=(CANCEL_RESERVATION, RELEASE_BOOKING),
    ends_with=booking_ended,
)

BOOKINGS = DefinitionRegistry((VERSION_1, VERSION_2, VERSION_3, CURRENT))
