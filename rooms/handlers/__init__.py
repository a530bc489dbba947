"""The rooms service's command handlers, keyed by command type for the consumer."""

from __future__ import annotations

from contracts.base import Message
from contracts.rooms import ConfirmHold, HoldRoom, MoveBooking, ReleaseBooking, ReleaseHold
from infra.messaging.inbox import Handler
from rooms.handlers.holding import HoldPolicy, HoldRoomHandler
from rooms.handlers.moving import move_booking
from rooms.handlers.releasing import confirm_hold, release_booking, release_hold


def command_handlers(policy: HoldPolicy) -> dict[type[Message], Handler]:
    return {
        HoldRoom: HoldRoomHandler(policy),
        ReleaseHold: release_hold,
        ConfirmHold: confirm_hold,
        ReleaseBooking: release_booking,
        MoveBooking: move_booking,
    }


__all__ = ["HoldPolicy", "command_handlers"]
