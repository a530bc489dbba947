"""HoldRoom: take every night of the stay in one free room, once per saga."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from contracts.envelope import Envelope, utc_now
from contracts.rooms import HoldRoom, RoomHeld, RoomUnavailable
from infra.stores.driver_sql import DriverTransaction
from infra.stores.sql_inbox import SqlWork
from rooms.adapters import holds
from rooms.adapters.catalogue import SellableType
from rooms.adapters.hold_context import read_hold_context
from rooms.adapters.holds import HeldRoomNames
from rooms.adapters.occupancy import RoomsOfType
from rooms.domain.availability import candidate_order, free_rooms
from rooms.domain.holds import Hold
from rooms.domain.model import HoldStatus
from rooms.domain.pricing import NotPriced, Quote, nights_of, quote
from rooms.domain.stays import StayProblem, check_dates, check_guests, today_at
from rooms.handlers.replies import room_held
from rooms.metrics import HOLD_OUTCOMES

UnavailableReason = Literal["no_room_free", "unknown_room_type", "over_capacity", "invalid_stay"]


@dataclass(frozen=True)
class HoldPolicy:
    hold_expiry: timedelta = timedelta(minutes=15)
    max_stay_nights: int = 30
    clock: Callable[[], datetime] = field(default=utc_now)


class HoldRoomHandler:
    def __init__(self, policy: HoldPolicy) -> None:
        self._policy = policy

    async def __call__(
        self, command: HoldRoom, envelope: Envelope, work: SqlWork
    ) -> RoomHeld | RoomUnavailable:
        statements = work.statements
        stay = command.stay
        context = await read_hold_context(
            statements, envelope.saga_id, command.room_type_id, stay.check_in, stay.check_out
        )
        if context.already_held:
            # One hold per saga: a retry with a new message id gets the same hold back.
            existing = await holds.find_by_saga(statements, envelope.saga_id)
            if existing is not None:
                return room_held(existing, await holds.names_of(statements, existing))
        reply = await self._hold(command, envelope, statements, context.sellable, context.rooms)
        HOLD_OUTCOMES.labels("held" if isinstance(reply, RoomHeld) else reply.reason).inc()
        return reply

    async def _hold(
        self,
        command: HoldRoom,
        envelope: Envelope,
        statements: DriverTransaction,
        sellable: SellableType | None,
        of_type: RoomsOfType,
    ) -> RoomHeld | RoomUnavailable:
        stay = command.stay
        if sellable is None or sellable.hotel.id != command.hotel_id:
            return _unavailable(
                "unknown_room_type",
                f"hotel {command.hotel_id} has no room type {command.room_type_id}",
            )
        now = self._policy.clock()
        hotel_today = today_at(sellable.hotel.time_zone, now)
        rejected = check_dates(
            stay.check_in, stay.check_out, hotel_today, self._policy.max_stay_nights
        ) or check_guests(command.guests, sellable.room_type.capacity)
        if rejected is not None:
            over = rejected.problem is StayProblem.OVER_CAPACITY
            return _unavailable("over_capacity" if over else "invalid_stay", rejected.detail)
        try:
            priced = quote(
                sellable.rates,
                stay.check_in,
                stay.check_out,
                sellable.hotel.currency,
                sellable.night_prices,
            )
        except NotPriced as exc:
            return _unavailable("invalid_stay", f"the room type is not sold then: {exc}")
        return await self._take_a_room(
            command, envelope, statements, sellable, of_type, priced, now
        )

    async def _take_a_room(
        self,
        command: HoldRoom,
        envelope: Envelope,
        statements: DriverTransaction,
        sellable: SellableType,
        of_type: RoomsOfType,
        priced: Quote,
        now: datetime,
    ) -> RoomHeld | RoomUnavailable:
        stay = command.stay
        room_ids = list(of_type.numbers)
        if command.room_id is not None:
            if command.room_id not in of_type.numbers:
                return _unavailable(
                    "unknown_room_type",
                    f"room {command.room_id} is not a room of type {command.room_type_id}",
                )
            room_ids = [command.room_id]
        nights = nights_of(stay.check_in, stay.check_out)
        rooms_in_order = candidate_order(free_rooms(room_ids, of_type.taken))
        already_had = await _booking_nights(statements, command, room_ids)
        if already_had is not None:  # a change: its booking's own room first, if free of others
            own_room = already_had[0]
            rooms_in_order = [own_room, *(r for r in rooms_in_order if r != own_room)]
        hold_id = str(uuid.uuid4())

        def hold_in(room_id: str) -> Hold:
            return _new_hold(hold_id, command, envelope, room_id, priced, now, self._policy)

        hold = await holds.hold_first_free(
            statements, hold_in, rooms_in_order, nights, now, already_had
        )
        if hold is not None:
            names = HeldRoomNames(
                sellable.hotel.name, sellable.room_type.name, of_type.numbers[hold.room_id]
            )
            return room_held(hold, names)
        return _unavailable(
            "no_room_free", f"no room of type {command.room_type_id} is free for every night"
        )


async def _booking_nights(
    statements: DriverTransaction, command: HoldRoom, room_ids: list[str]
) -> tuple[str, frozenset[date]] | None:
    """For a change (`instead_of`): the booking's room, if it is one of `room_ids` and no
    other hold has a night of the new stay in it, and the nights the booking has there."""
    if command.instead_of is None:
        return None
    stay = command.stay
    found = await holds.find_with_clash(
        statements, command.instead_of, stay.check_in, stay.check_out
    )
    if found is None:
        return None
    booking, taken_by_others = found
    if booking.status is not HoldStatus.CONFIRMED:
        return None
    if booking.room_id not in room_ids or taken_by_others:
        return None
    return booking.room_id, frozenset(nights_of(booking.check_in, booking.check_out))


def _new_hold(
    hold_id: str,
    command: HoldRoom,
    envelope: Envelope,
    room_id: str,
    priced: Quote,
    now: datetime,
    policy: HoldPolicy,
) -> Hold:
    return Hold(
        hold_id=hold_id,
        saga_id=envelope.saga_id,
        hotel_id=command.hotel_id,
        room_type_id=command.room_type_id,
        room_id=room_id,
        check_in=command.stay.check_in,
        check_out=command.stay.check_out,
        guests=command.guests,
        status=HoldStatus.HELD,
        # Whole seconds, as the store keeps them: a later copy of the reply is identical.
        expires_at=(now + policy.hold_expiry).replace(microsecond=0),
        nightly_prices=priced.nightly_prices,
        total=priced.total,
        currency=priced.currency,
    )


def _unavailable(reason: UnavailableReason, detail: str) -> RoomUnavailable:
    return RoomUnavailable(reason=reason, detail=detail[:500])
