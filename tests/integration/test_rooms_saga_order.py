"""A saga's commands apply in the saga's order: an older command that arrives after a newer one
(a paused replica, a redelivery) is answered and not applied, on MySQL and on SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from contracts.base import Command, Reply
from contracts.booking import CommandSuperseded
from contracts.envelope import Envelope, new_id
from contracts.rooms import ConfirmHold, HoldReleased, HoldRoom, ReleaseHold, RoomHeld
from contracts.topology import Service, Topology
from infra.messaging.codec import Outgoing
from rooms.adapters.tables import holds
from tests.integration.test_rooms_holds import START, Rooms, hold_room, rooms_service
from tests.support.observer import send_command

pytestmark = pytest.mark.integration


@pytest.fixture(params=["mysql", "sqlite"])
def rooms_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'rooms.db'}"
    return str(request.getfixturevalue("sql_database_url"))


async def ask(svc: Rooms, command: Command, saga_id: str, sequence: int | None) -> Reply:
    envelope = Envelope.new(command.message_type, saga_id).model_copy(update={"sequence": sequence})
    outgoing = Outgoing.of(command, envelope)
    await send_command(svc.connection, svc.topology, str(Service.ROOMS), outgoing)
    (reply,) = await svc.replies_to(envelope.message_id)
    return reply


async def holds_of(svc: Rooms, saga_id: str) -> list[str]:
    query = sa.select(holds.c.status).where(holds.c.saga_id == saga_id)
    async with svc.engine.connect() as connection:
        return [str(status) for status in (await connection.execute(query)).scalars()]


async def test_a_hold_older_than_the_release_that_undid_it_takes_no_room(
    amqp_url: str, topology: Topology, rooms_db_url: str
) -> None:
    """The saga gave up on a hold that rooms had not answered and released it; the hold's
    command, delivered last, must not take a room that nothing would ever release."""
    saga_id = new_id()
    async with rooms_service(amqp_url, topology, rooms_db_url, room_count=2) as svc:
        released = await ask(svc, ReleaseHold(reason="gave up"), saga_id, sequence=7)
        late_hold = await ask(svc, hold_room(START, 2), saga_id, sequence=3)
        nights, statuses = await svc.nights(), await holds_of(svc, saga_id)

    assert released == HoldReleased(hold_id=None)
    assert isinstance(late_hold, CommandSuperseded)
    assert (late_hold.command_type, late_hold.sequence) == (HoldRoom.message_type, 3)
    assert late_hold.applied_sequence == 7
    assert nights == [] and statuses == []


async def test_a_confirmation_older_than_the_release_leaves_the_hold_released(
    amqp_url: str, topology: Topology, rooms_db_url: str
) -> None:
    saga_id = new_id()
    async with rooms_service(amqp_url, topology, rooms_db_url, room_count=2) as svc:
        held = await ask(svc, hold_room(START, 2), saga_id, sequence=1)
        assert isinstance(held, RoomHeld)
        await ask(svc, ReleaseHold(reason="gave up"), saga_id, sequence=9)
        late_confirm = await ask(svc, ConfirmHold(), saga_id, sequence=5)
        nights, statuses = await svc.nights(), await holds_of(svc, saga_id)

    assert isinstance(late_confirm, CommandSuperseded)
    assert statuses == ["RELEASED"] and nights == []


async def test_commands_in_order_and_resends_of_the_same_step_apply(
    amqp_url: str, topology: Topology, rooms_db_url: str
) -> None:
    saga_id = new_id()
    async with rooms_service(amqp_url, topology, rooms_db_url, room_count=2) as svc:
        first = await ask(svc, hold_room(START, 2), saga_id, sequence=1)
        resent = await ask(svc, hold_room(START, 2), saga_id, sequence=1)
        unordered = await ask(svc, hold_room(START, 2), saga_id, sequence=None)
        confirmed = await ask(svc, ConfirmHold(), saga_id, sequence=4)
        statuses = await holds_of(svc, saga_id)

    assert isinstance(first, RoomHeld) and first == resent == unordered
    assert not isinstance(confirmed, CommandSuperseded)
    assert statuses == ["CONFIRMED"]
