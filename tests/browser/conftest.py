"""Browser tests: the real platform in this process, and Debian's Chromium through Playwright."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser

from tests.browser.pages import chromium
from tests.browser.platform import Servers
from tests.support import servers as support


@pytest.fixture
def servers(
    amqp_url: str,
    namespace: str,
    mysql_server: support.Server,
    mongodb_server: support.Server,
) -> Servers:
    return Servers(amqp_url, mysql_server.url, mongodb_server.url, namespace)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as running:
        yield running
