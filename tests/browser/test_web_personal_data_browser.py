"""An agent registers a client the agency already has and is offered that client instead; the
operator sees that full read, who made it and why, on the dashboard."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from tests.browser.pages import (
    BROWSER,
    UI_TIMEOUT_MS,
    create_client,
    fill_client_form,
    new_page,
    sign_in,
)
from tests.support.platform import Servers, running_platform

pytestmark = pytest.mark.e2e


async def test_a_known_address_selects_the_agencys_client_and_the_read_is_on_the_dashboard(
    servers: Servers, browser: Browser
) -> None:
    async with running_platform(servers, BROWSER) as platform:
        page = await new_page(browser)
        await sign_in(page, platform.url("web"), "agent", "agent-demo")
        email = await create_client(page, "Ama", "Mensah")

        await fill_client_form(page, "Ama", "Mensah", email.upper())
        await expect(page.locator("#client-form-status")).to_contain_text(
            "already has a client with this email"
        )
        await expect(page.locator("#clients li.chosen")).to_contain_text(email)

        dashboard = await new_page(browser, 1440, 1100)
        await sign_in(dashboard, platform.url("dashboard"), "operator", "operator-demo")
        read = dashboard.locator("#personal-data-reads tbody tr").first
        await expect(read).to_contain_text("agent (agent)", timeout=UI_TIMEOUT_MS)
        await expect(read).to_contain_text("agency-lome")
        await expect(read).to_contain_text("registered by the agency")
