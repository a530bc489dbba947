"""Holds over the real broker and MariaDB: no night is ever held twice, and every retry is safe."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import aio_pika
import pytest
import sqlalchemy as sa
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.base import Command, Reply
from contracts.envelope import CAUSATION_ID_HEADER, Envelope, new_id
from contracts.registry import model_for
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
from contracts.topology import Service, Topology
from contracts.values import Stay
from infra.messaging.codec import Outgoing
from rooms.adapters.tables import holds, hotels, rates, room_nights, room_types, rooms
from rooms.entrypoints.app import create_app
from rooms.settings import RoomsSettings
from tests.support.observer import Observed, send_command, watch_replies

pytestmark = pytest.mark.integration

HOTEL = "lome-test"
ROOM_TYPE = "lome-test-double"
START = date.today() + timedelta(days=40)


@dataclass
class Rooms:
    """The running service, seen from outside: commands in, replies out, its tables."""

    engine: AsyncEngine
    connection: AbstractRobustConnection
    topology: Topology
    replies: Observed

    async def send(self, command: Command, saga_id: str, message_id: str | None = None) -> str:
        envelope = Envelope.new(command.message_type, saga_id)
        if message_id is not None:
            envelope = envelope.model_copy(update={"message_id": message_id})
        outgoing = Outgoing.of(command, envelope)
        await send_command(self.connection, self.topology, str(Service.ROOMS), outgoing)
        return envelope.message_id

    async def replies_to(self, message_id: str, count: int = 1) -> list[Reply]:
        def answered() -> list[AbstractIncomingMessage]:
            return [
                m for m in self.replies.messages if m.headers[CAUSATION_ID_HEADER] == message_id
            ]

        async with asyncio.timeout(60), self.replies.arrived:
            await self.replies.arrived.wait_for(lambda: len(answered()) >= count)
        return [decode(m) for m in answered()]

    async def ask(self, command: Command, saga_id: str) -> Reply:
        (reply,) = await self.replies_to(await self.send(command, saga_id))
        return reply

    async def nights(self, hold_id: str | None = None) -> list[tuple[str, date]]:
        query = sa.select(room_nights.c.room_id, room_nights.c.night)
        if hold_id is not None:
            query = query.where(room_nights.c.hold_id == hold_id)
        async with self.engine.connect() as connection:
            return [(r, n) for r, n in await connection.execute(query)]

    async def until_freed(self, hold_id: str, timeout: float = 30.0) -> None:
        """Wait for the sweeper to give the hold's nights back."""
        async with asyncio.timeout(timeout):
            while True:
                if not await self.nights(hold_id):
                    return
                await asyncio.sleep(0.2)

    async def hold_status(self, hold_id: str) -> str:
        query = sa.select(holds.c.status).where(holds.c.hold_id == hold_id)
        async with self.engine.connect() as connection:
            return str((await connection.execute(query)).scalar_one())


def decode(message: AbstractIncomingMessage) -> Reply:
    reply = model_for(str(message.type)).model_validate_json(message.body)
    assert isinstance(reply, Reply)
    return reply


async def add_catalogue(engine: AsyncEngine, room_count: int) -> list[str]:
    room_ids = [f"{ROOM_TYPE}-{n}" for n in range(1, room_count + 1)]
    async with engine.begin() as connection:
        await connection.execute(
            hotels.insert().values(
                id=HOTEL,
                name="Test Lagune",
                address="1 Rue du Test",
                city="Lomé",
                country="TG",
                continent="Africa",
                time_zone="Africa/Lome",
                currency="XOF",
                stars=3,
            )
        )
        await connection.execute(
            room_types.insert().values(
                id=ROOM_TYPE,
                hotel_id=HOTEL,
                name="Double",
                capacity=2,
                beds="1 queen",
                amenities=[],
            )
        )
        await connection.execute(
            rooms.insert(),
            [{"id": r, "room_type_id": ROOM_TYPE, "number": r[-3:], "floor": 1} for r in room_ids],
        )
        await connection.execute(
            rates.insert().values(
                id="r-year",
                room_type_id=ROOM_TYPE,
                season="year",
                start_month=1,
                end_month=12,
                weekday_price=Decimal("50000"),
                weekend_price=Decimal("60000"),
            )
        )
    return room_ids


@asynccontextmanager
async def rooms_service(
    amqp_url: str, topology: Topology, db_url: str, room_count: int, **overrides: Any
) -> AsyncIterator[Rooms]:
    settings = RoomsSettings(
        amqp_url=amqp_url,
        booking_namespace=topology.namespace,
        rooms_db_url=db_url,
        prefetch_count=64,
        db_pool_size=20,
        **overrides,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        await add_catalogue(app.state.engine, room_count)
        connection = await aio_pika.connect_robust(amqp_url)
        async with connection, watch_replies(amqp_url, topology) as replies:
            yield Rooms(app.state.engine, connection, topology, replies)


def hold_room(check_in: date, nights: int, room_id: str | None = None) -> HoldRoom:
    stay = Stay(check_in=check_in, check_out=check_in + timedelta(days=nights))
    return HoldRoom(hotel_id=HOTEL, room_type_id=ROOM_TYPE, room_id=room_id, stay=stay, guests=2)


async def test_fifty_concurrent_holds_for_the_last_free_room_give_exactly_one(
    amqp_url: str, topology: Topology, sql_database_url: str
) -> None:
    async with rooms_service(amqp_url, topology, sql_database_url, room_count=3) as svc:
        for _ in range(2):
            assert isinstance(await svc.ask(hold_room(START, 3), new_id()), RoomHeld)
        message_ids = await asyncio.gather(
            *(svc.send(hold_room(START, 3), new_id()) for _ in range(50))
        )
        replies = [r for m in message_ids for r in await svc.replies_to(m)]
        nights = await svc.nights()

    held = [r for r in replies if isinstance(r, RoomHeld)]
    refused = [r for r in replies if isinstance(r, RoomUnavailable)]
    assert len(held) == 1
    assert len(refused) == 49
    assert {r.reason for r in refused} == {"no_room_free"}
    assert len(nights) == 9 == len(set(nights))
    assert held[0].total == Decimal(sum(p.price for p in held[0].nightly_prices))
    assert held[0].currency == "XOF"


async def test_overlapping_stays_conflict_and_a_stay_from_the_check_out_day_does_not(
    amqp_url: str, topology: Topology, sql_database_url: str
) -> None:
    async with rooms_service(amqp_url, topology, sql_database_url, room_count=1) as svc:
        first = await svc.ask(hold_room(START, 3), new_id())
        overlapping = await svc.ask(hold_room(START + timedelta(days=2), 2), new_id())
        inside = await svc.ask(hold_room(START + timedelta(days=1), 1), new_id())
        back_to_back = await svc.ask(hold_room(START + timedelta(days=3), 2), new_id())
        day_before = await svc.ask(hold_room(START - timedelta(days=1), 1), new_id())

    assert isinstance(first, RoomHeld)
    assert isinstance(overlapping, RoomUnavailable) and overlapping.reason == "no_room_free"
    assert isinstance(inside, RoomUnavailable)
    assert isinstance(back_to_back, RoomHeld) and back_to_back.room_id == first.room_id
    assert isinstance(day_before, RoomHeld)


async def test_a_lapsed_hold_frees_its_nights_and_cannot_be_confirmed(
    amqp_url: str, topology: Topology, sql_database_url: str
) -> None:
    async with rooms_service(
        amqp_url,
        topology,
        sql_database_url,
        room_count=1,
        hold_expiry_seconds=1.0,
        sweep_interval_seconds=0.2,
    ) as svc:
        saga_id = new_id()
        held = await svc.ask(hold_room(START, 2), saga_id)
        assert isinstance(held, RoomHeld)
        await svc.until_freed(held.hold_id)
        status = await svc.hold_status(held.hold_id)
        confirmed = await svc.ask(ConfirmHold(), saga_id)
        again = await svc.ask(hold_room(START, 2), new_id())

    assert status == "EXPIRED"
    assert isinstance(confirmed, HoldExpired) and confirmed.hold_id == held.hold_id
    assert isinstance(again, RoomHeld)


async def test_confirm_answers_expired_for_a_lapsed_hold_before_any_sweep(
    amqp_url: str, topology: Topology, sql_database_url: str
) -> None:
    async with rooms_service(
        amqp_url, topology, sql_database_url, room_count=1, sweep_interval_seconds=3600
    ) as svc:
        saga_id = new_id()
        held = await svc.ask(hold_room(START, 2), saga_id)
        assert isinstance(held, RoomHeld)
        async with svc.engine.begin() as connection:
            await connection.execute(
                holds.update()
                .where(holds.c.hold_id == held.hold_id)
                .values(expires_at=sa.func.now() - sa.text("INTERVAL 1 MINUTE"))
            )
        confirmed = await svc.ask(ConfirmHold(), saga_id)
        nights_after = await svc.nights(held.hold_id)

    assert isinstance(confirmed, HoldExpired) and confirmed.hold_id == held.hold_id
    assert nights_after == []


async def test_a_duplicate_and_a_retry_of_the_same_saga_return_the_same_hold(
    amqp_url: str, topology: Topology, sql_database_url: str
) -> None:
    async with rooms_service(amqp_url, topology, sql_database_url, room_count=2) as svc:
        saga_id, command = new_id(), hold_room(START, 2)
        message_id = await svc.send(command, saga_id)
        await svc.send(command, saga_id, message_id=message_id)
        first, duplicate = await svc.replies_to(message_id, count=2)
        retry = await svc.ask(command, saga_id)
        nights = await svc.nights()

    assert isinstance(first, RoomHeld)
    assert duplicate == first
    assert retry == first
    assert len(nights) == 2


async def test_release_confirm_and_release_a_booking_are_idempotent(
    amqp_url: str, topology: Topology, sql_database_url: str
) -> None:
    async with rooms_service(amqp_url, topology, sql_database_url, room_count=1) as svc:
        released_saga = new_id()
        held = await svc.ask(hold_room(START, 2), released_saga)
        released = await svc.ask(ReleaseHold(reason="client rejected"), released_saga)
        released_again = await svc.ask(ReleaseHold(reason="retry"), released_saga)
        unknown = await svc.ask(ReleaseHold(reason="never held"), new_id())
        confirm_released = await svc.ask(ConfirmHold(), released_saga)

        booking_saga = new_id()
        booked = await svc.ask(hold_room(START, 2), booking_saga)
        confirmed = await svc.ask(ConfirmHold(), booking_saga)
        confirmed_again = await svc.ask(ConfirmHold(), booking_saga)
        nights_booked = await svc.nights()
        cancel = ReleaseBooking(booking_saga_id=booking_saga)
        freed = await svc.ask(cancel, new_id())
        freed_again = await svc.ask(cancel, new_id())
        nights_after = await svc.nights()

    assert isinstance(held, RoomHeld) and isinstance(booked, RoomHeld)
    assert released == released_again == HoldReleased(hold_id=held.hold_id)
    assert unknown == HoldReleased(hold_id=None)
    assert isinstance(confirm_released, HoldExpired)
    assert confirmed == confirmed_again == HoldConfirmed(hold_id=booked.hold_id)
    assert len(nights_booked) == 2
    assert freed == freed_again == BookingReleased(booking_saga_id=booking_saga)
    assert nights_after == []


async def test_holds_that_cannot_be_made_answer_why(
    amqp_url: str, topology: Topology, sql_database_url: str
) -> None:
    yesterday = date.today() - timedelta(days=2)
    async with rooms_service(amqp_url, topology, sql_database_url, room_count=1) as svc:
        unknown = await svc.ask(
            HoldRoom(
                hotel_id=HOTEL,
                room_type_id="nope",
                stay=Stay(check_in=START, check_out=START + timedelta(days=1)),
                guests=1,
            ),
            new_id(),
        )
        crowded = await svc.ask(hold_room(START, 1).model_copy(update={"guests": 3}), new_id())
        past = await svc.ask(hold_room(yesterday, 1), new_id())
        too_long = await svc.ask(hold_room(START, 31), new_id())
        other_room = await svc.ask(hold_room(START, 1, room_id="elsewhere-101"), new_id())

    assert isinstance(unknown, RoomUnavailable) and unknown.reason == "unknown_room_type"
    assert isinstance(crowded, RoomUnavailable) and crowded.reason == "over_capacity"
    assert isinstance(past, RoomUnavailable) and past.reason == "invalid_stay"
    assert "past" in past.detail
    assert isinstance(too_long, RoomUnavailable) and too_long.reason == "invalid_stay"
    assert isinstance(other_room, RoomUnavailable) and other_room.reason == "unknown_room_type"
