"""What a person does in the two web apps, step by step, shared by the tests and the screenshots."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
from playwright.async_api import Browser, Page, async_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The web apps' settings under the browser: keep-alives (and the stored-saga reads a quiet
# stream makes) every 2 s rather than 15, so a screen never waits long on a lost event.
BROWSER = {"SSE_KEEPALIVE_SECONDS": "2"}
UI_TIMEOUT_MS = 60_000  # the CPU is shared with other test runs: wait on conditions, generously


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """Debian's Chromium driven by Playwright; no browser is ever downloaded."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            await browser.close()


async def new_page(browser: Browser, width: int = 1280, height: int = 900) -> Page:
    context = await browser.new_context(viewport={"width": width, "height": height})
    page = await context.new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)
    return page


def console_errors(page: Page) -> list[str]:
    """What the page logs as an error, or throws, from now on (a list that fills as it runs)."""
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


async def sign_in(page: Page, url: str, username: str, password: str) -> None:
    await page.goto(url)
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(password)
    await page.locator("#login-form button[type=submit]").click()


async def search(page: Page, destination: str, guests: int = 2) -> None:
    await page.locator("#destination").fill(destination)
    await page.locator("#guests").fill(str(guests))
    await page.locator("#search-form button[type=submit]").click()
    await page.locator("#results li.offer").first.wait_for()


async def create_client(page: Page, first_name: str, last_name: str) -> str:
    email = f"{first_name}.{last_name}.{uuid.uuid4().hex[:6]}@example.org".lower()
    await fill_client_form(page, first_name, last_name, email)
    await page.locator("#clients li.chosen").wait_for()
    return email


async def fill_client_form(page: Page, first_name: str, last_name: str, email: str) -> None:
    """Open the new-client form (unless open) and send it."""
    if await page.locator("#new-client").get_attribute("open") is None:
        await page.locator("#new-client summary").click()
    await page.locator("#first-name").fill(first_name)
    await page.locator("#last-name").fill(last_name)
    await page.locator("#email").fill(email)
    await page.locator("#phone").fill("+22890112233")
    await page.locator("#nationality").fill("TG")
    await page.locator("#client-form button[type=submit]").click()


async def book_first_offer(page: Page) -> None:
    await page.locator("#results li.offer").first.get_by_role("button").click()
    await page.locator("#book-button").click()


async def token(base_url: str, username: str, password: str) -> str:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        response = await client.post(
            "/api/auth/token", data={"username": username, "password": password}
        )
        response.raise_for_status()
        return str(response.json()["access_token"])


async def start_booking(base_url: str, agent_token: str, body: dict[str, Any]) -> str:
    """Submit a booking through the public API (what another system would do); its id."""
    headers = {"Authorization": f"Bearer {agent_token}", "Idempotency-Key": str(uuid.uuid4())}
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        response = await client.post("/api/bookings", json=body, headers=headers)
        response.raise_for_status()
        return str(response.json()["booking_id"])
