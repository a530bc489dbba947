"""A hold takes the first room whose every night is free, on MySQL and on SQLite: a room with
one night taken by another hold is passed over without keeping any of its nights, and when
every room has one taken, nothing is stored."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from infra.stores.driver_sql import DriverSql
from infra.stores.sql import drop_database
from rooms.adapters import holds as hold_rows
from rooms.adapters import occupancy
from rooms.adapters.store import open_store
from rooms.adapters.tables import holds, room_nights
from rooms.domain.holds import Hold
from rooms.domain.model import HoldStatus
from rooms.domain.pricing import nights_of
from tests.conftest import RUN_ID
from tests.integration.test_rooms_holds import ROOM_TYPE, START, add_catalogue
from tests.support import servers

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC).replace(microsecond=0)
STAY_END = START + timedelta(days=3)


@pytest.fixture(params=["mysql", "sqlite"])
async def engine(
    request: pytest.FixtureRequest, tmp_path: Path, mysql_server: servers.Server
) -> AsyncIterator[AsyncEngine]:
    if request.param == "mysql":
        name = f"t_{RUN_ID}_{uuid.uuid4().hex[:8]}"
        url = make_url(mysql_server.url).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'rooms.db'}"
    engine = await open_store(url)
    yield engine
    await engine.dispose()
    if request.param == "mysql":
        await drop_database(url)


def hold_in(hold_id: str, saga_id: str) -> Callable[[str], Hold]:
    def build(room_id: str) -> Hold:
        return Hold(
            hold_id=hold_id,
            saga_id=saga_id,
            hotel_id="lome-test",
            room_type_id=ROOM_TYPE,
            room_id=room_id,
            check_in=START,
            check_out=STAY_END,
            guests=2,
            status=HoldStatus.HELD,
            expires_at=NOW + timedelta(minutes=15),
            nightly_prices=tuple((night, Decimal(50)) for night in nights_of(START, STAY_END)),
            total=Decimal(150),
            currency="XOF",
        )

    return build


async def take(engine: AsyncEngine, hold_id: str, room_ids: list[str]) -> Hold | None:
    nights = nights_of(START, STAY_END)
    async with DriverSql(engine).transaction() as statements:
        return await hold_rows.hold_first_free(
            statements, hold_in(hold_id, f"saga-{hold_id}"), room_ids, nights, NOW
        )


async def nights_held(engine: AsyncEngine, hold_id: str) -> set[str]:
    query = sa.select(room_nights.c.room_id).where(room_nights.c.hold_id == hold_id)
    async with engine.connect() as connection:
        return set((await connection.execute(query)).scalars())


async def test_a_room_with_one_night_taken_is_passed_over_keeping_none_of_its_nights(
    engine: AsyncEngine,
) -> None:
    first, second = await add_catalogue(engine, room_count=2)
    # Another hold has the last night of the stay in the first room only.
    async with DriverSql(engine).transaction() as statements:
        other = hold_in("other", "saga-other")(first)
        await hold_rows.insert(statements, other, NOW)
        await occupancy.take(statements, "other", first, [STAY_END - timedelta(days=1)])

    taken = await take(engine, "mine", [first, second])

    assert taken is not None and taken.room_id == second
    assert await nights_held(engine, "mine") == {second}
    async with engine.connect() as connection:
        stored = (await connection.execute(sa.select(holds.c.room_id).where(
            holds.c.hold_id == "mine"))).scalar_one()  # fmt: skip
    assert stored == second


async def test_when_every_room_has_a_night_taken_nothing_is_stored(engine: AsyncEngine) -> None:
    (only,) = await add_catalogue(engine, room_count=1)
    assert await take(engine, "first", [only]) is not None

    assert await take(engine, "second", [only]) is None

    assert await nights_held(engine, "second") == set()
    async with engine.connect() as connection:
        count = sa.select(sa.func.count()).select_from(holds).where(holds.c.hold_id == "second")
        assert (await connection.execute(count)).scalar_one() == 0
