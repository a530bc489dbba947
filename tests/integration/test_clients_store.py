"""The clients store: migrations, demo data, and the same code on embedded SQLite."""

from __future__ import annotations

import json
import traceback
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from clients.adapters import repository, tables
from clients.adapters.database import open_store
from clients.adapters.seed import DEMO_CLIENTS, demo_registrar, seed_demo_clients
from clients.domain.model import register
from contracts.clients import ClientVerified, VerifyClient
from contracts.envelope import Envelope, new_id
from contracts.topology import Service, Topology
from infra.messaging.codec import Outgoing
from tests.support.clients_service import clients_api
from tests.support.observer import request_reply

pytestmark = pytest.mark.integration


@pytest.fixture(params=["mariadb", "sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/store/clients.db"
    return str(request.getfixturevalue("sql_database_url"))


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = await open_store(database_url)
    yield engine
    await engine.dispose()


def schema_drift(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, tables.metadata))


async def test_the_migrations_build_the_schema_the_code_uses(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert await connection.run_sync(schema_drift) == []


async def test_migrating_again_changes_nothing(engine: AsyncEngine, database_url: str) -> None:
    again = await open_store(database_url)
    await again.dispose()
    async with engine.connect() as connection:
        versions = await connection.execute(sa.text("SELECT version_num FROM alembic_version"))
        assert versions.scalars().all() == ["0003"]


async def test_demo_clients_are_seeded_once(engine: AsyncEngine) -> None:
    assert await seed_demo_clients(engine) == len(DEMO_CLIENTS) >= 12
    assert await seed_demo_clients(engine) == 0
    async with engine.connect() as connection:
        rows = (await connection.execute(sa.select(tables.clients))).mappings().all()
    assert len(rows) == len(DEMO_CLIENTS)
    assert len({row["nationality"] for row in rows}) >= 10
    assert {row["status"] for row in rows} == {"active"}


async def test_the_service_runs_on_embedded_sqlite(
    amqp_url: str, namespace: str, topology: Topology, tmp_path: Path
) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path}/run/clients.db"
    async with clients_api(amqp_url, namespace, database_url, seed_demo_data=True) as http:
        seeded = (await http.get("/clients", params={"limit": 100})).json()
        assert seeded["total"] == len(DEMO_CLIENTS)
        zoe = {
            "first_name": "Zoë",
            "last_name": "Ødegård",
            "email": "Zoe.Odegard@Example.no",
            "phone": "+47 412 34 567",
            "nationality": "NO",
        }
        created = await http.post("/clients", json=zoe)
        assert created.status_code == 201, created.text
        client_id = created.json()["id"]
        duplicate = await http.post("/clients", json=zoe | {"email": "zoe.odegard@example.NO"})
        assert duplicate.status_code == 409
        found = (await http.get("/clients", params={"q": "ZOE odegard"})).json()
        assert [c["id"] for c in found["items"]] == [client_id]
        reply = await verify(amqp_url, topology, client_id)
    assert reply.type == ClientVerified.message_type
    assert json.loads(reply.body) == {"client_id": client_id}


async def verify(amqp_url: str, topology: Topology, client_id: str) -> Any:
    command = Outgoing.of(
        VerifyClient(client_id=client_id), Envelope.new(VerifyClient.message_type, new_id())
    )
    return await request_reply(amqp_url, topology, str(Service.CLIENTS), command)


async def test_a_failing_statement_does_not_quote_the_personal_data_it_carried(
    engine: AsyncEngine,
) -> None:
    await seed_demo_clients(engine)
    async with engine.connect() as connection:
        row = (await connection.execute(sa.select(tables.clients).limit(1))).mappings().one()
        with pytest.raises(sa.exc.IntegrityError) as failure:
            await connection.execute(tables.clients.insert().values(dict(row) | {"id": new_id()}))
    assert "parameters hidden" in str(failure.value)
    for value in (row["first_name"], row["last_name"], row["phone"]):
        assert value not in str(failure.value)


async def test_a_duplicate_email_error_does_not_carry_the_address(engine: AsyncEngine) -> None:
    await seed_demo_clients(engine)
    details = DEMO_CLIENTS[0]
    sessions = async_sessionmaker(engine)
    async with sessions() as session, session.begin():
        with pytest.raises(repository.DuplicateEmail) as failure:
            again = register(new_id(), details, datetime.now(UTC), demo_registrar(0))
            await repository.add(session, again)
    # MySQL's own message quotes the duplicate key value; none of it may reach a traceback.
    printed = "".join(traceback.format_exception(failure.value))
    assert "the agency already registered a client with this email" in printed
    assert details.email.lower() not in printed.lower()
