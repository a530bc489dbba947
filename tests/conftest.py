"""The test run's servers and namespaces.

Every run gets its own broker namespace and its own databases, and removes them after.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aio_pika
import pytest
from aio_pika.abc import AbstractRobustConnection
from motor.motor_asyncio import AsyncIOMotorClient
from sqlalchemy.engine import make_url

from contracts.topology import Topology
from infra.logging import configure_logging
from infra.stores.sql import create_database_if_missing, drop_database
from tests.support import servers
from tests.support.signing import service_key

RUN_ID = uuid.uuid4().hex[:8]
# The run's service key, in the environment before any settings object is built: every service
# the tests start (in process or as a child process) and every helper that plays one signs with
# it. Random per run unless SERVICE_KEY is already set.
service_key()


def pytest_configure(config: pytest.Config) -> None:
    configure_logging("tests", level="DEBUG", json=True)


def _server(factory: Any) -> Iterator[servers.Server]:
    try:
        with factory() as server:
            yield server
    except servers.ServerUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def rabbitmq_server() -> Iterator[servers.Server]:
    yield from _server(servers.rabbitmq)


@pytest.fixture(scope="session")
def mysql_server() -> Iterator[servers.Server]:
    yield from _server(servers.mysql)


@pytest.fixture(scope="session")
def mongodb_server() -> Iterator[servers.Server]:
    yield from _server(servers.mongodb)


@pytest.fixture(scope="session")
def amqp_url(rabbitmq_server: servers.Server) -> str:
    return rabbitmq_server.url


@pytest.fixture
async def namespace(amqp_url: str) -> AsyncIterator[str]:
    """A broker namespace of the test's own; its queues and exchanges are deleted after."""
    name = f"t{RUN_ID}-{uuid.uuid4().hex[:6]}"
    yield name
    await delete_namespace(amqp_url, Topology(name))


async def delete_namespace(
    amqp_url: str, topology: Topology, extra_queues: tuple[str, ...] = ()
) -> None:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        for queue_name in (*topology.every_queue_name(), *extra_queues):
            channel = await connection.channel()
            with contextlib.suppress(aio_pika.exceptions.ChannelClosed):
                await channel.queue_delete(queue_name)
        for exchange in topology.exchanges():
            channel = await connection.channel()
            with contextlib.suppress(aio_pika.exceptions.ChannelClosed):
                await channel.exchange_delete(exchange.name)


@pytest.fixture
async def broker_connection(amqp_url: str) -> AsyncIterator[AbstractRobustConnection]:
    """A test's own aio-pika connection, for publishing and draining by hand."""
    connection = await aio_pika.connect_robust(amqp_url)
    async with connection:
        yield connection


@pytest.fixture
def topology(namespace: str) -> Topology:
    return Topology(namespace)


@pytest.fixture
async def sql_database_url(mysql_server: servers.Server) -> AsyncIterator[str]:
    """A fresh, empty MySQL database for one test, dropped after."""
    name = f"t_{RUN_ID}_{uuid.uuid4().hex[:8]}"
    url = make_url(mysql_server.url).set(database=name).render_as_string(hide_password=False)
    await create_database_if_missing(url)
    yield url
    await drop_database(url)


@pytest.fixture
async def accounts_db_url(mysql_server: servers.Server) -> AsyncIterator[str]:
    """A fresh MySQL database for web's accounts store, dropped after."""
    name = f"t_{RUN_ID}_{uuid.uuid4().hex[:8]}_accounts"
    url = make_url(mysql_server.url).set(database=name).render_as_string(hide_password=False)
    await create_database_if_missing(url)
    yield url
    await drop_database(url)


@pytest.fixture
async def mongo_database_name(mongodb_server: servers.Server) -> AsyncIterator[str]:
    name = f"t_{RUN_ID}_{uuid.uuid4().hex[:8]}"
    yield name
    client: AsyncIOMotorClient[dict[str, Any]] = AsyncIOMotorClient(mongodb_server.url)
    with contextlib.suppress(Exception):
        await client.drop_database(name)
    client.close()
