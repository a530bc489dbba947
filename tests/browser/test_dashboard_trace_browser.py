"""An operator opens a failed saga on the dashboard and finds the link to its trace, where a
tracing UI is configured (TRACING_UI_URL): the very trace the booking's processes exported."""

from __future__ import annotations

import asyncio
import re
from datetime import date, timedelta

import pytest
from playwright.async_api import Browser, expect

from tests.browser.pages import BROWSER, UI_TIMEOUT_MS, new_page, sign_in, start_booking, token
from tests.support.otlp_receiver import OtlpReceiver, ReceivedSpan
from tests.support.platform import Servers, running_platform

pytestmark = pytest.mark.e2e
# A client no one registered: the saga fails, and the operators' list shows failed sagas.
UNKNOWN_CLIENT = "00000000-0000-4000-8000-000000000000"
TRACE_UI = "http://traces.test/trace/{trace_id}"


async def test_the_saga_page_links_to_the_sagas_trace(servers: Servers, browser: Browser) -> None:
    check_in = date.today() + timedelta(days=63)
    booking = {
        "client_id": UNKNOWN_CLIENT,
        "hotel_id": "paris-lumiere",
        "room_type_id": "paris-lumiere-double",
        "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=2)).isoformat(),
        "guests": 2,
    }
    with OtlpReceiver() as receiver:
        settings = BROWSER | {
            "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url,
            "OTEL_BSP_SCHEDULE_DELAY": "100",
            "TRACING_UI_URL": TRACE_UI,
        }
        async with running_platform(servers, settings) as platform:
            web = platform.url("web")
            saga_id = await start_booking(web, await token(web, "agent", "agent-demo"), booking)

            def started(spans: list[ReceivedSpan]) -> bool:
                return any(
                    s.kind == "SERVER" and s.attributes.get("booking.saga_id") == saga_id
                    for s in spans
                )

            assert await asyncio.to_thread(receiver.wait_for, started, UI_TIMEOUT_MS / 1000)
            (request,) = [s for s in receiver.spans if started([s])]

            page = await new_page(browser, 1440, 1000)
            await sign_in(page, platform.url("dashboard"), "operator", "operator-demo")
            row = page.locator(f'#sagas tr[data-saga="{saga_id}"]')
            await expect(row).to_be_visible(timeout=UI_TIMEOUT_MS)
            await row.click()
            link = page.get_by_test_id("detail-trace")
            await expect(link).to_have_attribute(
                "href", TRACE_UI.replace("{trace_id}", request.trace_id)
            )
            await expect(link).to_have_attribute("target", "_blank")
            assert re.fullmatch(r"[0-9a-f]{32}", request.trace_id)
