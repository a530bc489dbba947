"""Why a saga failed, in sentences an agent can read to a client (contracts/reasons.py holds
each sentence with its code, which the apps translate)."""

from __future__ import annotations

from contracts.base import Reply
from contracts.clients import ClientRejected
from contracts.orchestrator import BookingNotChangeable
from contracts.reasons import reason_text
from contracts.reservations import ReservationRejected
from contracts.rooms import RoomUnavailable
from contracts.topology import Service

HOLD_EXPIRED = reason_text("reason.hold_expired")
CHANGE_HOLD_EXPIRED = reason_text("reason.change_hold_expired")
COMPENSATION = reason_text("reason.compensation")
OPERATOR_COMPENSATION = reason_text("reason.operator_stopped")

_ROOM_UNAVAILABLE = {
    "no_room_free": "reason.no_room_free",
    "unknown_room_type": "reason.unknown_room_type",
    "over_capacity": "reason.over_capacity",
    "invalid_stay": "reason.invalid_stay",
}
_CLIENT_REJECTED = {
    "unknown": "reason.client_unknown",
    "blocked": "reason.client_blocked",
}


def room_unavailable(reply: Reply) -> str:
    assert isinstance(reply, RoomUnavailable)
    return reason_text(_ROOM_UNAVAILABLE[reply.reason])


def client_rejected(reply: Reply) -> str:
    assert isinstance(reply, ClientRejected)
    return reason_text(_CLIENT_REJECTED[reply.reason])


def reservation_rejected(reply: Reply) -> str:
    assert isinstance(reply, ReservationRejected)
    return reason_text("reason.reservation_rejected", detail=reply.reason.rstrip("."))


def no_answer(service: Service) -> str:
    return reason_text("reason.no_answer", service=str(service))


def not_changeable(reply: Reply) -> str:
    assert isinstance(reply, BookingNotChangeable)
    return reply.reason
