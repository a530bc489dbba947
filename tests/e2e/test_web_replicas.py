"""Web keeps reading through a surviving orchestrator replica when the first one is killed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from tests.e2e.agent_client import AgentClient, stay
from tests.support.platform import Platform, own_platform
from tests.support.servers import Server

pytestmark = pytest.mark.e2e

READS = 50


@pytest.fixture(scope="module")
def replicated(amqp_url: str, mysql_server: Server, mongodb_server: Server) -> Iterator[Platform]:
    """A platform of its own (this test kills a process) with two orchestrators on one store."""
    services = ("rooms", "clients", "reservations", "orchestrator")
    with own_platform(
        "r", amqp_url, mysql_server.url, mongodb_server.url, start=services
    ) as running:
        running.start("orchestrator-2", replica_of="orchestrator")
        replicas = ",".join(running.url(name) for name in ("orchestrator", "orchestrator-2"))
        running.start("web", settings={"ORCHESTRATOR_URLS": replicas})
        yield running


async def test_reads_keep_answering_through_the_second_orchestrator_when_the_first_is_killed(
    replicated: Platform,
) -> None:
    async with AgentClient.signed_in(replicated.url("web"), "agent", "agent-demo") as agent:
        check_in, check_out = stay(50)
        offers = await agent.availability(check_in, check_out, city="Paris", guests=2)
        client_id = await agent.new_client()
        submitted = await agent.book_offer(offers[0], client_id, check_in, check_out, guests=2)
        assert submitted.status_code == 202, submitted.text
        booking_id = submitted.json()["booking_id"]
        assert (await agent.outcome(booking_id))["status"] == "CONFIRMED"

        replicated.kill("orchestrator")

        statuses: Counter[int] = Counter()
        for _ in range(READS):
            booking = await agent.http.get(f"/api/bookings/{booking_id}")
            page = await agent.http.get("/api/bookings")
            statuses.update([booking.status_code, page.status_code])
        assert statuses == Counter({200: 2 * READS}), f"every read answered: {statuses}"
        assert booking.json()["status"] == "CONFIRMED"
        assert booking_id in {item["booking_id"] for item in page.json()["items"]}
