"""Why a saga failed, in sentences an agent can read to a client."""

from __future__ import annotations

from contracts.base import Reply
from contracts.clients import ClientRejected
from contracts.orchestrator import BookingNotChangeable
from contracts.reservations import ReservationRejected
from contracts.rooms import RoomUnavailable
from contracts.topology import Service

HOLD_EXPIRED = "The room hold expired before the booking could be confirmed."
CHANGE_HOLD_EXPIRED = (
    "The hold on the new nights expired before the change was made; the booking is unchanged."
)
COMPENSATION = "The booking could not be completed."
OPERATOR_COMPENSATION = "An operator stopped the booking."

_ROOM_UNAVAILABLE = {
    "no_room_free": "No room of this type is free for these dates.",
    "unknown_room_type": "This hotel has no such room type.",
    "over_capacity": "This room type cannot take that many guests.",
    "invalid_stay": "The requested stay is not valid.",
}
_CLIENT_REJECTED = {
    "unknown": "The client is unknown.",
    "blocked": "The client is blocked.",
}


def room_unavailable(reply: Reply) -> str:
    assert isinstance(reply, RoomUnavailable)
    return _ROOM_UNAVAILABLE[reply.reason]


def client_rejected(reply: Reply) -> str:
    assert isinstance(reply, ClientRejected)
    return _CLIENT_REJECTED[reply.reason]


def reservation_rejected(reply: Reply) -> str:
    assert isinstance(reply, ReservationRejected)
    return f"The reservation could not be written: {reply.reason.rstrip('.')}."[:500]


def no_answer(service: Service) -> str:
    return f"The {service} service did not answer in time."


def not_changeable(reply: Reply) -> str:
    assert isinstance(reply, BookingNotChangeable)
    return reply.reason
