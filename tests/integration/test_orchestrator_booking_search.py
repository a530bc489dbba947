"""The bookings search in the saga store: the confirmation code and the stay's dates are columns
the database computes from each saga's `data` (migration 0004), on MariaDB and on SQLite alike.
The saga store writes sagas as before, never naming those columns, and a saga it updates is
found by its new values at once."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.booking import StartBooking
from contracts.values import Stay
from infra.stores.sql import drop_database
from orchestrator.adapters.engine import open_saga_store
from orchestrator.adapters.queries import SagaFilter, list_sagas
from orchestrator.adapters.saga_store import SagaStore
from orchestrator.domain.engine import new_booking
from orchestrator.domain.kinds import SAGAS
from orchestrator.domain.messages import Decision
from orchestrator.domain.model import Saga
from tests.conftest import RUN_ID
from tests.support.servers import Server

pytestmark = pytest.mark.integration
START = datetime(2031, 5, 1, 12, tzinfo=UTC)


@pytest.fixture(params=["mariadb", "sqlite"])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'sagas.db'}"
    if request.param == "mariadb":
        server: Server = request.getfixturevalue("mysql_server")
        name = f"t_{RUN_ID}_{uuid.uuid4().hex[:8]}"
        url = make_url(server.url).set(database=name).render_as_string(hide_password=False)
    opened = await open_saga_store(url, pool_size=2)
    yield opened
    await opened.dispose()
    if request.param == "mariadb":
        await drop_database(url)


def booking(number: int, client_id: str, check_in: date, nights: int) -> Saga:
    request = StartBooking(
        idempotency_key=f"booking-key-{number}",
        agency_id="agency-1",
        agent_id="agent-1",
        client_id=client_id,
        hotel_id="hotel-1",
        room_type_id="type-1",
        stay=Stay(check_in=check_in, check_out=check_in + timedelta(days=nights)),
        guests=1,
    )
    return new_booking(f"saga-{number}", request, START + timedelta(minutes=number), SAGAS)


async def found(engine: AsyncEngine, where: SagaFilter) -> list[str]:
    items, total = await list_sagas(engine, where, limit=50, offset=0)
    assert total == len(items)
    return [item["saga_id"] for item in items]


async def test_bookings_are_found_by_code_clients_and_overlapping_stays(
    engine: AsyncEngine,
) -> None:
    store = SagaStore(engine)
    sagas = [
        booking(1, "client-a", date(2031, 6, 1), 3),  # nights 1, 2, 3 June
        booking(2, "client-b", date(2031, 6, 4), 2),  # nights 4, 5 June
        booking(3, "client-c", date(2031, 6, 10), 1),
    ]
    for saga in sagas:
        assert await store.insert(Decision(saga), None, START) is not None

    # Written through the store's own update, as a confirmed booking's code is.
    def confirmed(saga: Saga) -> Decision:
        data = saga.data.model_copy(update={"confirmation_code": "K7M3QX9B"})
        return Decision(dataclasses.replace(saga, data=data, revision=saga.revision + 1))

    assert await store.apply("saga-2", confirmed, None, START) is not None

    assert await found(engine, SagaFilter(confirmation_code="K7M3QX9B")) == ["saga-2"]
    assert await found(engine, SagaFilter(confirmation_code="K7M3QX9C")) == []
    both = SagaFilter(client_ids=("client-a", "client-c"))
    assert await found(engine, both) == ["saga-3", "saga-1"], "newest first"
    june_3 = SagaFilter(stay_from=date(2031, 6, 3), stay_to=date(2031, 6, 4))
    assert await found(engine, june_3) == ["saga-1"], "a stay ending on the 4th has that night"
    june_4_to_10 = SagaFilter(stay_from=date(2031, 6, 4), stay_to=date(2031, 6, 10))
    assert await found(engine, june_4_to_10) == ["saga-2"], "the range's end is not in it"
    from_june_5 = SagaFilter(stay_from=date(2031, 6, 5))
    assert await found(engine, from_june_5) == ["saga-3", "saga-2"]
    stored = await store.get("saga-2")
    assert stored is not None and stored.data.confirmation_code == "K7M3QX9B"


async def test_a_value_longer_than_its_search_column_never_stops_a_write(
    engine: AsyncEngine,
) -> None:
    store = SagaStore(engine)
    saga = booking(4, "client-d", date(2031, 7, 1), 1)
    assert await store.insert(Decision(saga), None, START) is not None

    def odd_code(saga: Saga) -> Decision:
        data = saga.data.model_copy(update={"confirmation_code": "Q" * 80})
        return Decision(dataclasses.replace(saga, data=data, revision=saga.revision + 1))

    assert await store.apply("saga-4", odd_code, None, START) is not None
    stored = await store.get("saga-4")
    assert stored is not None and stored.data.confirmation_code == "Q" * 80
