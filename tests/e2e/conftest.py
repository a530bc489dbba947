"""One running platform (every service a real process) shared by the end-to-end tests."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from contracts.topology import Topology
from infra.stores.sql import create_database_if_missing, drop_database
from tests.conftest import RUN_ID, delete_namespace
from tests.e2e.agent_client import AgentClient
from tests.support.platform import SPECS, Platform, platform_environment
from tests.support.servers import Server


@contextlib.contextmanager
def own_platform(
    prefix: str,
    amqp_url: str,
    mysql_server: Server,
    mongodb_server: Server,
    settings: dict[str, str] | None = None,
    start: Sequence[str] = tuple(spec.name for spec in SPECS),
) -> Iterator[Platform]:
    """A platform of its own (its namespace and databases, removed after): for tests that
    kill or pause its processes, or need other settings."""
    namespace = f"{prefix}{RUN_ID}"
    databases = {
        name: make_url(mysql_server.url)
        .set(database=f"{prefix}_{RUN_ID}_{name}")
        .render_as_string(hide_password=False)
        for name in ("rooms", "clients", "sagas")
    }
    for url in databases.values():
        asyncio.run(create_database_if_missing(url))
    environment = platform_environment(
        amqp_url, namespace, databases, mongodb_server.url, f"{prefix}_{RUN_ID}_reservations"
    )
    with tempfile.TemporaryDirectory(prefix="platform-logs-") as log_dir:
        running = Platform(environment | (settings or {}), Path(log_dir))
        try:
            for name in start:
                running.start(name)
            yield running
        finally:
            running.stop_all()
            for url in databases.values():
                asyncio.run(drop_database(url))
            asyncio.run(delete_namespace(amqp_url, Topology(namespace)))


@pytest.fixture(scope="session")
def platform(amqp_url: str, mysql_server: Server, mongodb_server: Server) -> Iterator[Platform]:
    with own_platform("e", amqp_url, mysql_server, mongodb_server) as running:
        yield running


@pytest.fixture
async def agent(platform: Platform) -> AsyncIterator[AgentClient]:
    async with AgentClient.signed_in(platform.url("web"), "agent", "agent-demo") as client:
        yield client


@pytest.fixture
async def operator(platform: Platform) -> AsyncIterator[AgentClient]:
    async with AgentClient.signed_in(platform.url("web"), "operator", "operator-demo") as client:
        yield client


def new_key() -> str:
    return uuid.uuid4().hex
