"""An operator sees a failed saga with its reason, and retries a stuck one from the dashboard."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.pages import BROWSER, UI_TIMEOUT_MS, new_page, sign_in, start_booking, token
from tests.support.platform import Servers, running_platform

pytestmark = pytest.mark.e2e
# Short deadlines so a participant that never answers makes a saga STUCK within seconds.
QUICK_GIVE_UP = {
    "STEP_DEADLINE_SECONDS": "2",
    "RETRY_MAX_ATTEMPTS": "2",
    "RETRY_FIRST_DELAY_SECONDS": "0.2",
    "RETRY_MAX_DELAY_SECONDS": "0.5",
}
UNKNOWN_CLIENT = "00000000-0000-4000-8000-000000000000"
DEMO_CLIENT = "98396f1e-a7b2-5c73-a38f-67db41362a4f"  # seeded by the clients service


def stay(days_ahead: int) -> dict[str, object]:
    check_in = date.today() + timedelta(days=days_ahead)
    return {
        "hotel_id": "paris-lumiere",
        "room_type_id": "paris-lumiere-double",
        "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=2)).isoformat(),
        "guests": 2,
    }


async def open_saga(page: Page, saga_id: str) -> None:
    row = page.locator(f'#sagas tr[data-saga="{saga_id}"]')
    await expect(row).to_be_visible(timeout=UI_TIMEOUT_MS)
    await row.click()
    await expect(page.locator("#detail-body .facts")).to_contain_text(saga_id)


async def test_the_dashboard_shows_a_failed_saga_and_a_retry_unsticks_a_stuck_one(
    servers: Servers, browser: Browser
) -> None:
    async with running_platform(servers, QUICK_GIVE_UP | BROWSER) as platform:
        web = platform.url("web")
        agent = await token(web, "agent", "agent-demo")
        failed = await start_booking(web, agent, {"client_id": UNKNOWN_CLIENT, **stay(30)})

        page = await new_page(browser, 1440, 1100)
        await sign_in(page, platform.url("dashboard"), "operator", "operator-demo")
        await expect(page.locator('#health [data-service="orchestrator"]')).to_have_class(
            "service ok"
        )
        await open_saga(page, failed)
        await expect(page.get_by_test_id("detail-state")).to_have_text("FAILED")
        await expect(page.locator("#detail-body")).to_contain_text("The client is unknown.")
        await expect(page.locator("#detail-body .history")).to_contain_text("VerifyClient")

        # Rooms goes away: the hold is never answered, nor is its release; the saga gets stuck.
        await asyncio.to_thread(platform.kill, "rooms")
        stuck = await start_booking(web, agent, {"client_id": DEMO_CLIENT, **stay(31)})
        await expect(page.locator('#health [data-service="rooms"]')).to_have_class(
            "service unreachable", timeout=UI_TIMEOUT_MS
        )
        await open_saga(page, stuck)
        await expect(page.get_by_test_id("detail-state")).to_have_text("STUCK")

        # a retried saga compensates again: list those too, so its row stays at hand
        await page.get_by_role("button", name="Compensating").click()
        await retry(page)
        await expect(page.locator("#detail-body .history")).to_contain_text(
            "operator resent release_hold", timeout=UI_TIMEOUT_MS
        )
        # Rooms comes back; the resent release is answered and compensation ends the saga.
        await asyncio.to_thread(platform.start, "rooms")
        await wait_until_failed(page, stuck)
        await expect(page.locator(f'#sagas tr[data-saga="{stuck}"]')).to_contain_text(
            "FAILED", timeout=UI_TIMEOUT_MS
        )


async def retry(page: Page) -> None:
    """Retry the saga on screen: the button, then the confirmation it asks for."""
    await page.get_by_test_id("retry-button").click()
    await page.get_by_test_id("confirm-yes").click()


async def wait_until_failed(page: Page, saga_id: str) -> None:
    """Reopen the saga until compensation ended; retry again if it got stuck meanwhile."""
    async with asyncio.timeout(UI_TIMEOUT_MS / 1000):
        while True:
            await page.locator(f'#sagas tr[data-saga="{saga_id}"]').click()
            state = page.get_by_test_id("detail-state")
            await expect(state).to_be_visible()
            text = await state.inner_text()
            if text == "FAILED":
                return
            if text == "STUCK":
                await retry(page)
            await asyncio.sleep(1.0)
