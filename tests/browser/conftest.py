"""Browser tests: the platform's processes (the one launcher, tests/support/platform.py), and
Debian's Chromium through Playwright."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser

from tests.browser.pages import chromium
from tests.support import servers as support
from tests.support.platform import Servers


@pytest.fixture
def servers(amqp_url: str, mysql_server: support.Server, mongodb_server: support.Server) -> Servers:
    return Servers(amqp_url, mysql_server.url, mongodb_server.url)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as running:
        yield running
