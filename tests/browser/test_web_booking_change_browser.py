"""An agent changes a confirmed booking from the bookings list: the price difference shows
before the change is sent, the change is followed live, and the booking keeps its code. A change
that cannot be made leaves the booking as it was, and the operator finds it on the dashboard
with the booking it was changing."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.browser.pages import (
    BROWSER,
    UI_TIMEOUT_MS,
    console_errors,
    new_page,
    sign_in,
    start_booking,
    token,
)
from tests.support.platform import Servers, running_platform

pytestmark = pytest.mark.e2e
# Hotels and dates no other browser test books, so that nothing else fills them.
AUCKLAND = "auckland-waitemata"
NADI = "fiji-nadi"
DOUBLES = 8  # Standard Double rooms in each seeded hotel


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


async def booked(base_url: str, agent_token: str, body: dict[str, Any]) -> tuple[str, str]:
    """Book through the public API and follow the booking's events stream until it closes (the
    booking ended): its id and how it ended."""
    booking_id = await start_booking(base_url, agent_token, body)
    headers = {"Authorization": f"Bearer {agent_token}"}
    async with httpx.AsyncClient(base_url=base_url, timeout=90, headers=headers) as client:
        async with client.stream("GET", f"/api/bookings/{booking_id}/events") as response:
            async for _ in response.aiter_lines():
                pass
        response = await client.get(f"/api/bookings/{booking_id}")
        return booking_id, str(response.json()["status"])


async def booking(base_url: str, agent_token: str, booking_id: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {agent_token}"}
    async with httpx.AsyncClient(base_url=base_url, timeout=30, headers=headers) as client:
        response = await client.get(f"/api/bookings/{booking_id}")
        response.raise_for_status()
        return dict(response.json())


def stay(hotel: str, check_in: date, nights: int, guests: int) -> dict[str, Any]:
    return {
        "hotel_id": hotel,
        "room_type_id": f"{hotel}-double",
        "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=nights)).isoformat(),
        "guests": guests,
    }


async def test_an_agent_moves_a_booking_by_a_night_on_a_phone_and_sees_the_price_first(
    servers: Servers, browser: Browser
) -> None:
    check_in = date.today() + timedelta(days=130)
    check_out, later = check_in + timedelta(days=2), check_in + timedelta(days=3)
    async with running_platform(servers, BROWSER) as platform:
        web = platform.url("web")
        agent_token = await token(web, "agent", "agent-demo")
        client_id = await new_client(web, agent_token)
        booking_id, status = await booked(
            web, agent_token, {"client_id": client_id, **stay(AUCKLAND, check_in, 2, 1)}
        )
        assert status == "CONFIRMED"

        page = await new_page(browser, width=375, height=812)  # a phone
        errors = console_errors(page)
        await sign_in(page, web, "agent", "agent-demo")
        row = page.locator(f'#bookings tr[data-booking="{booking_id}"]')
        await expect(row.get_by_test_id("change")).to_be_visible()
        code = await row.locator("td.code").inner_text()

        await row.get_by_test_id("change").click()
        dialog = page.get_by_test_id("change-dialog")
        await expect(dialog).to_be_visible()
        await expect(page.get_by_test_id("change-check-in")).to_be_focused()
        await expect(page.get_by_test_id("change-check-out")).to_have_value(check_out.isoformat())
        await expect(page.get_by_test_id("change-guests")).to_have_value("1")
        # the booking's own type, priced for its own dates: nothing to confirm yet
        await expect(page.get_by_test_id("change-room-type")).to_have_value(f"{AUCKLAND}-double")
        await expect(page.get_by_test_id("change-difference")).to_have_text("same price")
        await expect(page.get_by_test_id("change-confirm")).to_be_disabled()

        await page.get_by_test_id("change-check-out").fill(later.isoformat())
        price = page.get_by_test_id("change-price")
        await expect(price).to_have_attribute(
            "data-difference", re.compile(r"^[1-9][0-9]*\.[0-9]{2}$")
        )
        await expect(page.get_by_test_id("change-difference")).to_have_text(re.compile(r"^\+NZ\$"))
        await expect(price.locator(".availability")).to_contain_text("free for these dates")
        fits = "document.documentElement.scrollWidth <= window.innerWidth"
        assert await page.evaluate(fits), "the dialog is wider than the phone"
        await page.get_by_test_id("change-confirm").click()

        outcome = page.get_by_test_id("change-outcome")
        await expect(outcome).to_have_attribute("data-status", "CONFIRMED", timeout=UI_TIMEOUT_MS)
        await expect(page.get_by_test_id("change-code")).to_have_text(code)
        await expect(page.get_by_test_id("change-done")).to_contain_text(f"stays {code}")
        for step in ("hold_room", "change_reservation", "move_booking", "apply_change"):
            await expect(dialog.locator(f'[data-step="{step}"]')).to_have_attribute(
                "data-status", "done"
            )

        await page.keyboard.press("Escape")
        await expect(dialog).to_have_count(0)
        await expect(row.get_by_test_id("change")).to_be_focused()
        await expect(page.locator("#bookings-status")).to_contain_text(code)
        await expect(row.locator("td.stay")).to_have_attribute("data-check-out", later.isoformat())
        await expect(row.locator("td.stay")).to_have_attribute(
            "data-check-in", check_in.isoformat()
        )
        await expect(row.locator("td.code")).to_have_text(code)

        changed = await booking(web, agent_token, booking_id)
        assert changed["check_out"] == later.isoformat()
        assert changed["reservation"]["confirmation_code"] == code
        assert len(changed["changes"]) == 1 and changed["changing"] is None
        assert errors == []


def shown(day: date) -> str:
    """A date as the dashboard shows it in English (en-GB): 22 Apr 2027."""
    return f"{day.day} {day:%b %Y}"


async def test_a_change_that_cannot_be_made_leaves_the_booking_and_the_operator_sees_it(
    servers: Servers, browser: Browser
) -> None:
    check_in = date.today() + timedelta(days=140)
    check_out, later = check_in + timedelta(days=2), check_in + timedelta(days=3)
    async with running_platform(servers, BROWSER) as platform:
        web = platform.url("web")
        agent_token = await token(web, "agent", "agent-demo")
        client_id = await new_client(web, agent_token)
        booking_id, status = await booked(
            web, agent_token, {"client_id": client_id, **stay(NADI, check_in, 2, 1)}
        )
        assert status == "CONFIRMED"
        # Every double of the hotel is taken for the night after the stay, the booking's own
        # room too: the stay cannot be made a night longer.
        night_after = stay(NADI, check_out, 1, 2)
        others = await asyncio.gather(
            *(
                booked(web, agent_token, {"client_id": client_id, **night_after})
                for _ in range(DOUBLES)
            )
        )
        assert [status for _, status in others] == ["CONFIRMED"] * DOUBLES

        page = await new_page(browser, width=375, height=812)
        errors = console_errors(page)
        await sign_in(page, web, "agent", "agent-demo")
        await page.locator('[data-lang="fr"]').click()
        row = page.locator(f'#bookings tr[data-booking="{booking_id}"]')
        await expect(row.get_by_test_id("change")).to_have_text("Modifier")
        code = await row.locator("td.code").inner_text()
        await row.get_by_test_id("change").click()
        await page.get_by_test_id("change-check-out").fill(later.isoformat())
        # No double is free that night: the quote cannot price the booking's own type, which
        # stays on offer (its own room might have done), priced once the change holds nights.
        await expect(page.get_by_test_id("change-total")).to_have_text(
            "connu une fois les nuits bloquées"
        )
        await page.get_by_test_id("change-confirm").click()

        outcome = page.get_by_test_id("change-outcome")
        await expect(outcome).to_have_attribute("data-status", "FAILED", timeout=UI_TIMEOUT_MS)
        # why, in the agent's language (from the reason's code, not the server's English)
        reason = outcome.locator(".reason")
        await expect(reason).to_have_attribute("data-code", "reason.no_room_free")
        await expect(reason).to_contain_text("Aucune chambre de ce type")
        await expect(outcome).to_contain_text("La réservation est inchangée.")
        await expect(page.get_by_test_id("change-check-out")).to_be_enabled()  # try again

        await page.get_by_test_id("change-close").click()
        await expect(page.locator("#bookings-status")).to_contain_text("inchangée")
        await expect(row.locator("td.stay")).to_have_attribute(
            "data-check-out", check_out.isoformat()
        )
        await expect(row.locator("td.code")).to_have_text(code)
        await expect(row.get_by_test_id("change")).to_be_visible()  # no change under way
        assert errors == []

        board = await new_page(browser, 1440, 1100)
        board_errors = console_errors(board)
        await sign_in(board, platform.url("dashboard"), "operator", "operator-demo")
        change = board.locator('#sagas tr[data-kind="change"]')
        await expect(change).to_contain_text("FAILED", timeout=UI_TIMEOUT_MS)
        await expect(change.get_by_test_id("saga-kind")).to_have_text("change")
        await change.click()
        await expect(board.get_by_test_id("detail-kind")).to_have_text("change")
        await expect(board.get_by_test_id("change-before")).to_contain_text(
            f"{shown(check_in)} → {shown(check_out)}"
        )
        await expect(board.get_by_test_id("change-after")).to_contain_text(
            f"{shown(check_in)} → {shown(later)}"
        )
        await board.get_by_test_id("changed-booking").click()
        await expect(board.locator("#detail-body .facts")).to_contain_text(booking_id)
        await expect(board.get_by_test_id("detail-kind")).to_have_text("booking")
        await expect(board.get_by_test_id("detail-state")).to_have_text("CONFIRMED")
        assert board_errors == []
