"""MoveBooking on MySQL: a confirmed booking takes over the nights its change saga holds.

Every command goes through the rooms inbox with the service's own handlers, as its consumer
applies them. What is asserted is what a guest relies on: which nights of which room each
booking holds, and that nights given up are free for the next guest.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.base import Command, Reply
from contracts.envelope import Envelope, new_id
from contracts.registry import model_for
from contracts.rooms import (
    BookingMoved,
    BookingReleased,
    ConfirmHold,
    HoldConfirmed,
    HoldExpired,
    HoldReleased,
    HoldRoom,
    MoveBooking,
    ReleaseBooking,
    ReleaseHold,
    RoomHeld,
)
from contracts.values import Stay
from infra.messaging.codec import Decoded
from infra.stores.sql_inbox import SqlInbox
from rooms.adapters.store import open_store
from rooms.adapters.tables import holds, inbox, rates, room_nights, room_types, rooms
from rooms.domain.pricing import nights_of
from rooms.handlers import HoldPolicy, command_handlers
from rooms.sweeper import expire_lapsed_holds
from tests.integration.test_rooms_holds import HOTEL, ROOM_TYPE, START, add_catalogue
from tests.integration.test_rooms_resent_hold import nights_without_a_live_hold

pytestmark = pytest.mark.integration

SUITE = "lome-test-suite"
SUITE_ROOM = f"{SUITE}-1"
HANDLERS = command_handlers(HoldPolicy())
Night = tuple[str, date]  # (room id, night)


@pytest.fixture
async def engine(sql_database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = await open_store(sql_database_url)
    await add_catalogue(engine, room_count=2)
    await add_suite(engine)
    yield engine
    await engine.dispose()


async def add_suite(engine: AsyncEngine) -> None:
    """A second room type of the same hotel: one suite for up to four guests, dearer."""
    async with engine.begin() as connection:
        await connection.execute(
            room_types.insert().values(
                id=SUITE, hotel_id=HOTEL, name="Suite", capacity=4, beds="1 king", amenities=[]
            )
        )
        await connection.execute(
            rooms.insert().values(id=SUITE_ROOM, room_type_id=SUITE, number="901", floor=9)
        )
        await connection.execute(
            rates.insert().values(
                id="r-suite-year",
                room_type_id=SUITE,
                season="year",
                start_month=1,
                end_month=12,
                weekday_price=Decimal("90000"),
                weekend_price=Decimal("110000"),
            )
        )


async def send(engine: AsyncEngine, command: Command, saga_id: str) -> Reply:
    """One command, under `saga_id` and a new message id, through the rooms inbox."""
    envelope = Envelope.new(command.message_type, saga_id)
    result = await SqlInbox(engine, inbox).process(
        Decoded(envelope, command), HANDLERS[type(command)]
    )
    reply = model_for(result.reply.envelope.message_type).model_validate_json(result.reply.body)
    assert isinstance(reply, Reply)
    return reply


def stay(check_in: date, nights: int) -> Stay:
    return Stay(check_in=check_in, check_out=check_in + timedelta(days=nights))


def hold_room(
    the_stay: Stay, room_type_id: str = ROOM_TYPE, room_id: str | None = None, guests: int = 2
) -> HoldRoom:
    return HoldRoom(
        hotel_id=HOTEL, room_type_id=room_type_id, room_id=room_id, stay=the_stay, guests=guests
    )


def nights(room_id: str, the_stay: Stay) -> set[Night]:
    return {(room_id, night) for night in nights_of(the_stay.check_in, the_stay.check_out)}


async def hold(engine: AsyncEngine, saga_id: str, command: HoldRoom) -> RoomHeld:
    held = await send(engine, command, saga_id)
    assert isinstance(held, RoomHeld), held
    return held


async def book(engine: AsyncEngine, command: HoldRoom) -> tuple[str, RoomHeld]:
    """A confirmed booking (a booking saga's HoldRoom then ConfirmHold): its saga id and hold."""
    saga_id = new_id()
    held = await hold(engine, saga_id, command)
    assert await send(engine, ConfirmHold(), saga_id) == HoldConfirmed(hold_id=held.hold_id)
    return saga_id, held


async def nights_held_by(engine: AsyncEngine, hold_id: str) -> set[Night]:
    query = sa.select(room_nights.c.room_id, room_nights.c.night).where(
        room_nights.c.hold_id == hold_id
    )
    async with engine.connect() as connection:
        return {(room, night) for room, night in await connection.execute(query)}


async def hold_row(engine: AsyncEngine, hold_id: str) -> dict[str, Any]:
    async with engine.connect() as connection:
        query = sa.select(holds).where(holds.c.hold_id == hold_id)
        return dict((await connection.execute(query)).mappings().one())


async def everything(engine: AsyncEngine) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every hold row and every held night, to tell that a command changed nothing."""
    async with engine.connect() as connection:
        hold_rows = await connection.execute(sa.select(holds).order_by(holds.c.hold_id))
        night_rows = await connection.execute(
            sa.select(room_nights).order_by(room_nights.c.room_id, room_nights.c.night)
        )
        return [tuple(r) for r in hold_rows], [tuple(r) for r in night_rows]


async def assert_takes(engine: AsyncEngine, command: HoldRoom) -> None:
    """The nights are free: a new guest's hold on them succeeds (and is released again)."""
    saga_id = new_id()
    await hold(engine, saga_id, command)
    assert isinstance(await send(engine, ReleaseHold(reason="probe"), saga_id), HoldReleased)


async def assert_refused(engine: AsyncEngine, command: HoldRoom) -> None:
    """The nights are someone's: a new guest's hold on them finds no room."""
    reply = await send(engine, command, new_id())
    assert not isinstance(reply, RoomHeld), reply


async def test_a_booking_moved_to_other_dates_owns_the_new_nights_and_frees_the_old(
    engine: AsyncEngine,
) -> None:
    old_stay, new_stay = stay(START, 2), stay(START + timedelta(days=7), 3)
    first_room, second_room = f"{ROOM_TYPE}-1", f"{ROOM_TYPE}-2"
    booking_saga, booked = await book(engine, hold_room(old_stay, room_id=first_room))
    change_saga = new_id()
    change = await hold(engine, change_saga, hold_room(new_stay, room_id=second_room))

    moved = await send(engine, MoveBooking(booking_saga_id=booking_saga), change_saga)

    assert moved == BookingMoved(booking_saga_id=booking_saga, hold_id=booked.hold_id)
    assert await nights_held_by(engine, booked.hold_id) == nights(second_room, new_stay)
    assert await nights_held_by(engine, change.hold_id) == set()
    assert await nights_without_a_live_hold(engine) == []
    booking = await hold_row(engine, booked.hold_id)
    assert booking["status"] == "CONFIRMED"
    assert (booking["room_id"], booking["check_in"], booking["check_out"]) == (
        second_room,
        new_stay.check_in,
        new_stay.check_out,
    )
    assert Decimal(booking["total"]) == change.total
    assert len(booking["prices"]) == 3
    assert (await hold_row(engine, change.hold_id))["status"] == "MOVED"
    # The old nights are anyone's again; the new ones are the booking's alone.
    await assert_takes(engine, hold_room(old_stay, room_id=first_room))
    await assert_refused(engine, hold_room(new_stay, room_id=second_room))
    # And cancelling the booking now frees the new nights.
    cancelled = await send(engine, ReleaseBooking(booking_saga_id=booking_saga), new_id())
    assert cancelled == BookingReleased(booking_saga_id=booking_saga)
    assert await nights_held_by(engine, booked.hold_id) == set()
    await assert_takes(engine, hold_room(new_stay, room_id=second_room))


async def test_a_booking_moved_to_another_room_type_of_the_hotel_with_more_guests(
    engine: AsyncEngine,
) -> None:
    the_stay = stay(START, 3)
    booking_saga, booked = await book(engine, hold_room(the_stay))
    change_saga = new_id()
    change = await hold(engine, change_saga, hold_room(the_stay, room_type_id=SUITE, guests=3))

    moved = await send(engine, MoveBooking(booking_saga_id=booking_saga), change_saga)

    assert moved == BookingMoved(booking_saga_id=booking_saga, hold_id=booked.hold_id)
    assert await nights_held_by(engine, booked.hold_id) == nights(SUITE_ROOM, the_stay)
    booking = await hold_row(engine, booked.hold_id)
    assert (booking["room_type_id"], booking["room_id"], booking["guests"]) == (
        SUITE,
        SUITE_ROOM,
        3,
    )
    assert Decimal(booking["total"]) == change.total > booked.total
    assert booking["currency"] == change.currency
    # The double the booking had is free on those nights; the suite is not.
    await assert_takes(engine, hold_room(the_stay, room_id=booked.room_id))
    await assert_refused(engine, hold_room(the_stay, room_type_id=SUITE))


async def test_move_booking_sent_again_answers_the_same_and_changes_nothing(
    engine: AsyncEngine,
) -> None:
    booking_saga, booked = await book(engine, hold_room(stay(START, 2)))
    change_saga = new_id()
    await hold(engine, change_saga, hold_room(stay(START + timedelta(days=5), 2)))
    move = MoveBooking(booking_saga_id=booking_saga)
    first = await send(engine, move, change_saga)
    after_first = await everything(engine)

    again = await send(engine, move, change_saga)  # a new message id: not an inbox duplicate

    assert again == first == BookingMoved(booking_saga_id=booking_saga, hold_id=booked.hold_id)
    assert await everything(engine) == after_first


async def test_a_released_change_hold_moves_nothing(engine: AsyncEngine) -> None:
    old_stay, new_stay = stay(START, 2), stay(START + timedelta(days=7), 2)
    booking_saga, booked = await book(engine, hold_room(old_stay))
    change_saga = new_id()
    change = await hold(engine, change_saga, hold_room(new_stay))
    await send(engine, ReleaseHold(reason="the client gave up the change"), change_saga)
    before = await everything(engine)

    refused = await send(engine, MoveBooking(booking_saga_id=booking_saga), change_saga)

    assert isinstance(refused, HoldExpired) and refused.hold_id == change.hold_id
    assert "released" in refused.detail
    assert await nights_held_by(engine, booked.hold_id) == nights(booked.room_id, old_stay)
    assert await everything(engine) == before
    await assert_refused(engine, hold_room(old_stay, room_id=booked.room_id))


async def test_a_lapsed_change_hold_expires_frees_its_nights_and_moves_nothing(
    engine: AsyncEngine,
) -> None:
    old_stay, new_stay = stay(START, 2), stay(START + timedelta(days=7), 2)
    booking_saga, booked = await book(engine, hold_room(old_stay))
    change_saga = new_id()
    change = await hold(engine, change_saga, hold_room(new_stay))
    async with engine.begin() as connection:  # lapsed, and no sweep has run yet
        await connection.execute(
            holds.update()
            .where(holds.c.hold_id == change.hold_id)
            .values(expires_at=sa.func.utc_timestamp() - sa.text("INTERVAL 1 MINUTE"))
        )

    refused = await send(engine, MoveBooking(booking_saga_id=booking_saga), change_saga)

    assert isinstance(refused, HoldExpired) and refused.hold_id == change.hold_id
    assert "lapsed" in refused.detail
    assert (await hold_row(engine, change.hold_id))["status"] == "EXPIRED"
    assert await nights_held_by(engine, change.hold_id) == set()
    assert await nights_held_by(engine, booked.hold_id) == nights(booked.room_id, old_stay)
    assert (await hold_row(engine, booked.hold_id))["check_in"] == old_stay.check_in


async def test_no_change_hold_or_no_confirmed_booking_moves_nothing(engine: AsyncEngine) -> None:
    booking_saga, booked = await book(engine, hold_room(stay(START, 2)))
    nothing_held = await send(engine, MoveBooking(booking_saga_id=booking_saga), new_id())
    assert isinstance(nothing_held, HoldExpired) and nothing_held.hold_id is None

    await send(engine, ReleaseBooking(booking_saga_id=booking_saga), new_id())  # cancelled
    change_saga = new_id()
    change = await hold(engine, change_saga, hold_room(stay(START + timedelta(days=7), 2)))
    before = await everything(engine)
    cancelled = await send(engine, MoveBooking(booking_saga_id=booking_saga), change_saga)
    unknown = await send(engine, MoveBooking(booking_saga_id=new_id()), change_saga)

    for refused in (cancelled, unknown):
        assert isinstance(refused, HoldExpired) and refused.hold_id == change.hold_id
    assert await everything(engine) == before
    assert await nights_held_by(engine, booked.hold_id) == set()
    assert (await hold_row(engine, change.hold_id))["status"] == "HELD"


async def test_releasing_the_change_hold_after_the_move_frees_nothing(
    engine: AsyncEngine,
) -> None:
    new_stay = stay(START + timedelta(days=7), 3)
    booking_saga, booked = await book(engine, hold_room(stay(START, 2)))
    change_saga = new_id()
    change = await hold(engine, change_saga, hold_room(new_stay))
    await send(engine, MoveBooking(booking_saga_id=booking_saga), change_saga)
    new_nights = nights(change.room_id, new_stay)

    released = await send(engine, ReleaseHold(reason="a late undo"), change_saga)
    confirmed = await send(engine, ConfirmHold(), change_saga)
    swept = await expire_lapsed_holds(engine, change.hold_expires_at + timedelta(days=1))

    assert released == HoldReleased(hold_id=change.hold_id)
    assert isinstance(confirmed, HoldExpired) and "moved" in confirmed.detail
    assert swept == 0
    assert await nights_held_by(engine, booked.hold_id) == new_nights
    assert (await hold_row(engine, change.hold_id))["status"] == "MOVED"
    assert (await hold_row(engine, booked.hold_id))["status"] == "CONFIRMED"
    await assert_refused(engine, hold_room(new_stay, room_id=change.room_id))
    again = await send(engine, MoveBooking(booking_saga_id=booking_saga), change_saga)
    assert again == BookingMoved(booking_saga_id=booking_saga, hold_id=booked.hold_id)


async def test_a_stay_extended_in_a_full_hotel_keeps_its_room_and_takes_only_the_new_night(
    engine: AsyncEngine,
) -> None:
    old_stay, longer = stay(START, 2), stay(START, 3)
    first_room, second_room = f"{ROOM_TYPE}-1", f"{ROOM_TYPE}-2"
    booking_saga, booked = await book(engine, hold_room(old_stay, room_id=first_room))
    await book(engine, hold_room(longer, room_id=second_room))  # the only other room: full
    # Without saying which booking it changes, the longer stay finds no room.
    await assert_refused(engine, hold_room(longer))
    change_saga = new_id()
    extended = hold_room(longer).model_copy(update={"instead_of": booking_saga})

    change = await hold(engine, change_saga, extended)

    assert change.room_id == first_room
    only_the_new_night = {(first_room, longer.check_out - timedelta(days=1))}
    assert await nights_held_by(engine, change.hold_id) == only_the_new_night
    assert await nights_held_by(engine, booked.hold_id) == nights(first_room, old_stay)
    moved = await send(engine, MoveBooking(booking_saga_id=booking_saga), change_saga)
    assert moved == BookingMoved(booking_saga_id=booking_saga, hold_id=booked.hold_id)
    assert await nights_held_by(engine, booked.hold_id) == nights(first_room, longer)
    assert await nights_without_a_live_hold(engine) == []


async def test_a_withdrawn_extension_leaves_the_booking_every_night_it_had(
    engine: AsyncEngine,
) -> None:
    old_stay, shifted = stay(START + timedelta(days=20), 2), stay(START + timedelta(days=21), 2)
    first_room = f"{ROOM_TYPE}-1"
    booking_saga, booked = await book(engine, hold_room(old_stay, room_id=first_room))
    change_saga = new_id()
    shift = hold_room(shifted).model_copy(update={"instead_of": booking_saga})
    change = await hold(engine, change_saga, shift)
    assert change.room_id == first_room  # the shared night stays the booking's, in its room

    released = await send(engine, ReleaseHold(reason="the change failed"), change_saga)

    assert isinstance(released, HoldReleased)
    assert await nights_held_by(engine, booked.hold_id) == nights(first_room, old_stay)
    assert await nights_held_by(engine, change.hold_id) == set()
    last_night = stay(shifted.check_out - timedelta(days=1), 1)
    await assert_takes(engine, hold_room(last_night, room_id=first_room))
