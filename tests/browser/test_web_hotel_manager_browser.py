"""A hotel manager runs the Paris hotels from the back office: a raised rate and a closed room
show in an agent's search at once; a room cannot be closed on a night an agent has booked,
and the manager is told why."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from playwright.async_api import Browser, expect

from tests.browser.pages import (
    BROWSER,
    UI_TIMEOUT_MS,
    booked_rooms,
    close_room,
    console_errors,
    create_client,
    new_page,
    night_cell,
    nights,
    offer,
    open_section,
    rooms_of,
    search,
    set_rate,
    show_calendar,
    sign_in,
)
from tests.support.platform import Servers, running_platform

pytestmark = pytest.mark.e2e
HOTEL = "paris-lumiere"
DOUBLE = "paris-lumiere-double"
FIRST = date.today() + timedelta(days=20)  # the three nights whose rate goes up
RATE = Decimal("987.00")
BOOKED_NIGHT = FIRST + timedelta(days=10)


async def test_a_hotel_manager_changes_rates_and_closures_that_agents_see_at_once(
    servers: Servers, browser: Browser
) -> None:
    async with running_platform(servers, BROWSER) as platform:
        web, dashboard = platform.url("web"), platform.url("dashboard")
        stay = nights(FIRST, 3)

        # What an agent finds before.
        agent = await new_page(browser)
        await sign_in(agent, web, "paris.agent1", "agent-demo")
        await search(agent, "Paris", check_in=FIRST, check_out=FIRST + timedelta(days=3))
        double = offer(agent, HOTEL, DOUBLE)
        free_before = int(await double.get_attribute("data-available") or 0)
        assert free_before >= 2
        assert Decimal(await double.get_attribute("data-total") or 0) != 3 * RATE

        # The hotel manager sees only their sections, and the calendar of their hotels.
        board = await new_page(browser, 1440, 1100)
        errors = console_errors(board)
        await sign_in(board, dashboard, "hotels.paris", "hotel-demo")
        await expect(board.locator('#sections button[data-view="hotels"]')).to_have_text(
            "My hotels"
        )
        for hidden in ("operations", "agencies", "users"):
            await expect(board.locator(f'#sections button[data-view="{hidden}"]')).to_be_hidden()
        await expect(board.locator("#calendar-hotel option")).to_have_count(2)
        await show_calendar(board, HOTEL, FIRST)
        status = board.get_by_test_id("hotel-status")

        await set_rate(board, DOUBLE, stay[0], stay[-1], str(RATE))
        await expect(status).to_contain_text("Rate set to 987.00 EUR for 3 nights")
        for night in stay:
            await expect(night_cell(board, DOUBLE, "price", night)).to_contain_text("987.00")
            await expect(night_cell(board, DOUBLE, "price", night)).to_have_class(
                re.compile("overridden")
            )
        after = night_cell(board, DOUBLE, "price", FIRST + timedelta(days=3))
        await expect(after).not_to_have_class(re.compile("overridden"))

        room_id, number = (await rooms_of(board, DOUBLE))[0]
        await close_room(board, DOUBLE, room_id, stay[0], stay[1], "Boiler repair")
        await expect(status).to_contain_text(f"Room {number} closed for 2 nights")
        for night in stay[:2]:
            await expect(night_cell(board, DOUBLE, "closed", night)).to_have_text("1")
        await expect(night_cell(board, DOUBLE, "closed", stay[2])).to_have_text("0")
        closed = board.locator(f'#calendar [data-room-type="{DOUBLE}"] .closed-rooms')
        await expect(closed).to_contain_text(f"Room {number}")
        await expect(closed).to_contain_text("Boiler repair")

        # The agent's same search: the new price on every night, one room fewer.
        await agent.locator("#search-form button[type=submit]").click()
        await expect(double).to_have_attribute("data-available", str(free_before - 1))
        assert Decimal(await double.get_attribute("data-total") or 0) == 3 * RATE
        await expect(double.locator(".nights li", has_text="€987.00")).to_have_count(3)

        # An agent books a night; closing that room on that night is refused, with the reason.
        await search(agent, "Paris", check_in=BOOKED_NIGHT, check_out=BOOKED_NIGHT + timedelta(1))
        await offer(agent, HOTEL, DOUBLE).get_by_test_id("choose-offer").click()
        await create_client(agent, "Jeanne", "Martin")
        await agent.locator("#book-button").click()
        await expect(agent.locator("#outcome")).to_have_attribute(
            "data-status", "CONFIRMED", timeout=UI_TIMEOUT_MS
        )
        await show_calendar(board, HOTEL, FIRST)
        await expect(night_cell(board, DOUBLE, "booked", BOOKED_NIGHT)).to_have_text("1")
        # The calendar names the booked room and its night; the closure form marks it.
        booked_list = board.locator(f'#calendar [data-room-type="{DOUBLE}"] .booked-rooms')
        await expect(booked_list.locator("li")).to_have_count(1)
        booked = await booked_rooms(board, DOUBLE, BOOKED_NIGHT)
        assert len(booked) == 1, booked
        booked_id, booked_number = booked[0]
        await expect(booked_list).to_contain_text(f"Room {booked_number} booked")
        await close_room(board, DOUBLE, booked_id, BOOKED_NIGHT, BOOKED_NIGHT, "Painting")
        option = board.locator(f'#closure-room option[value="{booked_id}"]')
        await expect(option).to_contain_text("(booked that night)")
        await expect(board.locator("#closure-room option[data-booked]")).to_have_count(1)
        await expect(board.get_by_test_id("closure-booked")).to_contain_text(
            f"Room {booked_number}"
        )
        # Closing it anyway is refused, with the server's reason shown as it is.
        alert = board.get_by_test_id("hotel-alert")
        await expect(alert).to_be_visible()
        await expect(alert).to_contain_text(f"Closing room {booked_number} refused")
        # (the refusal's code, translated by the page: the night as the reader writes dates)
        await expect(alert).to_contain_text(f"Room {booked_number} is booked on")
        await expect(alert).to_contain_text("a sold night cannot be closed.")
        await expect(status).to_have_text("")
        await expect(night_cell(board, DOUBLE, "booked", BOOKED_NIGHT)).to_have_text("1")
        await expect(night_cell(board, DOUBLE, "closed", BOOKED_NIGHT)).to_have_text("0")

        # At a phone's width the booked room and the form's mark fit without sideways scroll.
        phone = await new_page(browser, 390, 900)
        phone_errors = console_errors(phone)
        await sign_in(phone, dashboard, "hotels.paris", "hotel-demo")
        await show_calendar(phone, HOTEL, FIRST)
        await phone.locator("#closure-room-type").select_option(DOUBLE)
        await phone.locator("#closure-first").fill(BOOKED_NIGHT.isoformat())
        await phone.locator("#closure-last").fill(BOOKED_NIGHT.isoformat())
        await phone.locator("#closure-room").select_option(booked_id)
        await expect(phone.get_by_test_id("closure-booked")).to_be_visible()
        listed = phone.locator(f'#calendar .booked-rooms li[data-room="{booked_id}"]')
        await expect(listed).to_be_visible()
        assert await phone.evaluate("document.documentElement.scrollWidth") <= 390
        assert phone_errors == []

        # The booking is among the hotel's, with the guest's name.
        await open_section(board, "bookings")
        guest_row = board.locator("#hotel-bookings tbody tr", has_text="Jeanne Martin")
        await expect(guest_row).to_contain_text("CONFIRMED")
        # the refused closure's 409 is the only failed request (Chromium logs it)
        assert [e for e in errors if "status of 409" not in e] == []
