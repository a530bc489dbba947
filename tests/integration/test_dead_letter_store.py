"""Dead letters as operators see them (issue 17, defect 9): every one of a queue listed, a page at
a time; reading them, however often, never touches them on the broker (their delivery count
stays); requeue and discard act on the one the operator picked; nothing is lost or doubled when
the process stops between keeping a dead letter and acking it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from aio_pika.abc import AbstractRobustConnection

from contracts.envelope import DEAD_LETTER_QUEUE_HEADER, DEAD_LETTER_REASON_HEADER
from contracts.topology import Service, Topology
from tests.integration import test_web_dashboard_api
from tests.integration.test_web_dashboard_api import Dashboard
from tests.support.observer import drain_queue, publish_raw
from web.dead_letter_store import DeadLetterStore
from web.dead_letters import letter_of

pytestmark = pytest.mark.integration
dashboard = test_web_dashboard_api.dashboard  # the operators' API on the real broker and store


async def dead_letter(
    connection: AbstractRobustConnection,
    topology: Topology,
    source: str,
    body: bytes,
    headers: dict[str, Any] | None = None,
) -> str:
    """A message dead-lettered from `source` (as its consumer does it); its message id."""
    message_id = str(uuid.uuid4())
    await publish_raw(
        connection,
        topology.dead_letters.name,
        source,
        body,
        message_id=message_id,
        type="rooms.HoldRoom.v1",
        correlation_id=f"saga-{message_id[:8]}",
        timestamp=datetime(2026, 5, 1, 12, 0, tzinfo=UTC),
        headers={
            DEAD_LETTER_REASON_HEADER: "the body is not a HoldRoom",
            DEAD_LETTER_QUEUE_HEADER: source,
            **(headers or {}),
        },
    )
    return message_id


async def broker_depth(connection: AbstractRobustConnection, queue: str) -> int:
    channel = await connection.channel()
    declared = await channel.declare_queue(queue, passive=True)
    await channel.close()
    return declared.declaration_result.message_count or 0


async def every_page(dashboard: Dashboard, dlq: str, limit: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = await dashboard.client.get(
            f"/api/ops/dead-letters/{dlq}",
            params={"limit": limit, "offset": len(items)},
            headers=dashboard.operator,
        )
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        if len(items) >= page.json()["total"]:
            return items


async def test_every_dead_letter_is_listed_and_reading_them_changes_nothing(
    dashboard: Dashboard, broker_connection: AbstractRobustConnection, topology: Topology
) -> None:
    source = topology.command_queue(Service.ROOMS).name
    dlq = f"{source}.dlq"
    sent = [
        await dead_letter(broker_connection, topology, source, f'{{"n": {n}}}'.encode())
        for n in range(12)
    ]

    first = await every_page(dashboard, dlq, limit=5)
    overview = await dashboard.client.get("/api/ops/dead-letters", headers=dashboard.operator)
    again = await every_page(dashboard, dlq, limit=5)

    assert [item["message_id"] for item in first] == sent  # all of them, oldest first
    assert again == first  # the very same, delivery counts included
    assert {item["deliveries"] for item in again} == {0}
    queue = {q["name"]: q for q in overview.json()["queues"]}[dlq]
    assert (queue["depth"], queue["in_queue"]) == (12, 0)
    assert queue["head"]["message_id"] == sent[0]
    # Kept by web and taken off the broker once: no read put one back to be delivered again.
    assert await broker_depth(broker_connection, dlq) == 0


async def test_the_dead_letter_picked_is_requeued_whole_and_another_discarded(
    dashboard: Dashboard, broker_connection: AbstractRobustConnection, topology: Topology
) -> None:
    source = topology.command_queue(Service.CLIENTS).name
    dlq = f"{source}.dlq"
    big = b'{"pad": "' + b"x" * (3 * 1024 * 1024 + 17) + b'"}'  # kept in several parts
    typed = {"x-saga-id": "saga-9", "x-sequence": 4, "price": Decimal("12.30")}
    kept = await dead_letter(broker_connection, topology, source, b"{}")
    picked = await dead_letter(broker_connection, topology, source, big, typed)
    dropped = await dead_letter(broker_connection, topology, source, b"not json")
    ids = {item["message_id"]: item["id"] for item in await every_page(dashboard, dlq, 10)}

    requeued = await dashboard.client.post(
        f"/api/ops/dead-letters/{dlq}/requeue",
        params={"id": ids[picked]},
        headers=dashboard.operator,
    )
    [back] = await drain_queue(broker_connection, source, expected=1)
    discarded = await dashboard.client.post(
        f"/api/ops/dead-letters/{dlq}/discard",
        params={"id": ids[dropped]},
        headers=dashboard.operator,
    )
    twice = await dashboard.client.post(
        f"/api/ops/dead-letters/{dlq}/discard",
        params={"id": ids[dropped]},
        headers=dashboard.operator,
    )
    left = await every_page(dashboard, dlq, 10)

    assert requeued.status_code == 200, requeued.text
    assert requeued.json()["message"]["message_id"] == picked
    assert back.message_id == picked and back.body == big
    assert back.correlation_id == f"saga-{picked[:8]}" and back.type == "rooms.HoldRoom.v1"
    assert {k: back.headers[k] for k in typed} == typed
    assert DEAD_LETTER_REASON_HEADER not in back.headers
    assert discarded.status_code == 200 and discarded.json()["message"]["message_id"] == dropped
    assert twice.status_code == 404
    assert [item["message_id"] for item in left] == [kept]


async def test_a_dead_letter_kept_but_not_acked_is_kept_once(
    dashboard: Dashboard,
    broker_connection: AbstractRobustConnection,
    topology: Topology,
    accounts_db_url: str,
) -> None:
    # The process stops after keeping the dead letter and before acking it: the broker
    # delivers it again, and the next read recognises the copy.
    source = topology.replies_queue().name
    dlq = f"{source}.dlq"
    message_id = await dead_letter(broker_connection, topology, source, b'{"late": true}')
    store = DeadLetterStore(dashboard.app.state.accounts.engine)
    channel = await broker_connection.channel()
    queue = await channel.get_queue(dlq, ensure=True)
    taken = await queue.get(no_ack=False, fail=False)
    assert taken is not None
    await store.keep(dlq, letter_of(taken), taken.redelivered or False)
    await channel.close()  # never acked: back in the queue, marked redelivered

    listed = await every_page(dashboard, dlq, 10)

    assert [item["message_id"] for item in listed] == [message_id]
    assert await broker_depth(broker_connection, dlq) == 0


async def test_a_dead_letter_is_not_lost_when_the_store_refuses_it(
    dashboard: Dashboard, broker_connection: AbstractRobustConnection, topology: Topology
) -> None:
    source = topology.command_queue(Service.RESERVATIONS).name
    dlq = f"{source}.dlq"
    await dead_letter(broker_connection, topology, source, b"{}")
    engine = dashboard.app.state.accounts.engine
    async with engine.begin() as connection:  # as if the store were away
        await connection.exec_driver_sql("RENAME TABLE dead_letters TO dead_letters_away")
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=dashboard.app, raise_app_exceptions=False),
            base_url="http://dashboard",
        ) as client:
            failed = await client.get(f"/api/ops/dead-letters/{dlq}", headers=dashboard.operator)
    finally:
        async with engine.begin() as connection:
            await connection.exec_driver_sql("RENAME TABLE dead_letters_away TO dead_letters")

    assert failed.status_code == 500
    assert await broker_depth(broker_connection, dlq) == 1  # still there, for the next read
    assert len(await every_page(dashboard, dlq, 10)) == 1
