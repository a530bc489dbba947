"""What a person does in the two web apps, step by step, shared by the tests and the screenshots."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import httpx
from playwright.async_api import Browser, Locator, Page, async_playwright, expect

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


async def new_page(
    browser: Browser,
    width: int = 1280,
    height: int = 900,
    locale: str | None = None,
    timezone_id: str | None = None,
) -> Page:
    """A page of its own context; `locale` and `timezone_id` are the browser's (the person's)."""
    context = await browser.new_context(
        viewport={"width": width, "height": height}, locale=locale, timezone_id=timezone_id
    )
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
    form = page.locator("#login-form")  # other forms of the page ask for usernames too
    await form.get_by_label("Username", exact=True).fill(username)
    await form.get_by_label("Password", exact=True).fill(password)
    await page.locator("#login-form button[type=submit]").click()


async def search(
    page: Page,
    destination: str,
    guests: int = 2,
    check_in: date | None = None,
    check_out: date | None = None,
) -> None:
    """Search the agents' app (the dates it proposes unless given); wait for an offer."""
    await page.locator("#destination").fill(destination)
    await page.locator("#guests").fill(str(guests))
    if check_in is not None:
        await page.locator("#check-in").fill(check_in.isoformat())
    if check_out is not None:
        await page.locator("#check-out").fill(check_out.isoformat())
    await page.locator("#search-form button[type=submit]").click()
    await page.locator("#results li.offer").first.wait_for()


def offer(page: Page, hotel_id: str, room_type_id: str) -> Locator:
    """The search result of one room type of one hotel."""
    return page.locator(
        f'#results li.offer[data-hotel="{hotel_id}"][data-room-type="{room_type_id}"]'
    )


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


async def bookings_loaded(page: Page) -> None:
    """Wait until the agents' app has read its bookings list once since signing in."""
    await page.locator("#bookings[data-loaded]").wait_for(state="attached")


async def change_password(page: Page, current: str, new: str) -> None:
    """Either app: open the password dialog and send it (its status line says how it went)."""
    await page.locator("#password-button").click()
    dialog = page.get_by_test_id("password-dialog")
    await dialog.get_by_test_id("password-current").fill(current)
    await dialog.get_by_test_id("password-new").fill(new)
    await dialog.get_by_test_id("password-again").fill(new)
    await dialog.get_by_test_id("password-submit").click()


# ---- the agents' app: an agency manager's team ------------------------------------------------


async def create_agent(page: Page, username: str, display_name: str, password: str) -> Locator:
    """Create an agent in the Team panel; their row, once listed."""
    if await page.locator("#new-agent").get_attribute("open") is None:
        await page.locator("#new-agent summary").click()
    await page.locator("#agent-username").fill(username)
    await page.locator("#agent-display-name").fill(display_name)
    await page.locator("#agent-password").fill(password)
    await page.locator("#agent-form button[type=submit]").click()
    row = page.locator(f'#team-table tr[data-user="{username}"]')
    await row.wait_for()
    return row


# ---- the back office (dashboard) ---------------------------------------------------------------


async def open_section(page: Page, name: str) -> None:
    await page.locator(f'#sections button[data-view="{name}"]').click()
    await expect(page.locator(f'.view[data-view="{name}"]')).to_be_visible()


async def create_agency(page: Page, agency: dict[str, str], manager: dict[str, str]) -> None:
    """Fill and send the new-agency form: `agency` name, city, country, time_zone, currency;
    `manager` username, display_name, password."""
    for field, value in agency.items():
        await page.locator(f"#agency-{field.replace('_', '-')}").fill(value)
    for field, value in manager.items():
        await page.locator(f"#manager-{field.replace('_', '-')}").fill(value)
    await page.locator("#agency-form button[type=submit]").click()


def night_cell(page: Page, room_type_id: str, row: str, night: date) -> Locator:
    """A cell of the hotel calendar: `row` is price, free, booked or closed."""
    return page.locator(
        f'#calendar [data-room-type="{room_type_id}"] '
        f'tr[data-row="{row}"] td[data-night="{night.isoformat()}"]'
    )


async def show_calendar(page: Page, hotel_id: str, start: date, nights: int = 14) -> None:
    await page.locator("#calendar-hotel").select_option(hotel_id)
    await page.locator("#calendar-start").fill(start.isoformat())
    await page.locator("#calendar-nights").fill(str(nights))
    await page.locator("#calendar-form button[type=submit]").click()
    await expect(page.locator("#calendar")).to_have_attribute("data-hotel", hotel_id)
    await page.locator(f'#calendar thead th[data-night="{start.isoformat()}"]').first.wait_for()


async def set_rate(page: Page, room_type_id: str, first: date, last: date, price: str) -> None:
    """The hotel calendar's rate form: `price` for the nights `first` to `last` included."""
    await page.locator("#rate-room-type").select_option(room_type_id)
    await page.locator("#rate-first").fill(first.isoformat())
    await page.locator("#rate-last").fill(last.isoformat())
    await page.locator("#rate-price").fill(price)
    await page.locator("#rate-set").click()


async def close_room(
    page: Page, room_type_id: str, room_id: str, first: date, last: date, reason: str
) -> None:
    """The hotel calendar's closure form: close one room (or, with room_id "", the type)."""
    await page.locator("#closure-room-type").select_option(room_type_id)
    await page.locator("#closure-room").select_option(room_id)
    await page.locator("#closure-first").fill(first.isoformat())
    await page.locator("#closure-last").fill(last.isoformat())
    await page.locator("#closure-reason").fill(reason)
    await page.locator("#closure-close").click()


async def rooms_of(page: Page, room_type_id: str) -> list[tuple[str, str]]:
    """The rooms of a room type as the closure form offers them: (room id, number) each."""
    await page.locator("#closure-room-type").select_option(room_type_id)
    options = page.locator("#closure-room option[data-number]")
    await options.first.wait_for(state="attached")
    return [
        (str(await option.get_attribute("value")), str(await option.get_attribute("data-number")))
        for option in await options.all()
    ]


async def booked_rooms(page: Page, room_type_id: str, night: date) -> list[tuple[str, str]]:
    """The rooms the calendar on screen lists as booked on `night`: (room id, number) each."""
    listed = page.locator(f'#calendar [data-room-type="{room_type_id}"] .booked-rooms li')
    return [
        (str(await room.get_attribute("data-room")), str(await room.get_attribute("data-number")))
        for room in await listed.all()
        if night.isoformat() in str(await room.get_attribute("data-nights")).split()
    ]


def nights(first: date, count: int) -> list[date]:
    return [first + timedelta(days=n) for n in range(count)]


async def api_get(base_url: str, bearer: str, path: str) -> httpx.Response:
    """A GET as a signed-in person would send it, answered whatever its status."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        return await client.get(path, headers={"Authorization": f"Bearer {bearer}"})


# ---- the bookings: made fast through the API, found and opened in the agents' app ---------


async def new_client_through_api(
    base_url: str, bearer: str, first_name: str, last_name: str
) -> str:
    """Register a client for the agent's agency through the public API; the client's id."""
    email = f"{first_name}.{last_name}.{uuid.uuid4().hex[:6]}@example.org".lower()
    body = {"first_name": first_name, "last_name": last_name, "email": email}
    body |= {"phone": "+22890112233", "nationality": "TG"}
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        response = await client.post(
            "/api/clients", json=body, headers={"Authorization": f"Bearer {bearer}"}
        )
        response.raise_for_status()
        return str(response.json()["id"])


async def wait_for_outcomes(
    base_url: str, bearer: str, booking_ids: list[str], seconds: float = 120.0
) -> dict[str, dict[str, Any]]:
    """Read each booking until it has ended (confirmed, failed, cancelled); each view by id."""
    deadline = asyncio.get_running_loop().time() + seconds
    views: dict[str, dict[str, Any]] = {}
    headers = {"Authorization": f"Bearer {bearer}"}
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        for booking_id in booking_ids:
            while True:
                response = await client.get(f"/api/bookings/{booking_id}", headers=headers)
                if response.status_code == 200 and response.json()["ended"]:
                    views[booking_id] = response.json()
                    break
                if asyncio.get_running_loop().time() > deadline:
                    raise AssertionError(f"booking {booking_id} has not ended: {response.text}")
                await asyncio.sleep(0.2)  # the next read of a booking still under way
    return views


async def open_booking(page: Page, booking_id: str) -> Locator:
    """Open a booking's page from its row in the agents' list; the page, once read."""
    row = page.locator(f'#bookings tbody tr[data-booking="{booking_id}"]')
    await row.get_by_test_id("open-booking").click()
    body = page.locator(f'#booking-page-body[data-booking="{booking_id}"]')
    await body.wait_for()
    return page.locator("#booking-page")
