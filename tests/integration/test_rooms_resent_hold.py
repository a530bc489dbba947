"""A re-sent HoldRoom (the same saga, a new message id) holds one room, never two, on SQLite and
on MySQL: no room-night is ever held without a live hold, whatever order the copies run in.

The defect (issue 12): with the rooms service paused past the step deadline, the orchestrator
sent HoldRoom again; on resume both copies ran, and the loser's nights stayed held under a hold
id with no row in the holds table, so they never expired.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import aio_pika
import pytest
import sqlalchemy as sa
from alembic import command as alembic
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.base import Reply
from contracts.envelope import Envelope, new_id
from contracts.registry import model_for
from contracts.rooms import HoldRoom, RoomHeld
from contracts.topology import Service, Topology
from infra.messaging.codec import Decoded, Outgoing
from infra.stores.driver_sql import DriverSql
from infra.stores.sql import make_engine
from infra.stores.sql_inbox import SqlInbox
from rooms.adapters.hold_context import HoldContext, read_hold_context
from rooms.adapters.store import MIGRATIONS, open_store
from rooms.adapters.tables import holds, inbox, night_rates, rates, room_nights
from rooms.entrypoints.app import create_app
from rooms.handlers import HoldPolicy, holding
from rooms.handlers.holding import HoldRoomHandler
from rooms.settings import RoomsSettings
from tests.integration.test_rooms_holds import ROOM_TYPE, START, add_catalogue, decode, hold_room
from tests.support.observer import send_command, watch_replies

pytestmark = pytest.mark.integration

ROOM_COUNT = 4
STAY_NIGHTS = 3
COPIES = 6
LIVE = ("HELD", "CONFIRMED")


@pytest.fixture(params=["sqlite", "mysql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/rooms.db"
    return str(request.getfixturevalue("sql_database_url"))


@pytest.fixture
async def engine(store_url: str) -> AsyncIterator[AsyncEngine]:
    engine = await open_store(store_url)
    await add_catalogue(engine, ROOM_COUNT)
    yield engine
    await engine.dispose()


def the_stay() -> HoldRoom:
    return hold_room(START, STAY_NIGHTS)


async def free_rooms(engine: AsyncEngine) -> int:
    """Rooms of the test type free on every night of the stay."""
    async with DriverSql(engine).transaction() as statements:
        found = await read_hold_context(
            statements, new_id(), ROOM_TYPE, START, START + timedelta(days=STAY_NIGHTS)
        )
    return len(found.rooms.numbers) - len(found.rooms.taken)


async def holds_of(engine: AsyncEngine, saga_id: str) -> list[str]:
    query = sa.select(holds.c.hold_id).where(holds.c.saga_id == saga_id)
    async with engine.connect() as connection:
        return list((await connection.execute(query)).scalars())


async def nights_without_a_live_hold(engine: AsyncEngine) -> list[tuple[Any, ...]]:
    live = holds.c.hold_id == room_nights.c.hold_id, holds.c.status.in_(LIVE)
    query = (
        sa.select(room_nights.c.room_id, room_nights.c.night, room_nights.c.hold_id)
        .select_from(room_nights.outerjoin(holds, sa.and_(*live)))
        .where(holds.c.hold_id.is_(None))
    )
    async with engine.connect() as connection:
        return [tuple(row) for row in await connection.execute(query)]


async def assert_one_room_held(engine: AsyncEngine, saga_id: str, replies: list[Reply]) -> None:
    assert all(isinstance(reply, RoomHeld) for reply in replies), replies
    assert len({reply.hold_id for reply in replies if isinstance(reply, RoomHeld)}) == 1
    assert len(await holds_of(engine, saga_id)) == 1
    assert await free_rooms(engine) == ROOM_COUNT - 1
    assert await nights_without_a_live_hold(engine) == []


async def hold_once(engine: AsyncEngine, saga_id: str) -> Reply:
    """One copy of the saga's HoldRoom through the rooms inbox, as its consumer applies it."""
    command = the_stay()
    envelope = Envelope.new(command.message_type, saga_id)  # a new message id each time
    result = await SqlInbox(engine, inbox).process(
        Decoded(envelope, command), HoldRoomHandler(HoldPolicy())
    )
    reply = model_for(result.reply.envelope.message_type).model_validate_json(result.reply.body)
    assert isinstance(reply, Reply)
    return reply


@contextmanager
def first_look_is_stale(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The handler's first look for the saga's hold misses it, as a copy that looked before
    another copy committed its hold does (the paused service resumed with both queued)."""
    real: Callable[..., Any] = read_hold_context
    looks = 0

    async def stale_first(*args: Any, **kwargs: Any) -> HoldContext:
        nonlocal looks
        looks += 1
        context: HoldContext = await real(*args, **kwargs)
        return replace(context, already_held=False) if looks == 1 else context

    with monkeypatch.context() as patch:
        patch.setattr(holding, "read_hold_context", stale_first)
        yield
    assert looks == 2  # the stale look, then the inbox's retry that found the hold


async def test_a_hold_room_sent_again_after_the_first_was_held_returns_the_same_hold(
    engine: AsyncEngine,
) -> None:
    saga_id = new_id()
    replies = [await hold_once(engine, saga_id), await hold_once(engine, saga_id)]

    await assert_one_room_held(engine, saga_id, replies)


async def test_a_resent_hold_room_is_answered_with_the_same_prices_dates_and_expiry(
    engine: AsyncEngine,
) -> None:
    """The second answer is read back from the hold's row (dates, Decimal money, JSON prices,
    the expiry instant), the first one from the catalogue: on either driver they are equal to
    the last character."""
    async with engine.begin() as connection:
        prices = {"weekday_price": Decimal("49999.99"), "weekend_price": Decimal("60000.5")}
        await connection.execute(rates.update().values(**prices))
        override = {"room_type_id": ROOM_TYPE, "night": START, "price": Decimal("123.45")}
        await connection.execute(night_rates.insert().values(**override))
    saga_id = new_id()
    first, second = await hold_once(engine, saga_id), await hold_once(engine, saga_id)

    assert isinstance(first, RoomHeld) and isinstance(second, RoomHeld)
    assert second.model_dump_json() == first.model_dump_json()
    assert str(first.nightly_prices[0].price) == "123.45"
    assert first.nightly_prices[0].night == START
    assert {str(n.price) for n in first.nightly_prices[1:]} <= {"49999.99", "60000.50"}


async def test_a_copy_that_missed_the_first_hold_takes_no_second_room(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    saga_id = new_id()
    first = await hold_once(engine, saga_id)
    with first_look_is_stale(monkeypatch):
        second = await hold_once(engine, saga_id)

    await assert_one_room_held(engine, saga_id, [first, second])


async def test_concurrent_copies_of_a_hold_room_take_one_room(engine: AsyncEngine) -> None:
    saga_id = new_id()
    replies = await asyncio.gather(*(hold_once(engine, saga_id) for _ in range(COPIES)))

    await assert_one_room_held(engine, saga_id, list(replies))


async def test_copies_of_a_hold_room_on_two_consumers_take_one_room(
    amqp_url: str, topology: Topology, store_url: str
) -> None:
    """The outage's shape: several copies of the saga's HoldRoom queued, two consumers."""
    settings = RoomsSettings(
        amqp_url=amqp_url,
        booking_namespace=topology.namespace,
        rooms_db_url=store_url,
        prefetch_count=64,
        db_pool_size=20,
    )
    saga_id = new_id()
    async with AsyncExitStack() as stack:
        apps = [create_app(settings) for _ in range(2)]
        for app in apps:
            await stack.enter_async_context(app.router.lifespan_context(app))
        engine: AsyncEngine = apps[0].state.engine
        await add_catalogue(engine, ROOM_COUNT)
        connection = await stack.enter_async_context(await aio_pika.connect_robust(amqp_url))
        replies = await stack.enter_async_context(watch_replies(amqp_url, topology))
        command = the_stay()
        await asyncio.gather(
            *(
                send_command(
                    connection,
                    topology,
                    str(Service.ROOMS),
                    Outgoing.of(command, Envelope.new(command.message_type, saga_id)),
                )
                for _ in range(COPIES)
            )
        )
        answered = [decode(message) for message in await replies.wait_for(COPIES, timeout=60)]

        await assert_one_room_held(engine, saga_id, answered)


async def test_the_store_refuses_a_night_without_a_hold_and_frees_the_nights_of_a_deleted_one(
    engine: AsyncEngine,
) -> None:
    night = {"room_id": f"{ROOM_TYPE}-1", "night": START, "hold_id": "no-such-hold"}
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(room_nights.insert().values(**night))
    held = await hold_once(engine, new_id())
    assert isinstance(held, RoomHeld)
    async with engine.begin() as connection:
        await connection.execute(holds.delete().where(holds.c.hold_id == held.hold_id))

    assert await free_rooms(engine) == ROOM_COUNT
    async with engine.connect() as connection:
        assert (
            await connection.execute(sa.select(sa.func.count()).select_from(room_nights))
        ).scalar_one() == 0


async def test_the_migration_gives_back_nights_held_by_no_live_hold(store_url: str) -> None:
    engine = make_engine(store_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(upgrade_to, "0001")
            # The hold path at head reads nightly overrides (revision 0004 makes the table).
            await connection.run_sync(night_rates.create)
        room_ids = await add_catalogue(engine, ROOM_COUNT)
        live = await hold_once(engine, new_id())
        assert isinstance(live, RoomHeld)
        others = [room for room in room_ids if room != live.room_id]
        leaked = [(others[0], "never-stored"), (others[1], await released_hold(engine))]
        async with engine.begin() as connection:
            await connection.execute(
                room_nights.insert(),
                [{"room_id": room, "night": START, "hold_id": hold} for room, hold in leaked],
            )
        async with engine.begin() as connection:
            await connection.run_sync(night_rates.drop)
            await connection.run_sync(upgrade_to, "head")

        assert await nights_without_a_live_hold(engine) == []
        assert await free_rooms(engine) == ROOM_COUNT - 1
    finally:
        await engine.dispose()


async def released_hold(engine: AsyncEngine) -> str:
    """The id of a hold that was taken and then released (its nights freed)."""
    held = await hold_once(engine, new_id())
    assert isinstance(held, RoomHeld)
    async with engine.begin() as connection:
        await connection.execute(room_nights.delete().where(room_nights.c.hold_id == held.hold_id))
        await connection.execute(
            holds.update().where(holds.c.hold_id == held.hold_id).values(status="RELEASED")
        )
    return held.hold_id


def upgrade_to(connection: Connection, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    alembic.upgrade(config, revision)
