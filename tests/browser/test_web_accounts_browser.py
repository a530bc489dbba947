"""People and agencies through both apps: an operator opens an agency with its manager in the
back office; the manager hires an agent in the agents' app; the agent books; an agent of
another agency sees nothing of it; the manager disables the agent, whose token dies at once;
the manager changes their password and signs in with the new one."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.browser.pages import (
    BROWSER,
    UI_TIMEOUT_MS,
    api_get,
    book_first_offer,
    bookings_loaded,
    change_password,
    console_errors,
    create_agency,
    create_agent,
    create_client,
    new_page,
    open_section,
    search,
    sign_in,
    token,
)
from tests.support.platform import Servers, running_platform

pytestmark = pytest.mark.e2e
ACCRA = {
    "name": "Gold Coast Journeys",
    "city": "Accra",
    "country": "GH",
    "time_zone": "Africa/Accra",
    "currency": "GHS",
}
AGENCY_ID = "agency-accra"  # made from the city when the form names none
MANAGER = {
    "username": "accra.manager",
    "display_name": "Efua Mensah",
    "password": "Kente-loom-2026",
}
AGENT = "accra.agent1"
AGENT_PASSWORD = "Adinkra-stamp-77"
NEW_PASSWORD = "Harmattan-breeze-42"


async def test_an_agency_is_opened_staffed_and_kept_to_itself(
    servers: Servers, browser: Browser
) -> None:
    async with running_platform(servers, BROWSER) as platform:
        web, dashboard = platform.url("web"), platform.url("dashboard")

        # Head office opens the agency and its manager.
        board = await new_page(browser, 1440, 1000)
        errors = console_errors(board)
        await sign_in(board, dashboard, "operator", "operator-demo")
        await open_section(board, "agencies")
        await create_agency(board, ACCRA, MANAGER)
        await expect(board.locator("#agency-form-status")).to_contain_text(MANAGER["username"])
        agency_row = board.locator(f'#agencies tr[data-agency="{AGENCY_ID}"]')
        await expect(agency_row).to_contain_text("Gold Coast Journeys")
        await agency_row.get_by_role("button", name="1 person").click()
        await expect(board.locator(".view[data-view=users]")).to_be_visible()
        manager_row = board.locator(f'#users tr[data-user="{MANAGER["username"]}"]')
        await expect(manager_row).to_contain_text("Agency manager")

        # The manager signs in to the agents' app and hires an agent.
        desk = await new_page(browser)
        desk_errors = console_errors(desk)
        await sign_in(desk, web, MANAGER["username"], MANAGER["password"])
        await expect(desk.locator("#whoami")).to_contain_text("Gold Coast Journeys")
        await expect(desk.locator("#team")).to_be_visible()
        agent_row = await create_agent(desk, AGENT, "Kwame Boateng", AGENT_PASSWORD)
        await expect(desk.locator("#agent-form-status")).to_contain_text(AGENT)
        await expect(agent_row.get_by_test_id("active")).to_have_text("active")

        # The agent books.
        counter = await new_page(browser)
        await sign_in(counter, web, AGENT, AGENT_PASSWORD)
        await expect(counter.locator("#team")).to_be_hidden()
        await search(counter, "Paris")
        await create_client(counter, "Ama", "Owusu")
        await book_first_offer(counter)
        await expect(counter.locator("#outcome")).to_have_attribute(
            "data-status", "CONFIRMED", timeout=UI_TIMEOUT_MS
        )
        code = await counter.get_by_test_id("confirmation-code").inner_text()
        booked_row = counter.locator("#bookings tbody tr", has_text=code)
        await expect(booked_row).to_be_visible()
        await expect(booked_row.get_by_test_id("booked-by")).to_have_count(0)  # an agent's own
        booking_id = await booked_row.get_attribute("data-booking")
        assert booking_id

        # The manager sees every booking of the agency.
        await expect(desk.locator("#bookings-title")).to_have_text("All agency bookings")
        await desk.locator("#bookings-refresh").click()
        agency_row_of_booking = desk.locator(f'#bookings tr[data-booking="{booking_id}"]')
        await expect(agency_row_of_booking).to_contain_text(code)
        booked_by = agency_row_of_booking.get_by_test_id("booked-by")
        await expect(booked_by).to_have_text(f"booked by {AGENT}")
        await expect(booked_by).to_have_attribute("data-agent", AGENT)

        # Another agency's agent sees nothing of it, on screen or through the API.
        dakar = await token(web, "dakar.agent1", "agent-demo")
        assert (await api_get(web, dakar, f"/api/bookings/{booking_id}")).status_code == 404
        other = await new_page(browser)
        await sign_in(other, web, "dakar.agent1", "agent-demo")
        await bookings_loaded(other)
        await expect(other.locator(f'#bookings tr[data-booking="{booking_id}"]')).to_have_count(0)
        await expect(other.locator("#bookings tbody")).not_to_contain_text(code)

        # An agent in the back office is sent to the agents' app.
        await sign_in(other, dashboard, "dakar.agent1", "agent-demo")
        await expect(other.locator("#login-error")).to_contain_text("agents' app")
        await expect(other.locator("#sections")).to_be_hidden()

        # The manager disables the agent: the token the agent holds stops working at once.
        held = await token(web, AGENT, AGENT_PASSWORD)
        assert (await api_get(web, held, "/api/me")).status_code == 200
        await agent_row.get_by_test_id("disable").click()
        await expect(agent_row.get_by_test_id("active")).to_have_text("disabled")
        assert (await api_get(web, held, "/api/me")).status_code == 401
        await counter.locator("#bookings-refresh").click()
        await expect(counter.locator("#login-error")).to_have_text(
            "Your session has ended. Please sign in again."
        )
        with pytest.raises(httpx.HTTPStatusError):
            await token(web, AGENT, AGENT_PASSWORD)

        # The manager changes their password (in French) and signs in with the new one.
        await desk.get_by_role("button", name="FR", exact=True).click()
        await expect(desk.locator("#team-title")).to_have_text("Équipe")
        await expect(agent_row.get_by_test_id("active")).to_have_text("désactivé")
        await expect(agency_row_of_booking.get_by_test_id("booked-by")).to_have_text(
            f"réservée par {AGENT}"
        )
        await change_password(desk, MANAGER["password"], NEW_PASSWORD)
        await expect(desk.get_by_test_id("password-status")).to_have_text(
            "Mot de passe changé. Utilisez le nouveau à votre prochaine connexion."
        )
        await desk.get_by_test_id("password-close").click()
        await desk.locator("#logout").click()
        await desk.get_by_role("button", name="EN", exact=True).click()
        await sign_in(desk, web, MANAGER["username"], NEW_PASSWORD)
        await expect(desk.locator("#team")).to_be_visible()
        with pytest.raises(httpx.HTTPStatusError):
            await token(web, MANAGER["username"], MANAGER["password"])
        assert errors == [] and desk_errors == []
