"""An agent changes a confirmed booking from the bookings list: the price difference shows
before the change is sent, the change is followed live, and the booking keeps its code."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.browser.pages import BROWSER, UI_TIMEOUT_MS, new_page, sign_in, start_booking, token
from tests.support.platform import Servers, running_platform

pytestmark = pytest.mark.e2e
HOTEL = "auckland-waitemata"


async def new_client(base_url: str, agent_token: str) -> str:
    suffix = uuid.uuid4().hex[:8]
    body = {
        "first_name": "Kiri",
        "last_name": f"Ngata{suffix}",
        "email": f"kiri.{suffix}@example.org",
        "phone": "+6491234567",
        "nationality": "NZ",
    }
    headers = {"Authorization": f"Bearer {agent_token}"}
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        response = await client.post("/api/clients", json=body, headers=headers)
        response.raise_for_status()
        return str(response.json()["id"])


async def ended(base_url: str, agent_token: str, booking_id: str) -> str:
    """The booking's status once its events stream has closed (it ended)."""
    headers = {"Authorization": f"Bearer {agent_token}"}
    async with httpx.AsyncClient(base_url=base_url, timeout=90, headers=headers) as client:
        async with client.stream("GET", f"/api/bookings/{booking_id}/events") as response:
            async for _ in response.aiter_lines():
                pass
        response = await client.get(f"/api/bookings/{booking_id}")
        return str(response.json()["status"])


async def test_an_agent_moves_a_booking_by_a_night_and_sees_the_price_first(
    servers: Servers, browser: Browser
) -> None:
    check_in = date.today() + timedelta(days=130)
    check_out, later = check_in + timedelta(days=2), check_in + timedelta(days=3)
    async with running_platform(servers, BROWSER) as platform:
        web = platform.url("web")
        agent_token = await token(web, "agent", "agent-demo")
        booking_id = await start_booking(
            web,
            agent_token,
            {
                "client_id": await new_client(web, agent_token),
                "hotel_id": HOTEL,
                "room_type_id": f"{HOTEL}-double",
                "check_in": check_in.isoformat(),
                "check_out": check_out.isoformat(),
                "guests": 1,
            },
        )
        assert await ended(web, agent_token, booking_id) == "CONFIRMED"
        page = await new_page(browser, width=390, height=844)  # a phone
        await sign_in(page, web, "agent", "agent-demo")
        row = page.locator(f'#bookings tr[data-booking="{booking_id}"]')
        await expect(row.get_by_test_id("change")).to_be_visible()
        code = await row.locator("td.code").inner_text()

        await row.get_by_test_id("change").click()
        await page.get_by_test_id("change-check-out").fill(later.isoformat())
        await page.get_by_test_id("change-check-out").dispatch_event("change")
        price = page.get_by_test_id("change-price")
        await expect(price).to_contain_text("+")  # one more night costs more
        await page.get_by_test_id("change-confirm").click()

        status = page.get_by_test_id("change-status")
        await expect(status).to_have_attribute("data-status", "CONFIRMED", timeout=UI_TIMEOUT_MS)
        await expect(status).to_contain_text(code)
        await expect(row).to_contain_text(str(later.day))
        await expect(row.locator("td.code")).to_have_text(code)
