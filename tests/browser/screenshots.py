"""Screenshots of both web apps for the README: `python -m tests.browser.screenshots`.

Starts the whole platform in this process on the local servers (or those the environment
names), books a few stays, fails one and dead-letters a malformed command so the dashboard has
something to show, then photographs the agents' desk and the operators' dashboard.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import aio_pika

from contracts.topology import Service, Topology
from tests.browser.pages import (
    BROWSER,
    UI_TIMEOUT_MS,
    book_first_offer,
    chromium,
    create_client,
    new_page,
    search,
    sign_in,
    start_booking,
    token,
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
    print(f"wrote {OUT / 'agents.png'} and {OUT / 'dashboard.png'}")


if __name__ == "__main__":
    main()
