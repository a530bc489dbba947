"""The agents' desk, finished (issue 17): each defect of the booking flow, at a desktop's size
and a phone's (390 by 844), and a whole booking in French with no English string on screen.

One platform serves the module; each test books in its own city and dates (the phone's runs
on other dates than the desktop's), so no test takes a room another counts on.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.async_api import Browser, Expect, Page, Request

from rooms.adapters.seed_data import HOTELS, ROOM_TYPES
from tests.browser.pages import (
    BROWSER,
    UI_TIMEOUT_MS,
    api_get,
    console_errors,
    new_page,
    start_booking,
    token,
)
from tests.browser.test_web_dashboard_browser import DEMO_CLIENT
from tests.support import servers as support
from tests.support.platform import SPECS, Platform, Servers, running_platform

pytestmark = pytest.mark.e2e
expect = Expect()  # this module's own, waiting as long as the pages do (the CPU is shared)
expect.set_options(timeout=UI_TIMEOUT_MS)

MILESTONES = ["PENDING", "ROOM_HELD", "CLIENT_VERIFIED", "RESERVED", "CONFIRMED"]
MILESTONE_TEXTS = ["Submitted", "Room held", "Client verified", "Reservation written", "Confirmed"]


@dataclass(frozen=True)
class Viewport:
    name: str
    width: int
    height: int
    days: int  # how far ahead its stays start: the two sizes never book the same nights

    @property
    def phone(self) -> bool:
        return self.width < 500


DESKTOP = Viewport("desktop", 1280, 900, 120)
PHONE = Viewport("phone", 390, 844, 420)


@pytest.fixture(scope="module")
async def platform(
    amqp_url: str, mysql_server: support.Server, mongodb_server: support.Server
) -> AsyncIterator[Platform]:
    servers = Servers(amqp_url, mysql_server.url, mongodb_server.url)
    async with running_platform(servers, BROWSER, start=[s.name for s in SPECS]) as running:
        yield running


@pytest.fixture(params=[DESKTOP, PHONE], ids=lambda v: v.name)
def viewport(request: pytest.FixtureRequest) -> Viewport:
    return request.param  # type: ignore[no-any-return]


# ---- what the agent does --------------------------------------------------------------------


async def open_desk(
    browser: Browser, viewport: Viewport, locale: str = "en-GB", timezone_id: str = "UTC"
) -> Page:
    return await new_page(browser, viewport.width, viewport.height, locale, timezone_id)


async def sign_in(page: Page, platform: Platform, username: str = "agent") -> None:
    """Sign in by the form's fields (whatever the language), and wait for the desk."""
    await page.goto(platform.url("web"))
    await page.locator("#username").fill(username)
    await page.locator("#password").fill("agent-demo")
    await page.locator("#login-form button[type=submit]").click()
    await expect(page.locator("#desk")).to_be_visible()
    await expect(page.locator("#whoami")).to_contain_text(username)


def stay(viewport: Viewport, offset: int, nights: int = 2) -> tuple[date, date]:
    check_in = date.today() + timedelta(days=viewport.days + offset)
    return check_in, check_in + timedelta(days=nights)


async def search(page: Page, destination: str, dates: tuple[date, date], guests: int = 2) -> None:
    await page.locator("#destination").fill(destination)
    await page.locator("#check-in").fill(dates[0].isoformat())
    await page.locator("#check-out").fill(dates[1].isoformat())
    await page.locator("#guests").fill(str(guests))
    await page.locator("#search-form button[type=submit]").click()


async def choose(page: Page, hotel_id: str, room_type_id: str) -> None:
    offer = page.locator(
        f'#results li.offer[data-hotel="{hotel_id}"][data-room-type="{room_type_id}"]'
    )
    await offer.get_by_test_id("choose-offer").click()
    await expect(offer).to_have_class("offer chosen")


async def new_client(
    page: Page, first_name: str, last_name: str, phone: str = "+228 90 11 22 33", email: str = ""
) -> str:
    """Fill and send the new-client form; the email used."""
    email = email or f"{first_name}.{last_name}.{uuid.uuid4().hex[:6]}@example.org".lower()
    if await page.locator("#new-client").get_attribute("open") is None:
        await page.locator("#new-client summary").click()
    await page.locator("#first-name").fill(first_name)
    await page.locator("#last-name").fill(last_name)
    await page.locator("#email").fill(email)
    await page.locator("#phone").fill(phone)
    await page.locator("#nationality").fill("TG")
    await page.locator("#client-form button[type=submit]").click()
    return email


async def log_states(page: Page) -> list[str]:
    return [
        str(await entry.get_attribute("data-state"))
        for entry in await page.locator("#progress li.log").all()
    ]


OFF_SCREEN = """() => {
  const width = window.innerWidth;
  const shown = (node) => node.getClientRects().length && getComputedStyle(node).visibility !== "hidden";
  const out = [...document.querySelectorAll("button, input, select, summary, a, textarea")]
    .filter(shown)
    .filter((node) => {
      const box = node.getBoundingClientRect();
      return box.left < -1 || box.right > width + 1;
    })
    .map((node) => node.id || node.textContent.trim() || node.outerHTML.slice(0, 80));
  return { scroll: document.documentElement.scrollWidth, width, out };
}"""  # noqa: E501


async def fits_the_screen(page: Page) -> None:
    """No sideways scroll, and every control shown lies within the screen's width."""
    wide = await page.evaluate(OFF_SCREEN)
    assert wide["scroll"] <= wide["width"], wide
    assert wide["out"] == [], wide


def script_errors(errors: list[str]) -> list[str]:
    """The page's errors but for the browser's note of each refused request."""
    return [error for error in errors if not error.startswith("Failed to load resource")]


async def booking_confirmed(web: str, bearer: str, booking_id: str) -> None:
    """Wait (reading the booking) until the booking made through the API is confirmed."""
    deadline = time.monotonic() + UI_TIMEOUT_MS / 1000
    while True:
        view = (await api_get(web, bearer, f"/api/bookings/{booking_id}")).json()
        if view.get("status") == "CONFIRMED":
            return
        assert view.get("status") not in ("FAILED", "STUCK"), view
        assert time.monotonic() < deadline, view
        await asyncio.sleep(0.2)


async def page_problem(page: Page, code: str, params: dict[str, Any]) -> str:
    """The sentence the apps show for a refusal's code, in the page's language."""
    text = await page.evaluate(
        """async ([code, params]) => {
            const { problemText } = await import("/shared/problems.js");
            return problemText({ code, params, detail: "" }, document.documentElement.lang);
        }""",
        [code, params],
    )
    return str(text)


# Book now clicked although disabled (as a stale screen or a script might).
FORCED_CLICK = (
    "() => { const b = document.querySelector('#book-button'); b.disabled = false; b.click(); }"
)


# ---- defect 1: one booking per Book now -------------------------------------------------------


async def test_book_now_books_once_and_sends_the_same_key_again(
    platform: Platform, browser: Browser, viewport: Viewport
) -> None:
    page = await open_desk(browser, viewport)
    errors = console_errors(page)
    posts: list[Request] = []
    page.on(
        "request",
        lambda r: (
            posts.append(r) if r.method == "POST" and r.url.endswith("/api/bookings") else None
        ),
    )
    await sign_in(page, platform)
    await search(page, "Dakar", stay(viewport, 0))
    await choose(page, "dakar-almadies", "dakar-almadies-double")
    await new_client(page, "Awa", "Diop")
    await expect(page.locator("#clients li.chosen")).to_be_visible()

    book = page.locator("#book-button")
    await book.dblclick()  # a double click is one booking
    outcome = page.locator("#outcome")
    await expect(outcome).to_have_attribute("data-status", "CONFIRMED")
    code = await page.get_by_test_id("confirmation-code").inner_text()
    assert len(posts) == 1
    first = await (await posts[0].response()).json()  # type: ignore[union-attr]
    # The booking is made: Book now stays off for this choice.
    await expect(book).to_be_disabled()
    await expect(book).to_have_attribute("data-made", "true")
    if viewport.phone:
        await fits_the_screen(page)

    # Were the button clicked again all the same, the same key is sent: the same booking.
    async with page.expect_response(lambda r: r.request in posts[1:]) as answered:
        await page.evaluate(FORCED_CLICK)
    again = await (await answered.value).json()
    assert len(posts) == 2
    assert posts[1].headers["idempotency-key"] == posts[0].headers["idempotency-key"]
    assert again["booking_id"] == first["booking_id"]
    await expect(outcome).to_have_attribute("data-status", "CONFIRMED")
    await expect(page.get_by_test_id("confirmation-code")).to_have_text(code)
    await expect(book).to_be_disabled()

    # "Book another" clears the room and the client: a new booking starts from nothing.
    await page.get_by_test_id("book-another").click()
    await expect(outcome).to_be_hidden()
    await expect(page.locator("#results li.offer.chosen")).to_have_count(0)
    await expect(page.locator("#clients li.chosen")).to_have_count(0)
    await expect(book).to_be_disabled()
    await expect(page.locator("#book-summary")).to_have_text("Choose a room and a client to book.")
    assert len(posts) == 2
    assert errors == []


# ---- defect 4: the progress log -----------------------------------------------------------------


async def test_the_progress_log_shows_each_milestone_once_in_order(
    platform: Platform, browser: Browser, viewport: Viewport
) -> None:
    page = await open_desk(browser, viewport, timezone_id="Asia/Tokyo")
    errors = console_errors(page)
    await sign_in(page, platform)
    await new_client(page, "Kofi", "Annan")
    client = page.locator("#clients li.chosen")
    await expect(client).to_be_visible()
    client_id = await client.get_attribute("data-client")

    for round_ in range(3):  # quick bookings one after the other: none drops a step
        await search(page, "Cairo", stay(viewport, 10 + 3 * round_, nights=1))
        await choose(page, "cairo-nile", "cairo-nile-twin")
        if round_:
            await page.locator("#client-query").fill("Kofi Annan")
            await page.locator("#client-search-form button[type=submit]").click()
            await page.locator(f'#clients li[data-client="{client_id}"] button').click()
        await page.locator("#book-button").click()
        await expect(page.locator("#outcome")).to_have_attribute("data-status", "CONFIRMED")
        entries = page.locator("#progress li.log")
        await expect(entries).to_have_count(len(MILESTONES))
        assert await log_states(page) == MILESTONES
        for entry, text in zip(await entries.all(), MILESTONE_TEXTS, strict=True):
            # each with its time in the viewer's zone, which it names
            await expect(entry).to_have_text(f"{await entry.locator('time').inner_text()} {text}")
            await expect(entry.locator("time")).to_contain_text("(UTC+09:00)")
        await expect(page.locator("#progress")).not_to_contain_text("·")
        await expect(page.locator("#progress")).not_to_contain_text("Undoing")
        await page.get_by_test_id("book-another").click()

    # A booking refused at once (the last suite taken meanwhile) undoes nothing: it says so.
    web = platform.url("web")
    bearer = await token(web, "agent", "agent-demo")
    dates = stay(viewport, 30)
    await search(page, "Cairo", dates, guests=3)
    await choose(page, "cairo-nile", "cairo-nile-suite")
    await page.locator("#client-query").fill("Kofi Annan")
    await page.locator("#client-search-form button[type=submit]").click()
    await page.locator(f'#clients li[data-client="{client_id}"] button').click()
    body = {
        "client_id": DEMO_CLIENT, "hotel_id": "cairo-nile", "room_type_id": "cairo-nile-suite",
        "check_in": dates[0].isoformat(), "check_out": dates[1].isoformat(), "guests": 3,
    }  # fmt: skip
    for _ in range(2):
        await booking_confirmed(web, bearer, await start_booking(web, bearer, body))
    await page.locator("#book-button").click()
    outcome = page.locator("#outcome")
    await expect(outcome).to_have_attribute("data-status", "FAILED")
    assert await log_states(page) == ["PENDING", "FAILED"]
    await expect(page.locator("#progress")).not_to_contain_text("Undoing")
    # defect 8: the reason in words, from its code
    reason = outcome.locator(".reason")
    await expect(reason).to_have_attribute("data-code", "reason.no_room_free")
    await expect(reason).to_have_text(await page_problem(page, "reason.no_room_free", {}))
    # defect 7: the offers are read again: the suite is no longer offered
    await expect(
        page.locator('#results li.offer[data-room-type="cairo-nile-suite"]')
    ).to_have_count(0)
    await expect(page.locator("#book-button")).to_be_disabled()
    if viewport.phone:
        await fits_the_screen(page)
    assert errors == []


# ---- defect 6: an unknown destination is not "sold out" ----------------------------------------


async def test_an_unknown_destination_says_so(
    platform: Platform, browser: Browser, viewport: Viewport
) -> None:
    page = await open_desk(browser, viewport)
    await sign_in(page, platform)
    status = page.locator("#search-status")
    await search(page, "xx", stay(viewport, 40))
    await expect(status).to_have_attribute("data-code", "search.unknown_destination")
    await expect(status).to_contain_text("no hotel")
    await expect(status).to_contain_text("xx")
    await expect(status).not_to_contain_text("No room is free")
    await expect(page.locator("#results li.offer")).to_have_count(0)

    await search(page, "lome", stay(viewport, 40))  # no accent, no capital: Lomé
    await expect(page.locator('#results li.offer[data-hotel="lome-lagune"]').first).to_be_visible()
    await expect(status).not_to_have_attribute("data-code", "search.unknown_destination")
    await expect(status).not_to_have_class("status error")
    await search(page, "Japon", stay(viewport, 40))  # a country by its (French) name
    await expect(page.locator('#results li.offer[data-hotel="tokyo-ginza"]').first).to_be_visible()
    if viewport.phone:
        await fits_the_screen(page)


# ---- defect 7: no stale message ---------------------------------------------------------------


async def test_messages_do_not_outlive_what_they_say(
    platform: Platform, browser: Browser, viewport: Viewport
) -> None:
    page = await open_desk(browser, viewport)
    errors = console_errors(page)
    await sign_in(page, platform)
    form_status = page.locator("#client-form-status")

    # a refused client: the refusal goes once the form is edited
    await new_client(page, "Wanjiru", "Kamau", email="wanjiru@localhost")
    await expect(form_status).to_have_class("status error")
    await expect(form_status).not_to_be_empty()
    await page.locator("#email").fill(f"wanjiru.{uuid.uuid4().hex[:6]}@example.org")
    await expect(form_status).to_be_empty()

    # "No client matches" goes once the client is created
    client_status = page.locator("#client-status")
    await page.locator("#client-query").fill(f"Nobody {uuid.uuid4().hex[:6]}")
    await page.locator("#client-search-form button[type=submit]").click()
    await expect(client_status).to_have_text("No client matches. Create one below.")
    await page.locator("#client-form button[type=submit]").click()
    await expect(page.locator("#clients li.chosen")).to_contain_text("Wanjiru Kamau")
    await expect(client_status).to_be_empty()
    await expect(form_status).to_have_text("Client created and selected.")
    client_id = await page.locator("#clients li.chosen").get_attribute("data-client")

    # the offers are counted again after each booking: 2 suites, 1, then none
    suite = page.locator('#results li.offer[data-room-type="nairobi-karura-suite"]')
    await search(page, "Nairobi", stay(viewport, 50), guests=3)
    await expect(suite).to_have_attribute("data-available", "2")
    for left in (1, 0):
        await choose(page, "nairobi-karura", "nairobi-karura-suite")
        if not await page.locator("#clients li.chosen").count():
            await page.locator("#client-query").fill("Wanjiru Kamau")
            await page.locator("#client-search-form button[type=submit]").click()
            await page.locator(f'#clients li[data-client="{client_id}"] button').click()
        await page.locator("#book-button").click()
        await expect(page.locator("#outcome")).to_have_attribute("data-status", "CONFIRMED")
        if left:
            await expect(suite).to_have_attribute("data-available", str(left))
            await expect(suite.get_by_test_id("available")).to_have_text(f"{left} free")
            await page.get_by_test_id("book-another").click()
        else:
            await expect(suite).to_have_count(0)
    if viewport.phone:
        await fits_the_screen(page)
    assert script_errors(errors) == []  # the refusal itself aside


# ---- defect 8: refusals in words, dates that cannot be refused ---------------------------------


async def test_dates_have_limits_and_refusals_read_as_sentences(
    platform: Platform, browser: Browser, viewport: Viewport
) -> None:
    page = await open_desk(browser, viewport, timezone_id="Pacific/Auckland")
    await sign_in(page, platform)
    today = await page.evaluate(
        "() => { const d = new Date(); return [d.getFullYear(), d.getMonth() + 1, d.getDate()]; }"
    )
    local_today = date(*today)
    check_in, check_out = page.locator("#check-in"), page.locator("#check-out")
    await expect(check_in).to_have_attribute("min", local_today.isoformat())
    later = local_today + timedelta(days=viewport.days + 60)
    await check_in.fill(later.isoformat())
    await expect(check_out).to_have_attribute("min", (later + timedelta(days=1)).isoformat())
    await expect(check_out).to_have_value((later + timedelta(days=1)).isoformat())  # kept after

    # Past the form's limits (a browser that ignores them), the server's refusal is a sentence.
    await page.evaluate("() => { document.querySelector('#search-form').noValidate = true; }")
    await search(page, "Berlin", (local_today - timedelta(days=5), local_today - timedelta(days=3)))
    status = page.locator("#search-status")
    await expect(status).to_have_class("status error")
    code = await status.get_attribute("data-code")
    assert code, await status.inner_text()
    shown = await status.inner_text()
    for raw in ("query.", "check_in", "body.", "Value error"):
        assert raw not in shown, shown
    if viewport.phone:
        await fits_the_screen(page)


# ---- defect 10: phones with spaces; a known email offers its client ------------------------------


async def test_a_phone_with_spaces_and_a_known_email_take_the_existing_client(
    platform: Platform, browser: Browser, viewport: Viewport
) -> None:
    page = await open_desk(browser, viewport)
    errors = console_errors(page)
    await sign_in(page, platform)
    form_status = page.locator("#client-form-status")
    email = await new_client(page, "Yao", "Mensah", phone="+228 90 11 22 33")
    chosen = page.locator("#clients li.chosen")
    await expect(chosen).to_contain_text("Yao Mensah")
    first_id = await chosen.get_attribute("data-client")

    # The same address again (in capitals): the agency's client is taken, not an error.
    await new_client(page, "Yao", "Mensah", phone="+228 (90) 11-22-34", email=email.upper())
    await expect(form_status).to_have_text(
        "Your agency already has a client with this email: they are selected."
    )
    await expect(form_status).not_to_have_class("status error")
    await expect(page.locator("#clients li")).to_have_count(1)
    await expect(chosen).to_have_attribute("data-client", str(first_id))
    await expect(page.locator("#book-summary")).to_contain_text("Choose a room")  # no room yet
    if viewport.phone:
        await fits_the_screen(page)
    assert script_errors(errors) == []  # the refusal itself aside


# ---- French throughout ------------------------------------------------------------------------

# Every English text of the app (where French differs), and of the refusals: none may show.
ENGLISH_ON_SCREEN = """(data) => Promise.all([import("/i18n.js"), import("/shared/problems.js")]).then(
  ([{ MESSAGES }, { PROBLEM_TEXTS }]) => {
    const french = [...Object.values(MESSAGES.fr), ...Object.values(PROBLEM_TEXTS.fr || {})];
    const frenchWords = new Set(french.flatMap((text) => text.split(/[^\\p{L}'’-]+/u)));
    const english = [
      ...Object.entries(MESSAGES.en).filter(([key, text]) => MESSAGES.fr[key] !== text).map(([, text]) => text),
      ...Object.entries(PROBLEM_TEXTS.en || {}).filter(([key, text]) => (PROBLEM_TEXTS.fr || {})[key] !== text).map(([, text]) => text),
    ];
    // A text's fixed parts between its {values}; short ones and words French has too are no sign.
    const parts = english.flatMap((text) => text.split(/\\{\\w+\\}/)).map((part) => part.trim())
      .filter((part) => (part.match(/\\p{L}/gu) || []).length >= 4)
      .filter((part) => !(frenchWords.has(part) || french.some((text) => text.includes(part))));
    // The catalogue's names (hotels, room types) are data, in their own language: not looked at.
    const screen = data.reduce((text, name) => text.split(name).join(" "), document.body.innerText);
    const escape = (text) => text.replace(/[.*+?^${}()|[\\]\\\\]/g, "\\\\$&");
    return [...new Set(parts)].filter((part) =>
      new RegExp(`(?<![\\\\p{L}\\\\p{N}])${escape(part)}(?![\\\\p{L}\\\\p{N}])`, "u").test(screen));
  })"""  # noqa: E501, RUF001


CATALOGUE = [hotel.name for hotel in HOTELS] + [kind.name for kind in ROOM_TYPES]


async def no_english(page: Page) -> None:
    found = await page.evaluate(ENGLISH_ON_SCREEN, CATALOGUE)
    assert found == [], found


async def test_a_whole_booking_in_french_shows_no_english(
    platform: Platform, browser: Browser, viewport: Viewport
) -> None:
    page = await open_desk(browser, viewport, locale="fr-FR", timezone_id="Europe/Paris")
    errors = console_errors(page)
    await page.goto(platform.url("web"))
    await page.get_by_role("button", name="FR").click()
    await expect(page.locator("#login-title")).to_have_text("Connexion")
    await sign_in(page, platform, "lome.manager")  # an agency manager: the team panel too
    await expect(page.locator("#whoami")).to_contain_text(
        "Connecté en tant que responsable d\u2019agence\u00a0: lome.manager"
    )
    await expect(page.locator("#team-table tbody tr").first).to_be_visible()

    await search(page, "Lomé", stay(viewport, 70))
    await expect(page.locator("#search-status")).to_contain_text("offres")
    await choose(page, "lome-lagune", "lome-lagune-double")
    await new_client(page, "Afi", "Amegah")
    await expect(page.locator("#client-form-status")).to_have_text("Client créé et sélectionné.")
    await page.locator("#book-button").click()
    await expect(page.locator("#outcome")).to_have_attribute("data-status", "CONFIRMED")
    await expect(page.locator("#outcome")).to_contain_text("Réservation confirmée")
    await expect(page.locator("#outcome")).to_contain_text("Code de confirmation\u00a0:")
    # money per locale: the total in francs CFA, its thousands set apart by a French space
    await expect(page.locator("#outcome")).to_contain_text(
        re.compile(r"\d[\u202f\u00a0]\d{3}.*CFA")
    )
    zone = await page.evaluate(
        "() => { const m = -new Date().getTimezoneOffset(); return `UTC+0${m / 60}:00`; }"
    )
    await expect(page.locator("#progress li.log time").first).to_contain_text(f"({zone})")
    code = await page.get_by_test_id("confirmation-code").inner_text()
    await expect(page.locator("#bookings tbody tr", has_text=code)).to_be_visible()
    await page.locator("#new-agent summary").click()  # the team's form open too
    await expect(page.locator("#agent-form")).to_be_visible()
    await no_english(page)
    if viewport.phone:
        await fits_the_screen(page)

    # the dialogs speak French too, and fit a phone
    await page.locator("#password-button").click()
    dialog = page.get_by_test_id("password-dialog")
    await expect(dialog).to_contain_text("Changer mon mot de passe")
    await no_english(page)
    if viewport.phone:
        await fits_the_screen(page)
    await dialog.get_by_test_id("password-close").click()

    await page.locator("#bookings tbody tr", has_text=code).get_by_test_id("change").click()
    change = page.get_by_test_id("change-dialog")
    await expect(change).to_contain_text("Modifier cette réservation")
    await expect(change.get_by_test_id("change-price")).not_to_contain_text("Calcul du prix")
    await no_english(page)
    if viewport.phone:
        await fits_the_screen(page)
    await change.get_by_test_id("change-close").click()

    # the language is remembered
    await page.reload()
    await expect(page.locator("#search-title")).to_have_text("1. Trouver une chambre")
    assert await page.evaluate("document.documentElement.lang") == "fr"
    # a refusal is said in French as well
    await search(page, "xx", stay(viewport, 70))
    status = page.locator("#search-status")
    await expect(status).to_have_attribute("data-code", "search.unknown_destination")
    await expect(status).to_have_text(
        await page_problem(page, "search.unknown_destination", {"destination": "xx"})
    )
    await no_english(page)
    assert script_errors(errors) == []  # the refusal itself aside
