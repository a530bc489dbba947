"""Screenshots of both web apps for the README: `python -m tests.browser.screenshots`.

Starts the whole platform in this process on the local servers (or those the environment
names), books a few stays, fails one and dead-letters a malformed command so the dashboard has
something to show, then photographs the agents' desk and the operators' dashboard; the desk
in French at a desktop's and a phone's width, and an unknown destination; then the
screens of people and hotels: an agency manager's team, the password change, the operators'
agencies and users, a hotel manager's calendar with its forms and a refused closure (some at
a phone's width too).
"""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import date, timedelta
from pathlib import Path

import aio_pika
from playwright.async_api import Browser, expect

from contracts.topology import Service, Topology
from tests.browser.pages import (
    BROWSER,
    UI_TIMEOUT_MS,
    book_first_offer,
    booked_rooms,
    change_password,
    chromium,
    close_room,
    create_agency,
    create_client,
    new_client_through_api,
    new_page,
    open_booking,
    open_section,
    rooms_of,
    search,
    set_rate,
    show_calendar,
    sign_in,
    start_booking,
    token,
    wait_for_outcomes,
)
from tests.browser.test_web_dashboard_browser import DEMO_CLIENT, UNKNOWN_CLIENT, stay
from tests.support import servers as support
from tests.support.observer import publish_raw
from tests.support.platform import Platform, Servers, running_platform

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


async def shoot(servers: Servers) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    async with running_platform(servers, BROWSER) as platform, chromium() as browser:
        web = platform.url("web")
        agent = await token(web, "agent", "agent-demo")
        for days in range(40, 46):
            await start_booking(web, agent, {"client_id": DEMO_CLIENT, **stay(days)})
        failed = await start_booking(web, agent, {"client_id": UNKNOWN_CLIENT, **stay(50)})
        await _dead_letter_a_malformed_command(platform, servers)

        page = await new_page(browser, 1280, 1000)
        await sign_in(page, web, "agent", "agent-demo")
        await search(page, "Paris")
        await create_client(page, "Ama", "Mensah")
        await book_first_offer(page)
        await page.locator('#outcome[data-status="CONFIRMED"]').wait_for(timeout=UI_TIMEOUT_MS)
        await page.wait_for_timeout(1500)  # the bookings list refreshes after the outcome
        await page.screenshot(path=str(OUT / "agents.png"), full_page=True)

        board = await new_page(browser, 1440, 1000)
        await sign_in(board, platform.url("dashboard"), "operator", "operator-demo")
        await board.locator(f'#sagas tr[data-saga="{failed}"]').click()
        await board.locator("#detail-body .history li").first.wait_for()
        await board.locator("#dead-letters tr.has-messages").first.wait_for()
        await board.wait_for_timeout(1000)
        await board.screenshot(path=str(OUT / "dashboard.png"), full_page=True)
        await _desk(browser, web)
        await _people(browser, web, platform.url("dashboard"))
        await _bookings(browser, web, agent)
        await _hotels(browser, platform.url("dashboard"))


async def _desk(browser: Browser, web: str) -> None:
    """A booking made in French at a desktop's width and at a phone's; a destination the group
    has no hotel in."""
    for (width, height), name in (
        ((1280, 1000), "agents-desk-fr.png"),
        ((390, 844), "agents-desk-phone.png"),
    ):
        desk = await new_page(browser, width, height, timezone_id="Europe/Paris")
        await sign_in(desk, web, "agent", "agent-demo")
        await desk.locator('[data-lang="fr"]').click()
        await search(desk, "Lomé")
        await create_client(desk, "Afi", "Amegah")
        await book_first_offer(desk)
        await desk.locator('#outcome[data-status="CONFIRMED"]').wait_for(timeout=UI_TIMEOUT_MS)
        code = await desk.get_by_test_id("confirmation-code").inner_text()
        await desk.locator("#bookings tbody tr", has_text=code).wait_for(timeout=UI_TIMEOUT_MS)
        await desk.screenshot(path=str(OUT / name), full_page=True)
    desk = await new_page(browser, 1280, 800, timezone_id="Europe/Paris")
    await sign_in(desk, web, "agent", "agent-demo")
    await desk.locator('[data-lang="fr"]').click()
    await desk.locator("#destination").fill("xx")
    await desk.locator("#search-form button[type=submit]").click()
    await desk.locator('#search-status[data-code="search.unknown_destination"]').wait_for()
    await desk.screenshot(path=str(OUT / "agents-unknown-destination.png"))


async def _people(browser: Browser, web: str, dashboard: str) -> None:
    """The operators' agencies and users, a manager's team, the password change."""
    board = await new_page(browser, 1440, 1000)
    await sign_in(board, dashboard, "operator", "operator-demo")
    await open_section(board, "agencies")
    await create_agency(
        board,
        {"name": "Gold Coast Journeys", "city": "Accra", "country": "GH",
         "time_zone": "Africa/Accra", "currency": "GHS"},
        {"username": "accra.manager", "display_name": "Efua Mensah", "password": "Kente-loom-2026"},
    )  # fmt: skip
    await expect(board.locator("#agency-form-status")).to_contain_text("accra.manager")
    await board.screenshot(path=str(OUT / "dashboard-agencies.png"), full_page=True)
    await open_section(board, "users")
    await board.locator('#users tr[data-user="lome.agent1"]').wait_for()
    await board.locator("#user-role").select_option("hotel_manager")
    await board.screenshot(path=str(OUT / "dashboard-users.png"), full_page=True)

    for width, name in ((1280, "agents-team.png"), (390, "agents-team-phone.png")):
        desk = await new_page(browser, width, 900)
        await sign_in(desk, web, "lome.manager", "agent-demo")
        await desk.locator('#team-table tr[data-user="lome.agent2"]').wait_for()
        await desk.locator("#new-agent summary").click()
        await desk.locator("#team").screenshot(path=str(OUT / name))

    desk = await new_page(browser, 1280, 900)
    await sign_in(desk, web, "lome.agent1", "agent-demo")
    await change_password(desk, "agent-demo", "Baobab-shade-2026")
    await expect(desk.get_by_test_id("password-status")).to_contain_text("Password changed")
    await desk.screenshot(path=str(OUT / "agents-password.png"))


async def _bookings(browser: Browser, web: str, agent: str) -> None:
    """The agents' bookings: enough for a second page, found and opened; a booking's page and
    its printable voucher (at a phone's width too)."""
    kofi = await new_client_through_api(web, agent, "Kofi", "Asante")
    stays = [
        ("tokyo-ginza", "twin", 70), ("lome-lagune", "double", 72),
        ("paris-montmartre", "double", 74), ("lome-sarakawa", "suite", 76),
        ("tokyo-shinjuku", "double", 78), ("paris-lumiere", "twin", 80),
    ] * 4  # fmt: skip
    ids = [
        await start_booking(web, agent, {"client_id": kofi, **_stay(hotel, room, days + 10 * n)})
        for n, (hotel, room, days) in enumerate(stays)
    ]
    kept = ids[-1]
    await wait_for_outcomes(web, agent, ids)
    for (width, height), name in (
        ((1280, 1000), "agents-bookings.png"),
        ((390, 844), "agents-bookings-phone.png"),
    ):
        desk = await new_page(browser, width, height)
        await sign_in(desk, web, "agent", "agent-demo")
        await desk.locator("#bookings-pager:not([hidden])").wait_for()
        await desk.locator("#bookings-card").scroll_into_view_if_needed()
        if width > 400:
            await desk.locator("#bookings-card").screenshot(path=str(OUT / name))
        else:
            await desk.evaluate("document.querySelector('#bookings-card').scrollIntoView()")
            await desk.screenshot(path=str(OUT / name))
    for (width, height), name in (
        ((1280, 1000), "agents-booking-page.png"),
        ((390, 844), "agents-booking-page-phone.png"),
    ):
        desk = await new_page(browser, width, height)
        await sign_in(desk, web, "agent", "agent-demo")
        await desk.locator("#bookings[data-loaded]").wait_for(state="attached")
        await open_booking(desk, kept)
        await desk.screenshot(path=str(OUT / name), full_page=True)
    async with desk.context.expect_page() as opened:
        await desk.get_by_test_id("print-voucher").click()
    voucher = await opened.value
    await expect(voucher).to_have_url(re.compile("^blob:"))  # after the empty tab opened first
    await voucher.locator("h1").wait_for()
    await voucher.set_viewport_size({"width": 900, "height": 1100})
    await voucher.screenshot(path=str(OUT / "agents-voucher.png"), full_page=True)


def _stay(hotel_id: str, room: str, days_ahead: int) -> dict[str, object]:
    check_in = date.today() + timedelta(days=days_ahead)
    return {
        "hotel_id": hotel_id,
        "room_type_id": f"{hotel_id}-{room}",
        "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=3)).isoformat(),
        "guests": 2,
    }


async def _hotels(browser: Browser, dashboard: str) -> None:
    """A hotel manager's calendar after a rate change and a closure; a refused closure of the
    room the calendar lists as booked (a demo booking holds a double room from 40 days ahead)."""
    first = date.today() + timedelta(days=36)
    double = "paris-lumiere-double"
    phone = await new_page(browser, 390, 1000)
    await sign_in(phone, dashboard, "hotels.paris", "hotel-demo")
    await show_calendar(phone, "paris-lumiere", first, 10)
    await phone.screenshot(path=str(OUT / "dashboard-hotel-calendar-phone.png"), full_page=True)

    board = await new_page(browser, 1440, 1000)
    await sign_in(board, dashboard, "hotels.paris", "hotel-demo")
    await show_calendar(board, "paris-lumiere", first, 10)
    status = board.get_by_test_id("hotel-status")
    await set_rate(board, double, first, first + timedelta(days=2), "265.00")
    await expect(status).to_contain_text("Rate set")
    room_id, _ = (await rooms_of(board, double))[0]
    await close_room(board, double, room_id, first, first + timedelta(days=1), "Boiler repair")
    await expect(status).to_contain_text("closed for 2 nights")
    await board.screenshot(path=str(OUT / "dashboard-hotel-calendar.png"), full_page=True)
    booked = date.today() + timedelta(days=40)
    await show_calendar(board, "paris-lumiere", booked - timedelta(days=3), 10)
    room_id, _ = (await booked_rooms(board, double, booked))[0]
    await close_room(board, double, room_id, booked, booked, "Painting")
    await expect(board.get_by_test_id("hotel-alert")).to_contain_text("refused")
    await board.screenshot(path=str(OUT / "dashboard-hotel-refused.png"), full_page=True)


async def _dead_letter_a_malformed_command(platform: Platform, servers: Servers) -> None:
    connection = await aio_pika.connect_robust(servers.amqp_url)
    async with connection:
        topology = Topology(platform.namespace)
        await publish_raw(
            connection,
            topology.commands.name,
            str(Service.ROOMS),
            b'{"hotel_id": 42}',
            message_id=str(uuid.uuid4()),
            type="rooms.HoldRoom.v1",
            correlation_id="demo-saga",
        )


def main() -> None:
    with support.rabbitmq() as rabbit, support.mysql() as mysql, support.mongodb() as mongo:
        asyncio.run(shoot(Servers(rabbit.url, mysql.url, mongo.url)))
    print(f"wrote {', '.join(sorted(path.name for path in OUT.glob('*.png')))} in {OUT}")


if __name__ == "__main__":
    main()
