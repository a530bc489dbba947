"""The booking saga, with its cancellation, in every version still able to finish a saga."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from contracts.base import Reply
from contracts.clients import ClientRejected, ClientVerified, VerifyClient
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
    Milestone,
    RetryPolicy,
    SagaDefinition,
    StepDefinition,
)
from orchestrator.domain.model import BookingData, Saga, SagaState

KIND = "booking"
HOLD_ROOM = "hold_room"
VERIFY_CLIENT = "verify_client"
WRITE_RESERVATION = "write_reservation"
CONFIRM_HOLD = "confirm_hold"
RELEASE_HOLD = "release_hold"
CANCEL_RESERVATION = "cancel_reservation"
RELEASE_BOOKING = "release_booking"


def _hold_room(saga: Saga) -> HoldRoom:
    data = saga.data
    return HoldRoom(
        hotel_id=data.hotel_id, room_type_id=data.room_type_id, stay=data.stay, guests=data.guests
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


def _undo_reason(saga: Saga) -> str:
    return saga.data.cancel_reason or saga.failure_reason or reasons.COMPENSATION


def _steps(deadline: timedelta, retry: RetryPolicy) -> dict[str, StepDefinition]:
    steps = (
        StepDefinition(
            HOLD_ROOM, Service.ROOMS, _hold_room, (RoomHeld,), (RoomUnavailable,),
            record=_record_hold, failure_reason=reasons.room_unavailable,
            compensation=RELEASE_HOLD,
        ),
        StepDefinition(
            VERIFY_CLIENT, Service.CLIENTS, lambda s: VerifyClient(client_id=s.data.client_id),
            (ClientVerified,), (ClientRejected,), failure_reason=reasons.client_rejected,
        ),
        StepDefinition(
            WRITE_RESERVATION, Service.RESERVATIONS, _write_reservation,
            (ReservationWritten,), (ReservationRejected,), record=_record_reservation,
            failure_reason=reasons.reservation_rejected, compensation=CANCEL_RESERVATION,
        ),
        StepDefinition(
            CONFIRM_HOLD, Service.ROOMS, lambda _s: ConfirmHold(), (HoldConfirmed,),
            (HoldExpired,), failure_reason=lambda _r: reasons.HOLD_EXPIRED,
            compensation=RELEASE_BOOKING,
        ),
        StepDefinition(
            RELEASE_HOLD, Service.ROOMS, lambda s: ReleaseHold(reason=_undo_reason(s)),
            (HoldReleased,),
        ),
        StepDefinition(
            CANCEL_RESERVATION, Service.RESERVATIONS,
            lambda s: CancelReservation(booking_saga_id=s.saga_id, reason=_undo_reason(s)),
            (ReservationCancelled,),
        ),
        StepDefinition(
            RELEASE_BOOKING, Service.ROOMS,
            lambda s: ReleaseBooking(booking_saga_id=s.saga_id), (BookingReleased,),
        ),
    )  # fmt: skip
    return {s.name: replace(s, deadline=deadline, retry=retry) for s in steps}


MILESTONES = (
    Milestone(SagaState.ROOM_HELD, frozenset({HOLD_ROOM})),
    Milestone(SagaState.CLIENT_VERIFIED, frozenset({HOLD_ROOM, VERIFY_CLIENT})),
    Milestone(SagaState.RESERVED, frozenset({HOLD_ROOM, VERIFY_CLIENT, WRITE_RESERVATION})),
    Milestone(
        SagaState.CONFIRMED, frozenset({HOLD_ROOM, VERIFY_CLIENT, WRITE_RESERVATION, CONFIRM_HOLD})
    ),
)


DEFAULT_RETRY = RetryPolicy()


def booking_definitions(
    deadline: timedelta = timedelta(seconds=10), retry: RetryPolicy = DEFAULT_RETRY
) -> DefinitionRegistry:
    """Every booking definition still able to finish a saga.

    Version 1 ran the steps one after the other. Version 2 holds and verifies in parallel, and
    undoes a confirmation with its own ReleaseBooking, which reverse order sends before the
    reservation is cancelled: a room freed while its reservation still stands. Version 3 (new
    sagas) lets ReleaseHold undo the hold whether or not it was confirmed, so a failed booking
    cancels its reservation first and frees its nights last.
    """
    steps = _steps(deadline, retry)
    unconfirmed = {**steps, CONFIRM_HOLD: replace(steps[CONFIRM_HOLD], compensation=None)}
    cancellation = ((CANCEL_RESERVATION,), (RELEASE_BOOKING,))
    in_turn = ((HOLD_ROOM,), (VERIFY_CLIENT,), (WRITE_RESERVATION,), (CONFIRM_HOLD,))
    in_parallel = ((HOLD_ROOM, VERIFY_CLIENT), (WRITE_RESERVATION,), (CONFIRM_HOLD,))
    return DefinitionRegistry(
        tuple(
            SagaDefinition(
                KIND, version, version_steps, forward=forward, milestones=MILESTONES,
                cancellation=cancellation,
            )
            for version, version_steps, forward in (
                (1, unconfirmed, in_turn),
                (2, steps, in_parallel),
                (3, unconfirmed, in_parallel),
            )
        )
    )  # fmt: skip
