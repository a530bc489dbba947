"""The batched inbox (`SqlInbox.process_batch`) on SQLite and MySQL: a batch of HoldRooms in
one transaction keeps every guarantee of one-at-a-time handling. A message seen before gets its
stored reply; two copies in one batch apply once; a message whose handler fails is undone alone
and handed back, the others kept; a lost connection fails the whole batch; an older command of
a saga is superseded; the stay's last free room goes to one saga only."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.base import Message
from contracts.booking import CommandSuperseded
from contracts.envelope import Envelope, new_id
from contracts.registry import model_for
from contracts.rooms import HoldRoom, RoomHeld, RoomUnavailable
from infra.messaging.codec import Decoded
from infra.messaging.inbox import Handler, InboxResult
from infra.stores.sql_inbox import SqlInbox, SqlWork
from rooms.adapters.tables import inbox, night_rates
from rooms.handlers import HoldPolicy
from rooms.handlers.holding import HoldRoomHandler
from tests.integration.test_rooms_holds import ROOM_TYPE, START, hold_room
from tests.integration.test_rooms_resent_hold import (
    ROOM_COUNT,
    engine,
    free_rooms,
    holds_of,
    nights_without_a_live_hold,
    store_url,
)

pytestmark = pytest.mark.integration
# The rooms store on SQLite and on MySQL with its catalogue, as the resent-hold tests run it.
__all__ = ["engine", "store_url"]
ROOMS = ROOM_COUNT


def command(saga_id: str, sequence: int | None = None) -> Decoded:
    held = hold_room(START, 2)
    envelope = Envelope.new(held.message_type, saga_id)
    return Decoded(envelope.model_copy(update={"sequence": sequence}), held)


HANDLERS: dict[type[Message], Handler] = {HoldRoom: HoldRoomHandler(HoldPolicy())}


def reply_of(result: InboxResult | Exception) -> Any:
    assert isinstance(result, InboxResult), result
    return model_for(result.reply.envelope.message_type).model_validate_json(result.reply.body)


async def test_a_batch_holds_once_per_saga_and_answers_copies_and_repeats_alike(
    engine: AsyncEngine,
) -> None:
    inbox_ = SqlInbox(engine, inbox)
    seen_before = command(new_id())
    first = await inbox_.process_batch([seen_before], HANDLERS)

    fresh = command(new_id())
    copy = Decoded(fresh.envelope, fresh.message)
    results = await inbox_.process_batch([seen_before, fresh, copy], HANDLERS)

    assert [r.duplicate for r in results if isinstance(r, InboxResult)] == [True, False, True]
    assert reply_of(results[0]) == reply_of(first[0])
    assert reply_of(results[1]) == reply_of(results[2])
    for decoded in (seen_before, fresh):
        assert len(await holds_of(engine, decoded.envelope.saga_id)) == 1
    assert await free_rooms(engine) == ROOMS - 2
    assert await nights_without_a_live_hold(engine) == []


async def test_a_failing_message_is_undone_alone_and_handed_back(engine: AsyncEngine) -> None:
    hold = HoldRoomHandler(HoldPolicy())

    async def breaks_after_holding(message: Any, envelope: Envelope, connection: Any) -> Any:
        await hold(message, envelope, connection)  # its nights are written, then it fails
        raise RuntimeError("a bug")

    good, bad = command(new_id()), command(new_id())
    handlers: dict[type[Message], Handler] = {HoldRoom: hold}
    results = await SqlInbox(engine, inbox).process_batch(
        [good, bad],
        {HoldRoom: _by_saga({bad.envelope.saga_id: breaks_after_holding}, handlers[HoldRoom])},
    )

    assert isinstance(reply_of(results[0]), RoomHeld)
    assert isinstance(results[1], RuntimeError)
    assert await holds_of(engine, bad.envelope.saga_id) == []
    assert len(await holds_of(engine, good.envelope.saga_id)) == 1
    assert await nights_without_a_live_hold(engine) == []
    again = await SqlInbox(engine, inbox).process_batch([bad], handlers)
    assert isinstance(reply_of(again[0]), RoomHeld), "nothing of it was stored"


async def test_failures_anywhere_in_a_batch_undo_their_own_message_only(
    engine: AsyncEngine,
) -> None:
    """Each message's savepoint is the newest when it fails: a failure after a kept message
    keeps it, a message after a failure is kept, whether written through the driver or through
    SQLAlchemy on the same connection."""
    hold = HoldRoomHandler(HoldPolicy())

    async def breaks_after_writing_both_ways(message: Any, envelope: Envelope, work: Any) -> Any:
        await hold(message, envelope, work)  # through the driver
        assert isinstance(work, SqlWork)
        override = {"room_type_id": ROOM_TYPE, "night": START, "price": Decimal(1)}
        await work.connection.execute(night_rates.insert().values(**override))  # SQLAlchemy
        raise RuntimeError("a bug")

    batch = [command(new_id()) for _ in range(5)]
    bad = {batch[index].envelope.saga_id for index in (1, 3)}
    results = await SqlInbox(engine, inbox).process_batch(
        batch, {HoldRoom: _by_saga(dict.fromkeys(bad, breaks_after_writing_both_ways), hold)}
    )

    for decoded, result in zip(batch, results, strict=True):
        saga_id = decoded.envelope.saga_id
        if saga_id in bad:
            assert isinstance(result, RuntimeError)
            assert await holds_of(engine, saga_id) == []
        else:
            assert isinstance(reply_of(result), RoomHeld)
            assert len(await holds_of(engine, saga_id)) == 1
    assert await free_rooms(engine) == ROOMS - 3
    assert await nights_without_a_live_hold(engine) == []
    async with engine.connect() as connection:
        count = sa.select(sa.func.count()).select_from(night_rates)
        assert (await connection.execute(count)).scalar_one() == 0


async def test_a_connection_error_fails_the_whole_batch(engine: AsyncEngine) -> None:
    hold = HoldRoomHandler(HoldPolicy())

    async def store_gone(message: Any, envelope: Envelope, work: Any) -> Any:
        await hold(message, envelope, work)
        raise OperationalError("(driver statement)", None, ConnectionError("lost"))

    good, bad = command(new_id()), command(new_id())
    with pytest.raises(OperationalError):
        await SqlInbox(engine, inbox).process_batch(
            [good, bad], {HoldRoom: _by_saga({bad.envelope.saga_id: store_gone}, hold)}
        )

    assert await holds_of(engine, good.envelope.saga_id) == []
    assert await free_rooms(engine) == ROOMS
    results = await SqlInbox(engine, inbox).process_batch([good], HANDLERS)
    assert isinstance(reply_of(results[0]), RoomHeld), "the batch is applied again from scratch"


async def test_an_older_command_of_a_saga_in_the_same_batch_is_superseded(
    engine: AsyncEngine,
) -> None:
    saga_id = new_id()
    results = await SqlInbox(engine, inbox).process_batch(
        [command(saga_id, sequence=5), command(saga_id, sequence=3)], HANDLERS
    )
    assert isinstance(reply_of(results[0]), RoomHeld)
    superseded = reply_of(results[1])
    assert isinstance(superseded, CommandSuperseded) and superseded.applied_sequence == 5


async def test_the_last_free_rooms_go_to_as_many_sagas_as_there_are_rooms(
    engine: AsyncEngine,
) -> None:
    batch = [command(new_id()) for _ in range(ROOMS + 3)]
    replies = [reply_of(r) for r in await SqlInbox(engine, inbox).process_batch(batch, HANDLERS)]
    assert sum(isinstance(r, RoomHeld) for r in replies) == ROOMS
    assert sum(isinstance(r, RoomUnavailable) for r in replies) == 3
    assert await free_rooms(engine) == 0
    assert await nights_without_a_live_hold(engine) == []


def _by_saga(special: dict[str, Handler], usual: Handler) -> Handler:
    async def handler(message: Any, envelope: Envelope, connection: Any) -> Any:
        return await special.get(envelope.saga_id, usual)(message, envelope, connection)

    return handler
