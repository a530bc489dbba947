"""What one scenario's stores and queues hold: read after the load, for `checks` to judge."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from datetime import date
from typing import Any

import aio_pika
import httpx
import sqlalchemy as sa
from motor.motor_asyncio import AsyncIOMotorClient

from contracts.envelope import DEAD_LETTER_REASON_HEADER
from infra.stores.sql import make_engine
from tests.chaos import checks
from tests.chaos.platform import Deployment
from tests.support.service_auth import internal_client

SAGAS = "SELECT saga_id, state, failure_reason, kind, data FROM sagas"
OPEN_SAGAS = (
    "SELECT COUNT(*) FROM sagas WHERE state NOT IN ('CONFIRMED', 'FAILED', 'CANCELLED', 'STUCK')"
)
# A hotel's closure occupies nights too (a hold of status CLOSED, no saga): not a booking's.
HOLDS = "SELECT hold_id, saga_id, status FROM holds WHERE status <> 'CLOSED'"
NIGHTS = (
    "SELECT n.room_id, n.night, n.hold_id FROM room_nights n"
    " JOIN holds h ON h.hold_id = n.hold_id WHERE h.status <> 'CLOSED'"
)
POLL_SECONDS = 1.0


async def _sql(url: str, query: str) -> list[tuple[Any, ...]]:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            return [tuple(row) for row in await connection.execute(sa.text(query))]
    finally:
        await engine.dispose()


def _saga(saga_id: str, state: str, reason: str | None, kind: str, data: Any) -> checks.Saga:
    stay = (json.loads(data) if isinstance(data, str | bytes) else data or {}).get("stay")
    if not stay:
        return checks.Saga(saga_id, state, reason, kind)
    dates = (date.fromisoformat(stay["check_in"]), date.fromisoformat(stay["check_out"]))
    return checks.Saga(saga_id, state, reason, kind, dates)


async def stores(deployment: Deployment) -> checks.Stores:
    sagas = await _sql(deployment.databases["sagas"], SAGAS)
    holds = await _sql(deployment.databases["rooms"], HOLDS)
    nights = await _sql(deployment.databases["rooms"], NIGHTS)
    mongo: AsyncIOMotorClient[dict[str, Any]] = AsyncIOMotorClient(deployment.servers.mongo.url)
    try:
        documents = await mongo[deployment.mongo_database]["reservations"].find({}).to_list(None)
    finally:
        mongo.close()
    return checks.Stores(
        sagas=[_saga(*row) for row in sagas],
        holds=[checks.Hold(*row) for row in holds],
        nights=[checks.Night(*row) for row in nights],
        reservations=[
            checks.Reservation(
                document["saga_id"],
                document["status"],
                document["room"]["room_id"],
                date.fromisoformat(document["stay"]["check_in"]),
                date.fromisoformat(document["stay"]["check_out"]),
            )
            for document in documents
        ],
    )


async def settle(deployment: Deployment, within_seconds: float) -> float:
    """Wait until no saga is open and the work queues are empty, twice in a row, or time is
    up; the seconds it took."""
    started = time.monotonic()
    quiet = 0
    while time.monotonic() - started < within_seconds and quiet < 2:
        with contextlib.suppress(Exception):  # a server just restarted may not answer yet
            open_now = (await _sql(deployment.databases["sagas"], OPEN_SAGAS))[0][0]
            queued = sum((await queued_messages(deployment)).values())
            quiet = quiet + 1 if open_now == 0 and queued == 0 else 0
        await asyncio.sleep(POLL_SECONDS)
    return round(time.monotonic() - started, 1)


async def queued_messages(deployment: Deployment) -> dict[str, int]:
    """Messages ready in each work queue."""
    counts: dict[str, int] = {}
    connection = await aio_pika.connect(deployment.servers.amqp_url)
    async with connection:
        for queue in deployment.topology.work_queues():
            channel = await connection.channel()
            declared = await channel.declare_queue(queue.name, passive=True)
            counts[queue.name] = declared.declaration_result.message_count or 0
            await channel.close()
    return counts


async def retry_stuck(deployment: Deployment, saga_ids: list[str]) -> Counter[str]:
    """The operator's retry of each saga through the orchestrator's API; answers by kind."""
    answers: Counter[str] = Counter()
    urls = deployment.running_urls("orchestrator")
    key = deployment.platform.environment["SERVICE_KEY"]
    async with internal_client("orchestrator", key, base_url=urls[0], timeout=30) as orchestrator:
        for saga_id in saga_ids:
            try:
                response = await orchestrator.post(f"/sagas/{saga_id}/retry")
                detail = response.json().get("detail", "") if response.status_code >= 400 else ""
                answers[f"{response.status_code} {checks.reason(str(detail))}".strip()] += 1
            except (httpx.HTTPError, ValueError) as exc:
                answers[f"error {type(exc).__name__}"] += 1
    return answers


async def dead_letters(deployment: Deployment) -> Counter[str]:
    """Every dead letter of the namespace, taken off its queue: `queue: reason` -> count."""
    found: Counter[str] = Counter()
    topology = deployment.topology
    connection = await aio_pika.connect(deployment.servers.amqp_url)
    async with connection:
        for work_queue in topology.work_queues():
            dlq = topology.dead_letter_queue(work_queue)
            channel = await connection.channel()
            try:
                queue = await channel.get_queue(dlq.name, ensure=True)
            except aio_pika.exceptions.ChannelClosed:
                continue  # never declared: nothing was dead-lettered there
            short = work_queue.name.removeprefix(f"{topology.namespace}.")
            while (message := await queue.get(no_ack=True, fail=False)) is not None:
                found[f"{short}: {_dead_letter_reason(message.headers or {})}"] += 1
            await channel.close()
    return found


def _dead_letter_reason(headers: dict[str, Any]) -> str:
    """Ours when a consumer refused it, else the broker's (a delivery limit, a rejection)."""
    text = headers.get(DEAD_LETTER_REASON_HEADER)
    if text is None and (broker := headers.get("x-first-death-reason")) is not None:
        text = f"broker: {broker.decode() if isinstance(broker, bytes) else broker}"
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return checks.reason(None if text is None else str(text))
