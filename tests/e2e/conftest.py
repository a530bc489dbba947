"""One running platform (every service a real process) shared by the end-to-end tests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.e2e.agent_client import AgentClient
from tests.support.platform import Platform, own_platform
from tests.support.servers import Server


@pytest.fixture(scope="session")
def platform(amqp_url: str, mysql_server: Server, mongodb_server: Server) -> Iterator[Platform]:
    with own_platform("e", amqp_url, mysql_server.url, mongodb_server.url) as running:
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
