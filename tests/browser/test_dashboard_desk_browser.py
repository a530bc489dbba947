"""The back office finished (issue 17): charts that count a booking at its first outcome, Retry
and Compensate that say what they will do and ask first, every dead letter listed and looked at
without being touched, failed bookings named by hotel and room type, French throughout, and a
phone's width (390 x 844) for operators and hotel managers."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import date, datetime, timedelta
from typing import Any

import aio_pika
import httpx
import pytest
from playwright.async_api import Browser, Locator, Page, expect

from contracts.envelope import DEAD_LETTER_QUEUE_HEADER, DEAD_LETTER_REASON_HEADER
from contracts.topology import Service, Topology
from tests.browser.pages import (
    BROWSER,
    UI_TIMEOUT_MS,
    console_errors,
    new_page,
    open_section,
    show_calendar,
    sign_in,
    start_booking,
    token,
)
from tests.support.observer import publish_raw
from tests.support.platform import Platform, Servers, running_platform

pytestmark = pytest.mark.e2e
# Short deadlines, so a booking whose rooms service is gone is STUCK within seconds.
QUICK_GIVE_UP = {
    "STEP_DEADLINE_SECONDS": "2",
    "RETRY_MAX_ATTEMPTS": "2",
    "RETRY_FIRST_DELAY_SECONDS": "0.2",
    "RETRY_MAX_DELAY_SECONDS": "0.5",
}
DEMO_CLIENT = "98396f1e-a7b2-5c73-a38f-67db41362a4f"  # seeded by the clients service
HOTEL, HOTEL_NAME = "paris-lumiere", "Hôtel Lumière"
DOUBLE, DOUBLE_NAME = "paris-lumiere-double", "Standard Double"  # two guests at most
PHONE = (390, 844)
DEAD_LETTERS = 12  # more than a page (10)
DASH = "\u2013"  # between the first and last of a page: "1-10 of 12" with an en dash


def stay(days_ahead: int, guests: int = 2) -> dict[str, object]:
    check_in = date.today() + timedelta(days=days_ahead)
    return {
        "hotel_id": HOTEL,
        "room_type_id": DOUBLE,
        "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=2)).isoformat(),
        "guests": guests,
        "client_id": DEMO_CLIENT,
    }


async def ops_get(platform: Platform, bearer: str, path: str) -> Any:
    async with httpx.AsyncClient(base_url=platform.url("dashboard"), timeout=30) as client:
        response = await client.get(path, headers={"Authorization": f"Bearer {bearer}"})
        response.raise_for_status()
        return response.json()


async def cancel(platform: Platform, bearer: str, booking_id: str) -> None:
    async with httpx.AsyncClient(base_url=platform.url("web"), timeout=30) as client:
        response = await client.post(
            f"/api/bookings/{booking_id}/cancel",
            json={},
            headers={"Authorization": f"Bearer {bearer}"},
        )
        response.raise_for_status()


async def dead_letter_many(platform: Platform, amqp_url: str, count: int) -> tuple[str, list[str]]:
    """`count` malformed HoldRooms, as the rooms service dead-letters them; the dead-letter
    queue's name and their ids."""
    topology = Topology(platform.namespace)
    source = topology.command_queue(Service.ROOMS).name
    ids = [str(uuid.uuid4()) for _ in range(count)]
    connection = await aio_pika.connect_robust(amqp_url)
    async with connection:
        for n, message_id in enumerate(ids):
            await publish_raw(
                connection,
                topology.dead_letters.name,
                source,
                f'{{"hotel_id": {n}}}'.encode(),
                message_id=message_id,
                type="rooms.HoldRoom.v1",
                correlation_id=f"saga-{n}",
                headers={
                    DEAD_LETTER_REASON_HEADER: "the body is not a HoldRoom",
                    DEAD_LETTER_QUEUE_HEADER: source,
                },
            )
    return f"{source}.dlq", ids


async def broker_depth(amqp_url: str, queue: str) -> int:
    connection = await aio_pika.connect_robust(amqp_url)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        return declared.declaration_result.message_count or 0


# ---- what the page shows ----------------------------------------------------------------------

# Every control a person uses, outside the screen and in no container that scrolls sideways.
UNREACHABLE = """() => {
  const width = window.innerWidth;
  const out = [];
  const controls = "button, input, select, textarea, summary, a[href]";
  for (const node of document.querySelectorAll(controls)) {
    const box = node.getBoundingClientRect();
    if (!box.width || !box.height || (box.left >= -1 && box.right <= width + 1)) continue;
    let scroller = node.parentElement;
    while (scroller && !(["auto", "scroll"].includes(getComputedStyle(scroller).overflowX)
        && scroller.scrollWidth > scroller.clientWidth)) scroller = scroller.parentElement;
    if (!scroller) out.push(node.outerHTML.slice(0, 100));
  }
  return out;
}"""

# The visible text of the page, each text node apart (the server's own English words are marked
# lang=en, names in code translate=no).
VISIBLE_TEXTS = """() => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const parent = node.parentElement;
    const text = node.textContent.trim();
    const skipped = "[lang=en], [translate=no], script, style, option";
    if (!text || !parent || parent.closest(skipped)) continue;
    if (!parent.getClientRects().length) continue;
    if (getComputedStyle(parent).visibility === "hidden") continue;
    texts.push(text);
  }
  return texts;
}"""


async def english_fragments(page: Page) -> list[str]:
    """The English texts of the dashboard (i18n.js) that French says otherwise, cut at their
    values; those French says as well are left out."""
    messages = await page.evaluate("import('/i18n.js').then((m) => m.MESSAGES)")
    english, french = messages["en"], messages["fr"]
    assert sorted(set(english) - set(french)) == [], "texts with no French"

    def parts(text: str) -> set[str]:
        pieces = (part.strip(f" .,:;()·-{DASH}\u2014") for part in re.split(r"\{\w+\}", text))
        return {piece for piece in pieces if len(piece) >= 3}

    said_in_french = set().union(*(parts(text) for text in french.values()))
    fragments = set()
    for key, text in english.items():
        if french[key] != text:
            fragments |= parts(text) - said_in_french  # "active" is French too
    return sorted(fragments)


async def assert_no_english(page: Page, fragments: list[str]) -> None:
    texts = await page.evaluate(VISIBLE_TEXTS)
    whole = "\n".join(texts)
    found = [f for f in fragments if f in texts or (" " in f and len(f) >= 10 and f in whole)]
    assert found == [], f"English on the French screen: {found}"


async def assert_fits_a_phone(page: Page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE[0], f"the page scrolls sideways: {width} px"
    assert await page.evaluate(UNREACHABLE) == []


async def open_saga(page: Page, saga_id: str) -> Locator:
    row = page.locator(f'#sagas tr[data-saga="{saga_id}"]')
    await expect(row).to_be_visible(timeout=UI_TIMEOUT_MS)
    await row.click()
    await expect(page.locator("#detail-body .facts")).to_contain_text(saga_id)
    return row


async def deliveries_listed(page: Page) -> dict[str, str]:
    """Each dead letter on the page of the panel: its message id and delivery count."""
    listed = page.locator("#dlq-list li.dead-letter")
    return {
        str(await item.get_attribute("data-message")): await item.get_by_test_id(
            "deliveries"
        ).inner_text()
        for item in await listed.all()
    }


def page_range(first: int, last: int, total: int) -> str:
    return f"{first}{DASH}{last} of {total}"


async def refresh_dead_letters(page: Page) -> None:
    card = page.locator("#dead-letters-card")
    before = await card.get_attribute("data-loads")
    await page.locator("#dlq-refresh").click()
    await expect(card).not_to_have_attribute("data-loads", str(before))


# ---- the tests ----------------------------------------------------------------------------------


async def test_the_operators_board_counts_explains_and_lists_everything(
    servers: Servers, browser: Browser
) -> None:
    async with running_platform(servers, QUICK_GIVE_UP | BROWSER) as platform:
        web = platform.url("web")
        agent = await token(web, "agent", "agent-demo")
        operator = await token(web, "operator", "operator-demo")
        page = await new_page(browser, 1440, 1100)
        errors = console_errors(page)
        await sign_in(page, platform.url("dashboard"), "operator", "operator-demo")

        # A booking confirmed, then cancelled well after: still one confirmation, whose
        # latency ends when it was confirmed.
        booked = await start_booking(web, agent, stay(20))
        confirmed_tile = page.locator('#states [data-state="CONFIRMED"] .count')
        await expect(confirmed_tile).to_have_text("1", timeout=UI_TIMEOUT_MS)
        throughput, latency = page.locator("#throughput-chart"), page.locator("#latency-chart")
        await expect(throughput).to_have_attribute("data-confirmed", "1")
        saga = await ops_get(platform, operator, f"/api/ops/sagas/{booked}")
        [confirm] = [s for s in saga["steps"] if s["name"] == "confirm_hold"]
        took = _ms(saga["created_at"], confirm["decided_at"])
        await expect(latency).to_have_attribute("data-p95", _js(round(took, 1)))
        await cancel(platform, agent, booked)
        cancelled_tile = page.locator('#states [data-state="CANCELLED"] .count')
        await expect(cancelled_tile).to_have_text("1", timeout=UI_TIMEOUT_MS)
        await expect(confirmed_tile).to_have_text("0")
        await expect(throughput).to_have_attribute("data-confirmed", "1")
        await expect(latency).to_have_attribute("data-p95", _js(round(took, 1)))
        saga = await ops_get(platform, operator, f"/api/ops/sagas/{booked}")
        assert _ms(saga["created_at"], saga["updated_at"]) > took  # the cancellation came later
        clipped = await page.evaluate("""() => {
          const out = [];
          const charts = document.querySelectorAll("#latency-chart svg, #throughput-chart svg");
          for (const chart of charts) {
            const frame = chart.getBoundingClientRect();
            for (const label of chart.querySelectorAll("text.axis")) {
              const box = label.getBoundingClientRect();
              const outside = box.left < frame.left - 0.5 || box.right > frame.right + 0.5;
              if (outside) out.push(label.textContent);
            }
          }
          return out;
        }""")
        assert clipped == []

        # A booking refused before its room was held is named by hotel and room type.
        refused = await start_booking(web, agent, stay(21, guests=3))
        row = await open_saga(page, refused)
        await expect(row.get_by_test_id("saga-hotel")).to_contain_text(HOTEL_NAME)
        await expect(row.get_by_test_id("saga-room-type")).to_have_text(DOUBLE_NAME)
        await expect(page.get_by_test_id("detail-hotel")).to_have_text(
            f"{HOTEL_NAME} · {DOUBLE_NAME}"
        )
        # It has ended: Retry is disabled, looks it and says why.
        retry = page.get_by_test_id("retry-button")
        await expect(retry).to_be_disabled()
        await expect(retry).to_have_attribute(
            "title", "This saga has ended: nothing is left to retry."
        )
        await expect(retry).to_have_attribute("aria-description", re.compile("has ended"))
        await expect(page.get_by_test_id("retry-why")).to_be_visible()
        looks = await retry.evaluate(
            "(b) => [getComputedStyle(b).borderStyle, getComputedStyle(b).backgroundColor]"
        )
        assert looks == ["dashed", "rgba(0, 0, 0, 0)"], looks
        await expect(page.get_by_test_id("compensate-button")).to_be_disabled()

        # What Compensate says of a booking half done: the undo of each step taken, last first.
        half_done = {
            "saga_id": "s",
            "state": "RESERVED",
            "phase": "forward",
            "terminal": False,
            "steps": [
                {"name": "hold_room", "status": "succeeded"},
                {"name": "verify_client", "status": "succeeded"},
                {"name": "write_reservation", "status": "timed_out"},
            ],
        }
        said = await page.evaluate(
            "(saga) => import('/sagas.js').then((m) => m.describeActions(saga))", half_done
        )
        assert said["compensate"] == {
            "text": "Compensate: undo what was done: "
            "cancel the reservation and release the room hold",
            "why": None,
        }

        # Dead letters: every one, a page at a time; reading them again changes nothing.
        dlq, sent = await dead_letter_many(platform, servers.amqp_url, DEAD_LETTERS)
        await refresh_dead_letters(page)
        queue_row = page.locator(f'#dead-letters tr[data-queue="{dlq}"]')
        await expect(queue_row.get_by_test_id("dlq-depth")).to_have_text(str(DEAD_LETTERS))
        await queue_row.get_by_role("button").click()
        await expect(page.get_by_test_id("dlq-range")).to_have_text(page_range(1, 10, DEAD_LETTERS))
        first = await deliveries_listed(page)
        await page.locator("#dlq-next").click()
        await expect(page.get_by_test_id("dlq-range")).to_have_text(
            page_range(11, DEAD_LETTERS, DEAD_LETTERS)
        )
        second = await deliveries_listed(page)
        assert sorted(first | second) == sorted(sent)
        await refresh_dead_letters(page)
        await refresh_dead_letters(page)
        await expect(page.get_by_test_id("dlq-range")).to_have_text(
            page_range(11, DEAD_LETTERS, DEAD_LETTERS)
        )
        assert await deliveries_listed(page) == second
        await page.locator("#dlq-previous").click()
        await expect(page.get_by_test_id("dlq-range")).to_have_text(page_range(1, 10, DEAD_LETTERS))
        assert await deliveries_listed(page) == first
        assert await broker_depth(servers.amqp_url, dlq) == 0  # kept aside, none put back

        # Discarding one asks first, in the page.
        item = page.locator("#dlq-list li.dead-letter").first
        await item.get_by_test_id("discard").click()
        dialog = page.get_by_test_id("confirm-dialog")
        await expect(dialog).to_contain_text("will never be processed")
        await dialog.get_by_test_id("confirm-yes").click()
        await expect(page.get_by_test_id("dlq-range")).to_have_text(
            page_range(1, 10, DEAD_LETTERS - 1)
        )

        # Rooms goes away: a booking's hold, then its release, go unanswered; it is STUCK.
        await asyncio.to_thread(platform.kill, "rooms")
        stuck = await start_booking(web, agent, stay(22))
        await open_saga(page, stuck)  # listed once STUCK
        await page.get_by_role("button", name="Compensating").click()  # and while retried
        await expect(page.get_by_test_id("detail-state")).to_have_text(
            "STUCK", timeout=UI_TIMEOUT_MS
        )
        retry = page.get_by_test_id("retry-button")
        await expect(retry).to_have_text(
            "Retry: send the waiting command again (ReleaseHold to rooms)"
        )
        await expect(page.get_by_test_id("compensate-button")).to_have_text(
            "Compensate: send the undo again (ReleaseHold to rooms)"
        )
        await retry.click()
        dialog = page.get_by_test_id("confirm-dialog")
        await expect(dialog).to_contain_text("Retry this saga?")
        await expect(dialog).to_contain_text("ReleaseHold to rooms")
        await dialog.get_by_test_id("confirm-no").click()
        await expect(dialog).to_be_hidden()
        history = page.locator("#detail-body .history")
        await expect(history).not_to_contain_text("operator resent")
        await retry.click()
        await page.get_by_test_id("confirm-yes").click()
        await expect(history).to_contain_text("operator resent release_hold", timeout=UI_TIMEOUT_MS)
        await expect(page.get_by_test_id("action-status")).to_contain_text("Retry requested")

        # The same board in French: no English text of the dashboard's own left on screen.
        fragments = await english_fragments(page)
        await page.locator("[data-lang=fr]").click()
        await expect(page.locator("html")).to_have_attribute("lang", "fr")
        await expect(page.get_by_test_id("retry-button")).to_have_text(
            "Relancer\u00a0: renvoyer la commande en attente (ReleaseHold au service chambres)"
        )
        await expect(page.locator("#whoami")).to_contain_text("Connecté en tant que")
        await expect(page.locator("#whoami")).to_contain_text("(opérateur)")
        await assert_no_english(page, fragments)
        # Rooms is back: the resent release is answered and the saga ends.
        await asyncio.to_thread(platform.start, "rooms")
        await expect(page.get_by_test_id("detail-state")).to_have_text(
            "ÉCHOUÉE", timeout=UI_TIMEOUT_MS
        )
        await expect(page.get_by_test_id("retry-why")).to_have_text(
            "Cette saga est terminée\u00a0: il n\u2019y a plus rien à relancer."
        )
        await assert_no_english(page, fragments)
        for section in ("agencies", "users", "hotels"):
            await open_section(page, section)
            await expect(page.locator(f'.view[data-view="{section}"] .card').first).to_be_visible()
            await page.locator(
                f'.view[data-view="{section}"] tbody tr, #calendar .room-type'
            ).first.wait_for()
            await assert_no_english(page, fragments)
        await page.reload()  # the choice is remembered
        await expect(page.locator("#sections [data-view=operations]")).to_have_text("Exploitation")

        # On a phone, in French: every control at hand, nothing wider than the screen.
        phone = await new_page(browser, *PHONE)
        phone_errors = console_errors(phone)
        await sign_in(phone, platform.url("dashboard"), "operator", "operator-demo")
        await phone.locator("[data-lang=fr]").click()
        await open_saga(phone, refused)
        await expect(phone.get_by_test_id("retry-button")).to_be_disabled()
        await expect(phone.get_by_test_id("retry-why")).to_be_visible()
        await phone.locator(f'#dead-letters tr[data-queue="{dlq}"]').get_by_role("button").click()
        await expect(phone.locator("#dlq-list li.dead-letter")).to_have_count(10)
        await assert_fits_a_phone(phone)
        await phone.locator("#dlq-list li.dead-letter").first.get_by_test_id("discard").click()
        dialog = phone.get_by_test_id("confirm-dialog")
        await expect(dialog).to_be_visible()
        box = await dialog.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE[0]
        await dialog.get_by_test_id("confirm-no").click()
        await expect(dialog).to_be_hidden()
        await expect(phone.get_by_test_id("dlq-range")).to_contain_text(str(DEAD_LETTERS - 1))
        for section in ("agencies", "users", "hotels"):
            await open_section(phone, section)
            await phone.locator(
                f'.view[data-view="{section}"] tbody tr, #calendar .room-type'
            ).first.wait_for()
            await assert_fits_a_phone(phone)
        assert errors == [] and phone_errors == []


async def test_a_hotel_manager_works_in_french_on_a_phone(
    servers: Servers, browser: Browser
) -> None:
    async with running_platform(servers, BROWSER) as platform:
        web = platform.url("web")
        agent = await token(web, "agent", "agent-demo")
        refused = await start_booking(web, agent, stay(30, guests=3))  # too many guests
        page = await new_page(browser, *PHONE)
        errors = console_errors(page)
        await sign_in(page, platform.url("dashboard"), "hotels.paris", "hotel-demo")
        await expect(page.locator("#calendar .room-type").first).to_be_visible()
        fragments = await english_fragments(page)
        await page.locator("[data-lang=fr]").click()
        await expect(page.locator('#sections [data-view="hotels"]')).to_have_text("Mes hôtels")
        await show_calendar(page, HOTEL, date.today() + timedelta(days=30), 7)
        await expect(page.locator("#calendar-caption")).to_contain_text("Europe/Paris")
        await assert_no_english(page, fragments)
        await assert_fits_a_phone(page)

        await open_section(page, "bookings")
        row = page.locator(f'#hotel-bookings tr[data-booking="{refused}"]')
        await expect(row).to_have_attribute("data-status", "FAILED", timeout=UI_TIMEOUT_MS)
        await expect(row.get_by_test_id("booking-hotel")).to_have_text(HOTEL_NAME)
        await expect(row.get_by_test_id("booking-room-type")).to_have_text(DOUBLE_NAME)
        await expect(row).to_contain_text("ÉCHOUÉE")
        await assert_no_english(page, fragments)
        await assert_fits_a_phone(page)
        assert errors == []


def _ms(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() * 1000


def _js(value: float) -> str:
    """A number as the page writes it in an attribute (String(245.0) is "245")."""
    return str(int(value)) if value == int(value) else str(value)
