"""Every message type the platform knows, by its versioned type name."""

from __future__ import annotations

from contracts import booking, clients, events, orchestrator, partners, reservations, rooms
from contracts.base import Message

ALL_MESSAGES: tuple[type[Message], ...] = (
    rooms.HoldRoom,
    rooms.ReleaseHold,
    rooms.ConfirmHold,
    rooms.ReleaseBooking,
    rooms.RoomHeld,
    rooms.RoomUnavailable,
    rooms.HoldReleased,
    rooms.HoldConfirmed,
    rooms.HoldExpired,
    rooms.BookingReleased,
    rooms.MoveBooking,
    rooms.BookingMoved,
    clients.VerifyClient,
    clients.ClientVerified,
    clients.ClientRejected,
    reservations.WriteReservation,
    reservations.CancelReservation,
    reservations.ReservationWritten,
    reservations.ReservationRejected,
    reservations.ReservationCancelled,
    reservations.ChangeReservation,
    reservations.RevertReservationChange,
    reservations.ReservationChanged,
    reservations.ReservationChangeReverted,
    booking.StartBooking,
    booking.CancelBooking,
    booking.StartChange,
    booking.SagaProgressed,
    booking.CommandSuperseded,
    events.BookingConfirmed,
    events.BookingFailed,
    events.BookingCancelled,
    events.BookingChanged,
    orchestrator.LockBooking,
    orchestrator.UnlockBooking,
    orchestrator.ApplyChange,
    orchestrator.BookingLocked,
    orchestrator.BookingNotChangeable,
    orchestrator.BookingUnlocked,
    orchestrator.ChangeApplied,
    partners.RequestBooking,
    partners.RequestCancellation,
    partners.BookingAccepted,
    partners.CancellationAccepted,
    partners.BookingRejected,
)

MESSAGE_TYPES: dict[str, type[Message]] = {m.message_type: m for m in ALL_MESSAGES}


class UnknownMessageType(LookupError):
    pass


def model_for(message_type: str) -> type[Message]:
    try:
        return MESSAGE_TYPES[message_type]
    except KeyError:
        raise UnknownMessageType(f"unknown message type {message_type!r}") from None
