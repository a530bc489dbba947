"""Replies built from a stored hold, so every copy of an answer carries the same hold."""

from __future__ import annotations

from contracts.rooms import RoomHeld
from contracts.values import NightlyPrice, Stay
from rooms.adapters.holds import HeldRoomNames
from rooms.domain.holds import Hold


def room_held(hold: Hold, names: HeldRoomNames) -> RoomHeld:
    return RoomHeld(
        hold_id=hold.hold_id,
        hotel_id=hold.hotel_id,
        room_type_id=hold.room_type_id,
        room_id=hold.room_id,
        room_number=names.room_number,
        hotel_name=names.hotel_name,
        room_type_name=names.room_type_name,
        stay=Stay(check_in=hold.check_in, check_out=hold.check_out),
        nightly_prices=[NightlyPrice(night=n, price=p) for n, p in hold.nightly_prices],
        total=hold.total,
        currency=hold.currency,
        hold_expires_at=hold.expires_at,
    )
