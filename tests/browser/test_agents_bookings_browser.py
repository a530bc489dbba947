"""Find any booking in the agents' app: the list pages past 20 bookings, newest first; a search
by confirmation code, client's name, hotel, stay dates and status; a failed booking says its
hotel and room type; a booking's page (stay, guest, hotel, nightly prices, total, status,
cancellation terms, history) and its voucher, printable and as a PDF whose text is checked; in
English and French; at a desktop's width and a phone's (390 by 844)."""

from __future__ import annotations

import asyncio
import io
import json
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Locator, Page, expect
from pypdf import PdfReader

from tests.browser.pages import (
    BROWSER,
    UI_TIMEOUT_MS,
    bookings_loaded,
    console_errors,
    new_client_through_api,
    new_page,
    open_booking,
    sign_in,
    start_booking,
    token,
    wait_for_outcomes,
)
from tests.browser.test_web_dashboard_browser import DEMO_CLIENT, UNKNOWN_CLIENT
from tests.support.platform import Servers, running_platform

pytestmark = pytest.mark.e2e
PAGE_SIZE = 20
PHONE = (390, 844)
DASH = "\u2013"  # between the first and last of a page
# The browser's print dialog, noted rather than opened (a headless browser has none).
PRINT_NOTED = "window.print = () => { window.printed = true; };"
TEXTS = Path(__file__).resolve().parents[2] / "web" / "static" / "agents" / "i18n_bookings.js"


def stay(hotel_id: str, room: str, days_ahead: int, nights: int = 2) -> dict[str, Any]:
    check_in = date.today() + timedelta(days=days_ahead)
    return {
        "hotel_id": hotel_id,
        "room_type_id": f"{hotel_id}-{room}",
        "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=nights)).isoformat(),
        "guests": 2,
    }


def rows(page: Page) -> Locator:
    return page.locator("#bookings tbody tr")


async def listed_ids(page: Page) -> list[str]:
    return [str(await row.get_attribute("data-booking")) for row in await rows(page).all()]


async def find(page: Page, **fields: str) -> None:
    """Fill the bookings' search form (code, client, hotel_id, stay_from, stay_to, status) and
    send it; wait for the list it answers."""
    loaded = await page.locator("#bookings").get_attribute("data-loaded")
    for name, value in fields.items():
        control = page.locator(f'#bookings-search [name="{name}"]')
        if name in ("hotel_id", "status"):
            await control.select_option(value)
        else:
            await control.fill(value)
    await page.locator("#bookings-search button[type=submit]").click()
    await expect(page.locator("#bookings")).not_to_have_attribute("data-loaded", str(loaded))


async def clear(page: Page) -> None:
    loaded = await page.locator("#bookings").get_attribute("data-loaded")
    await page.locator("#bookings-clear").click()
    await expect(page.locator("#bookings")).not_to_have_attribute("data-loaded", str(loaded))


async def no_page_scroll(page: Page) -> None:
    """Nothing wider than the screen: the page never scrolls sideways."""
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE[0], f"the page is {width}px wide on a {PHONE[0]}px screen"


async def within_screen(control: Locator) -> None:
    await control.scroll_into_view_if_needed()
    await expect(control).to_be_visible()
    box = await control.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE[0], box


async def shown_date(page: Page, day: date, locale: str) -> str:
    """A date as the app shows it (Intl's medium style in `locale`)."""
    script = (
        "([d, l]) => new Intl.DateTimeFormat(l, {dateStyle: 'medium', timeZone: 'UTC'})"
        ".format(new Date(d))"
    )
    return str(await page.evaluate(script, [day.isoformat(), locale]))


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def english_only_texts() -> list[str]:
    """The English texts of the bookings list and page that differ from their French, cut at
    their {values}: none may show on screen in French."""
    source = TEXTS.read_text(encoding="utf-8")
    english, french = source.split("\n  fr: {", 1)
    pair = re.compile(r'^\s+"([^"]+)": "((?:[^"\\]|\\.)*)",$', re.M)
    en = {key: json.loads(f'"{text}"') for key, text in pair.findall(english)}
    fr = {key: json.loads(f'"{text}"') for key, text in pair.findall(french)}
    pieces = set()
    for key, text in en.items():
        if text == fr.get(key):
            continue
        for piece in re.split(r"\{\w+\}", text):
            piece = piece.strip(" ,.:()←→")
            if len(piece) >= 4 and piece not in fr.get(key, ""):
                pieces.add(piece)
    return sorted(pieces)


async def test_the_bookings_list_pages_and_finds_any_booking(
    servers: Servers, browser: Browser
) -> None:
    async with running_platform(servers, BROWSER) as platform:
        web = platform.url("web")
        agent = await token(web, "agent", "agent-demo")
        kofi = await new_client_through_api(web, agent, "Kofi", "Asante")
        paris = [stay("paris-lumiere", "double", 60 + 2 * n) for n in range(22)]
        many = await asyncio.gather(
            *(start_booking(web, agent, {"client_id": DEMO_CLIENT, **each}) for each in paris)
        )
        await wait_for_outcomes(web, agent, list(many))
        # the newest two, one after the other: Kofi's stay in Tokyo, then a failed booking in
        # a hotel whose id the list once showed in place of its name
        tokyo = await start_booking(
            web, agent, {"client_id": kofi, **stay("tokyo-ginza", "twin", 120, 3)}
        )
        views = await wait_for_outcomes(web, agent, [tokyo])
        failed = await start_booking(
            web, agent, {"client_id": UNKNOWN_CLIENT, **stay("paris-montmartre", "double", 90)}
        )
        views |= await wait_for_outcomes(web, agent, [failed])
        assert views[tokyo]["status"] == "CONFIRMED", views[tokyo]
        assert views[failed]["status"] == "FAILED", views[failed]
        code = views[tokyo]["reservation"]["confirmation_code"]
        everyone = {*many, tokyo, failed}

        page = await new_page(browser, 1280, 900)
        errors = console_errors(page)
        await sign_in(page, web, "agent", "agent-demo")
        await bookings_loaded(page)

        # defect 2: 24 bookings, 20 a page, newest first, and the older ones a click away
        await expect(rows(page)).to_have_count(PAGE_SIZE)
        await expect(page.locator("#bookings-range")).to_contain_text(f"1{DASH}20 of 24")
        assert (await listed_ids(page))[:2] == [failed, tokyo]
        first_page = await listed_ids(page)
        await expect(page.get_by_test_id("bookings-newer")).to_be_disabled()
        await page.get_by_test_id("bookings-older").click()
        await expect(page.locator("#bookings-range")).to_contain_text(f"21{DASH}24 of 24")
        await expect(rows(page)).to_have_count(4)
        second_page = await listed_ids(page)
        assert set(first_page) | set(second_page) == everyone
        assert not set(first_page) & set(second_page)
        await expect(page.get_by_test_id("bookings-older")).to_be_disabled()
        await page.get_by_test_id("bookings-newer").click()
        await expect(page.locator("#bookings-range")).to_contain_text(f"1{DASH}20 of 24")

        # the client's name in each row; the search by code (any case)
        tokyo_row = rows(page).and_(page.locator(f'[data-booking="{tokyo}"]'))
        await expect(tokyo_row.get_by_test_id("booking-client")).to_have_text("Kofi Asante")
        await find(page, code=code.lower())
        await expect(rows(page)).to_have_count(1)
        await expect(rows(page).first).to_have_attribute("data-code", code)
        await expect(page.locator("#bookings-pager")).to_be_hidden()
        await clear(page)
        await expect(rows(page)).to_have_count(PAGE_SIZE)
        await expect(page.locator("#bookings-code")).to_have_value("")

        # by client's name, by hotel, by stay dates, by status
        await find(page, client="asante")
        assert await listed_ids(page) == [tokyo]
        await clear(page)
        await find(page, hotel_id="tokyo-ginza")
        assert await listed_ids(page) == [tokyo]
        await clear(page)
        sixth = date.today() + timedelta(days=60 + 2 * 6)
        await find(
            page, stay_from=sixth.isoformat(), stay_to=(sixth + timedelta(days=2)).isoformat()
        )
        await expect(rows(page)).to_have_count(1)
        await expect(rows(page).first.locator("td.stay")).to_have_attribute(
            "data-check-in", sixth.isoformat()
        )
        await clear(page)
        await find(page, status="FAILED")
        assert await listed_ids(page) == [failed]

        # defect 3: a failed booking says its hotel and room type, never the hotel's id, and
        # why it failed in words
        failed_row = rows(page).first
        await expect(failed_row.get_by_test_id("booking-hotel")).to_contain_text(
            "Montmartre Atelier"
        )
        await expect(failed_row.get_by_test_id("booking-room")).to_have_text("Standard Double")
        await expect(failed_row).not_to_contain_text("paris-montmartre")
        await expect(failed_row.get_by_test_id("booking-reason")).not_to_be_empty()
        await expect(failed_row.get_by_test_id("booking-reason")).not_to_contain_text("reason.")
        booking = await open_booking(page, failed)
        await expect(booking.get_by_test_id("booking-hotel")).to_have_text("Montmartre Atelier")
        await expect(booking.get_by_test_id("booking-room")).to_have_text("Standard Double")
        await expect(booking.get_by_test_id("booking-status")).to_have_text("Failed")
        await expect(booking.get_by_test_id("print-voucher")).to_have_count(0)
        await page.locator("#booking-back").click()
        await expect(page.locator("#bookings-card")).to_be_visible()
        await clear(page)

        # a search that finds nothing says so; dates the wrong way round are refused here
        await find(page, code="NOSUCH00")
        await expect(rows(page)).to_have_count(0)
        await expect(page.locator("#bookings-status")).to_have_text(
            "No booking matches this search."
        )
        await clear(page)
        await page.locator("#bookings-from").fill(sixth.isoformat())
        await page.locator("#bookings-to").fill(sixth.isoformat())
        await page.locator("#bookings-search button[type=submit]").click()
        await expect(page.locator("#bookings-status")).to_have_text(
            "Choose an end date after the start date."
        )
        await clear(page)

        # in French: the pages and the search speak it
        await page.locator("[data-lang=fr]").click()
        await expect(page.locator("#bookings-range")).to_contain_text(f"1{DASH}20 sur 24")
        await expect(page.get_by_test_id("bookings-older")).to_have_text("Plus anciennes →")
        await expect(page.locator("#bookings-search label[for=bookings-code]")).to_have_text(
            "Code de confirmation"
        )
        await page.locator("[data-lang=en]").click()

        # an agency manager sees the whole agency's bookings, paged, each saying who booked it
        manager = await new_page(browser, 1280, 900)
        await sign_in(manager, web, "lome.manager", "agent-demo")
        await bookings_loaded(manager)
        await expect(manager.locator("#bookings-title")).to_have_text("All agency bookings")
        await expect(rows(manager)).to_have_count(PAGE_SIZE)
        await expect(manager.locator("#bookings-range")).to_contain_text("of 24")
        await expect(rows(manager).first.get_by_test_id("booked-by")).to_have_attribute(
            "data-agent", "agent"
        )
        await find(manager, client="asante")
        assert await listed_ids(manager) == [tokyo]

        # on a phone: cards, no sideways scroll, the search and the pages at hand
        phone = await new_page(browser, *PHONE)
        phone_errors = console_errors(phone)
        await sign_in(phone, web, "agent", "agent-demo")
        await bookings_loaded(phone)
        await expect(rows(phone)).to_have_count(PAGE_SIZE)
        await no_page_scroll(phone)
        for control in ("#bookings-code", "#bookings-hotel", "#bookings-to", "#bookings-clear"):
            await within_screen(phone.locator(control))
        await within_screen(rows(phone).first.get_by_test_id("open-booking"))
        older = phone.get_by_test_id("bookings-older")
        await within_screen(older)
        await older.click()
        await expect(rows(phone)).to_have_count(4)
        await no_page_scroll(phone)
        await find(phone, code=code)
        await expect(rows(phone)).to_have_count(1)
        await expect(rows(phone).first).to_contain_text("Kofi Asante")
        await expect(rows(phone).first).to_contain_text("Ginza Kaede")
        await no_page_scroll(phone)
        assert errors == [] and phone_errors == []


async def test_a_booking_page_and_its_voucher_in_english_and_french(
    servers: Servers, browser: Browser, tmp_path: Path
) -> None:
    async with running_platform(servers, BROWSER) as platform:
        web = platform.url("web")
        agent = await token(web, "agent", "agent-demo")
        kofi = await new_client_through_api(web, agent, "Kofi", "Asante")
        stays = [stay("paris-lumiere", "double", n) for n in (40, 44)]
        kept, cancelled = [
            await start_booking(web, agent, {"client_id": kofi, **each}) for each in stays
        ]
        views = await wait_for_outcomes(web, agent, [kept, cancelled])
        view = views[kept]
        assert view["status"] == "CONFIRMED", view
        code = view["reservation"]["confirmation_code"]
        total = Decimal(view["reservation"]["total"])
        check_in = date.fromisoformat(view["check_in"])

        page = await new_page(browser, 1280, 900)
        await page.context.add_init_script(PRINT_NOTED)
        errors = console_errors(page)
        await sign_in(page, web, "agent", "agent-demo")
        await bookings_loaded(page)
        booking = await open_booking(page, kept)
        await expect(page).to_have_url(re.compile(f"#booking/{kept}$"))
        await expect(page.locator("#bookings-card")).to_be_hidden()

        # the stay, the guest, the hotel, the prices in euros, the status, terms and history
        await expect(booking.get_by_test_id("booking-page-title")).to_have_text(f"Booking {code}")
        await expect(booking.get_by_test_id("booking-status")).to_have_text("Confirmed")
        await expect(booking.get_by_test_id("booking-guest")).to_have_text("Kofi Asante")
        await expect(booking.get_by_test_id("booking-hotel")).to_have_text("Hôtel Lumière")
        await expect(booking.get_by_test_id("booking-hotel-address")).to_contain_text(
            "18 Rue de Rivoli"
        )
        await expect(booking.get_by_test_id("booking-hotel-phone")).to_have_text(
            "+33 1 42 60 18 18"
        )
        arrival = booking.get_by_test_id("booking-check-in")
        await expect(arrival).to_contain_text(await shown_date(page, check_in, "en-GB"))
        await expect(arrival).to_contain_text(
            re.compile(r"from 15:00 \(hotel time, Europe/Paris, UTC\+0[12]:00\)")
        )
        await expect(booking.get_by_test_id("booking-check-out")).to_contain_text(
            re.compile(r"until 11:00 \(hotel time, Europe/Paris, UTC\+0[12]:00\)")
        )
        await expect(booking.locator("[data-testid=booking-nights] tbody tr")).to_have_count(2)
        await expect(booking.get_by_test_id("booking-total")).to_have_text(f"€{total:,.2f}")
        await expect(booking.get_by_test_id("booking-terms")).not_to_contain_text(
            "The hotel gave no cancellation terms."
        )
        history = booking.locator("[data-testid=booking-history] li")
        await expect(history.first).to_be_visible()
        await expect(booking.get_by_test_id("booking-history")).to_contain_text(code)
        for text in await history.all_inner_texts():
            assert "history." not in text and re.search(r"\(UTC[+-]\d\d:\d\d\)", text), text
        await expect(booking.get_by_test_id("booking-history-zone")).to_contain_text("UTC")

        # the voucher: a printable page in a new tab, printed at once, and a PDF named after
        # the code
        async with page.context.expect_page() as opened:
            await booking.get_by_test_id("print-voucher").click()
        printable = await opened.value
        await expect(printable).to_have_url(re.compile("^blob:"))
        await expect(printable.locator("body")).to_contain_text(code)
        await expect(printable.locator("body")).to_contain_text("Kofi Asante")
        await printable.wait_for_function("window.printed === true")
        await printable.close()
        async with page.expect_download() as downloading:
            await booking.get_by_test_id("download-pdf").click()
        download = await downloading.value
        assert code in download.suggested_filename and download.suggested_filename.endswith(".pdf")
        saved = tmp_path / "voucher-en.pdf"
        await download.save_as(saved)
        text = pdf_text(saved.read_bytes())
        for expected in (code, "Kofi Asante", "Hôtel Lumière", "18 Rue de Rivoli"):
            assert expected in text, (expected, text)
        assert "+33 1 42 60 18 18" in text, text
        assert re.search(r"15:00.*Europe/Paris|Europe/Paris.*15:00", text, re.S), text
        assert "11:00" in text, text
        assert f"{total:,.2f}" in text, (total, text)

        # in French: the page, its dates, money and history, and the PDF
        await page.locator("[data-lang=fr]").click()
        await expect(booking.get_by_test_id("booking-page-title")).to_have_text(
            f"Réservation {code}"
        )
        await expect(booking.get_by_test_id("booking-status")).to_have_text("Confirmée")
        await expect(arrival).to_contain_text(
            re.compile(r"à partir de 15:00 \(heure de l\u2019hôtel, Europe/Paris, UTC\+0[12]:00\)")
        )
        french_total = f"{total:,.2f}".replace(",", "\u202f").replace(".", ",") + "\u00a0€"
        await expect(booking.get_by_test_id("booking-total")).to_have_text(french_total)
        shown = await page.locator("#booking-page").inner_text()
        left = [piece for piece in english_only_texts() if piece in shown]
        assert not left, left
        for text in await history.all_inner_texts():
            assert "history." not in text, text
        async with page.expect_download() as downloading:
            await booking.get_by_role("button", name="Télécharger le PDF").click()
        saved = tmp_path / "voucher-fr.pdf"
        await (await downloading.value).save_as(saved)
        text = pdf_text(saved.read_bytes())
        assert code in text and "Kofi Asante" in text, text
        assert "Arrivée" in text or "arrivée" in text, text
        await expect(booking.get_by_test_id("booking-page-status")).to_contain_text(
            "Bon téléchargé"
        )
        await page.locator("[data-lang=en]").click()

        # back to the list; another booking cancelled from its page in two clicks
        await page.locator("#booking-back").click()
        await expect(page.locator("#bookings-card")).to_be_visible()
        await expect(page).not_to_have_url(re.compile("#booking/"))
        other = await open_booking(page, cancelled)
        await other.get_by_test_id("cancel-booking").click()
        await other.get_by_role("button", name="Confirm cancellation").click()
        await expect(other.get_by_test_id("booking-status")).to_have_text("Cancelled")
        await expect(other.get_by_test_id("print-voucher")).to_have_count(0)
        assert errors == []

        # on a phone: the booking's address opens its page after signing in; nothing scrolls
        # sideways and every action is at hand, the PDF too; the history's times are in the
        # viewer's zone, said
        phone_context = await browser.new_context(
            viewport={"width": PHONE[0], "height": PHONE[1]}, timezone_id="America/Sao_Paulo"
        )
        phone = await phone_context.new_page()
        phone.set_default_timeout(UI_TIMEOUT_MS)
        phone_errors = console_errors(phone)
        await sign_in(phone, f"{web}/#booking/{kept}", "agent", "agent-demo")
        body = phone.locator(f'#booking-page-body[data-booking="{kept}"]')
        await body.wait_for()
        await expect(body.get_by_test_id("booking-guest")).to_have_text("Kofi Asante")
        await expect(body.get_by_test_id("booking-history-zone")).to_contain_text(
            "America/Sao_Paulo, UTC-03:00"
        )
        await expect(body.locator("[data-testid=booking-history] li time").first).to_contain_text(
            "(UTC-03:00)"
        )
        await no_page_scroll(phone)
        for testid in ("print-voucher", "download-pdf", "change", "cancel-booking"):
            await within_screen(body.get_by_test_id(testid))
        await within_screen(body.locator("[data-testid=booking-history] li").last)
        async with phone.expect_download() as downloading:
            await body.get_by_test_id("download-pdf").click()
        assert code in (await downloading.value).suggested_filename
        await within_screen(phone.locator("#booking-back"))
        await phone.locator("#booking-back").click()
        await expect(rows(phone)).to_have_count(2)
        await no_page_scroll(phone)
        assert phone_errors == []
