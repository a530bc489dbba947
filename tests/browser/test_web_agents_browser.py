"""An agent signs in, searches Paris, creates the client, books, sees it confirmed live, cancels."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, expect

from tests.browser.pages import (
    BROWSER,
    UI_TIMEOUT_MS,
    book_first_offer,
    console_errors,
    create_client,
    new_page,
    search,
    sign_in,
)
from tests.support.platform import Servers, running_platform

pytestmark = pytest.mark.e2e
CONFIRMATION_CODE = re.compile(r"^[A-Z0-9]{8}$")


async def test_an_agent_books_a_room_in_paris_and_sees_the_confirmation_live(
    servers: Servers, browser: Browser
) -> None:
    async with running_platform(servers, BROWSER) as platform:
        page = await new_page(browser)
        errors = console_errors(page)
        await sign_in(page, platform.url("web"), "agent", "agent-demo")
        await expect(page.locator("#whoami")).to_contain_text("agent")

        await search(page, "Paris")
        first_offer = page.locator("#results li.offer").first
        await expect(first_offer).to_contain_text("Paris")
        await expect(first_offer).to_contain_text("€")  # the hotel's own currency

        await create_client(page, "Ama", "Mensah")
        await book_first_offer(page)

        outcome = page.locator("#outcome")
        await expect(outcome).to_have_attribute("data-status", "CONFIRMED", timeout=UI_TIMEOUT_MS)
        code = await page.get_by_test_id("confirmation-code").inner_text()
        assert CONFIRMATION_CODE.match(code), code
        for step in ("hold_room", "verify_client", "write_reservation", "confirm_hold"):
            await expect(page.locator(f'#progress [data-step="{step}"]')).to_have_attribute(
                "data-status", "done"
            )
        # the live log shows the saga's states as they came, ending confirmed
        await expect(page.locator("#progress li.log").last).to_contain_text("Confirmed")

        booking_row = page.locator("#bookings tbody tr", has_text=code)
        await expect(booking_row).to_be_visible()
        cancel = booking_row.get_by_role("button", name="Cancel")
        await cancel.click()
        await booking_row.get_by_role("button", name="Confirm cancellation").click()
        await expect(booking_row).to_contain_text("Cancelled", timeout=UI_TIMEOUT_MS)
        assert errors == []


async def test_the_desk_speaks_french_and_refuses_a_wrong_password(
    servers: Servers, browser: Browser
) -> None:
    async with running_platform(servers, BROWSER, start=("web",)) as platform:
        page = await new_page(browser)
        await page.goto(platform.url("web"))
        await page.get_by_role("button", name="FR").click()
        await expect(page.locator("#login-title")).to_have_text("Connexion")
        await page.get_by_label("Identifiant").fill("agent")
        await page.get_by_label("Mot de passe").fill("not-the-password")
        await page.get_by_role("button", name="Se connecter").click()
        await expect(page.locator("#login-error")).to_have_text(
            "Identifiant ou mot de passe incorrect."
        )
        assert await page.evaluate("document.documentElement.lang") == "fr"
