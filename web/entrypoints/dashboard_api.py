"""The operators' dashboard API (`/api/ops`): health, sagas, live figures, dead letters, and
clients: blocking them and the record of who read whose personal data.

Reads go to the services over HTTP and stay thin proxies, so the orchestrator's own API stays
the one place that knows what a saga is; dead letters are read and moved over the broker.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from statistics import quantiles
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, HTTPException, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field

from contracts.sagas import SETTLED_STATES, SagaState
from web.auth import Operator
from web.dead_letters import DeadLetters, PeekedMessage, UnknownDeadLetterQueue
from web.edge import (
    COMMON,
    CONFLICT,
    FORBIDDEN,
    ID_PATTERN,
    MAX_OFFSET,
    NOT_FOUND,
    PathId,
    QueueName,
)
from web.settings import WebSettings
from web.upstream import Upstreams, call, url_path

router = APIRouter(prefix="/api/ops", tags=["operators"], responses=COMMON | FORBIDDEN)
SAGA_STATES = tuple(str(state) for state in SagaState)
PAGE_SIZE = 200
MAX_PAGES = 10  # the figures read at most this many pages of the most recent sagas
HEALTH_TIMEOUT_SECONDS = 3.0
MessageId = Annotated[str, Query(min_length=1, max_length=128)]


def _upstreams(request: Request) -> Upstreams:
    return request.app.state.upstreams  # type: ignore[no-any-return]


def _dead_letters(request: Request) -> DeadLetters:
    return request.app.state.dead_letters  # type: ignore[no-any-return]


@router.get("/health")
async def health(request: Request, user: Operator) -> dict[str, Any]:
    services = _upstreams(request)
    settings: WebSettings = request.app.state.settings
    web_host = "127.0.0.1" if settings.http_host in ("0.0.0.0", "::") else settings.http_host
    async with httpx.AsyncClient(
        base_url=f"http://{web_host}:{settings.agents_port}", timeout=HEALTH_TIMEOUT_SECONDS
    ) as web:
        targets = {
            "web": web,
            "rooms": services.rooms,
            "clients": services.clients,
            "reservations": services.reservations,
            "orchestrator": services.orchestrator,
        }
        results = await asyncio.gather(*(_probe(n, c) for n, c in targets.items()))
    return {"checked_at": datetime.now(UTC).isoformat(), "services": list(results)}


async def _probe(name: str, client: httpx.AsyncClient) -> dict[str, Any]:
    started = time.perf_counter()
    report: dict[str, Any] = {"name": name, "url": str(client.base_url)}
    try:
        response = await client.get("/health", timeout=HEALTH_TIMEOUT_SECONDS)
    except httpx.HTTPError as exc:
        return report | {"status": "unreachable", "detail": type(exc).__name__, "checks": {}}
    report["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    try:
        body = response.json()
    except ValueError:
        body = {}
    healthy = response.status_code == 200
    checks = body.get("checks", {}) if isinstance(body, dict) else {}
    return report | {"status": "ok" if healthy else "unavailable", "checks": checks}


@router.get("/sagas")
async def list_sagas(
    request: Request,
    user: Operator,
    state: Annotated[str | None, Query(max_length=20)] = None,
    hotel_id: Annotated[str | None, Query(max_length=64)] = None,
    client_id: Annotated[str | None, Query(max_length=64)] = None,
    agency_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=PAGE_SIZE)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Any:
    filters: dict[str, Any] = {"state": state and state.upper(), "hotel_id": hotel_id}
    filters |= {"client_id": client_id}
    filters |= {"agency_id": agency_id, "limit": limit, "offset": offset}
    params = {name: value for name, value in filters.items() if value is not None}
    return (await call(_upstreams(request).orchestrator, "GET", "/sagas", params=params)).json()


@router.get("/sagas/{saga_id}", responses=NOT_FOUND)
async def read_saga(request: Request, user: Operator, saga_id: PathId) -> Any:
    return (await call(_upstreams(request).orchestrator, "GET", url_path("sagas", saga_id))).json()


@router.post("/sagas/{saga_id}/retry", responses=NOT_FOUND | CONFLICT)
async def retry_saga(request: Request, user: Operator, saga_id: PathId) -> Any:
    return await _operator_action(request, saga_id, "retry")


@router.post("/sagas/{saga_id}/compensate", responses=NOT_FOUND | CONFLICT)
async def compensate_saga(request: Request, user: Operator, saga_id: PathId) -> Any:
    return await _operator_action(request, saga_id, "compensate")


class BlockRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500, description="why, for other operators")


@router.post("/clients/{client_id}/block", tags=["clients"], responses=NOT_FOUND)
async def block_client(
    request: Request, user: Operator, client_id: PathId, body: BlockRequest
) -> Any:
    """Refuse every new booking for the client, with the reason."""
    path = url_path("clients", client_id, "block")
    clients = _upstreams(request).clients
    return (await call(clients, "POST", path, json=body.model_dump(), headers=user.acting())).json()


@router.post("/clients/{client_id}/unblock", tags=["clients"], responses=NOT_FOUND)
async def unblock_client(request: Request, user: Operator, client_id: PathId) -> Any:
    path = url_path("clients", client_id, "unblock")
    return (await call(_upstreams(request).clients, "POST", path, headers=user.acting())).json()


@router.get("/personal-data-reads", tags=["clients"])
async def personal_data_reads(
    request: Request,
    user: Operator,
    client_id: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
    reader: Annotated[str | None, Query(max_length=128)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Any:
    """Who read which client's full personal data, when and why, newest first; of one client
    (`client_id`) or one reader (`reader`) or all."""
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    if reader:
        params["reader"] = reader
    path = url_path("clients", client_id, "reads") if client_id else "/clients/reads"
    clients = _upstreams(request).clients
    return (await call(clients, "GET", path, params=params, headers=user.acting())).json()


async def _operator_action(request: Request, saga_id: str, action: str) -> Any:
    orchestrator = _upstreams(request).orchestrator
    response = await call(orchestrator, "POST", url_path("sagas", saga_id, action))
    return response.json() if response.content else {"saga_id": saga_id, "action": action}


@router.get("/stats")
async def stats(
    request: Request, user: Operator, minutes: Annotated[int, Query(ge=1, le=60)] = 15
) -> dict[str, Any]:
    orchestrator = _upstreams(request).orchestrator
    now = datetime.now(UTC)
    since = now - timedelta(minutes=minutes + 1)
    counts, recent = await asyncio.gather(
        _counts_by_state(orchestrator), _recent_sagas(orchestrator, since)
    )
    return {"counts": counts, **per_minute_figures(recent, now, minutes)}


async def _counts_by_state(orchestrator: httpx.AsyncClient) -> dict[str, int]:
    async def total(state: str) -> int:
        params = {"state": state, "limit": 1}
        page = (await call(orchestrator, "GET", "/sagas", params=params)).json()
        return int(page.get("total", len(page.get("items", []))))

    totals = await asyncio.gather(*(total(state) for state in SAGA_STATES))
    return dict(zip(SAGA_STATES, totals, strict=True))


async def _recent_sagas(orchestrator: httpx.AsyncClient, since: datetime) -> list[dict[str, Any]]:
    """The sagas created since `since` (the orchestrator's `from` filter), newest first."""
    sagas: list[dict[str, Any]] = []
    for page_number in range(MAX_PAGES):
        params = {"from": since.isoformat(), "limit": PAGE_SIZE, "offset": page_number * PAGE_SIZE}
        page = (await call(orchestrator, "GET", "/sagas", params=params)).json()
        sagas.extend(page.get("items", []))
        if len(sagas) >= int(page.get("total", 0)) or not page.get("items"):
            break
    return sagas


def per_minute_figures(sagas: list[dict[str, Any]], now: datetime, minutes: int) -> dict[str, Any]:
    """Bookings per second and submit-to-outcome latency, per minute over the last minutes."""
    window_start = now.replace(second=0, microsecond=0) - timedelta(minutes=minutes - 1)
    confirmed: Counter[datetime] = Counter()
    ended: Counter[datetime] = Counter()
    latencies: dict[datetime, list[float]] = {}
    for saga in sagas:
        ended_at, latency = _outcome_of(saga)
        if ended_at is None or ended_at < window_start:
            continue
        minute = ended_at.replace(second=0, microsecond=0)
        ended[minute] += 1
        confirmed[minute] += saga.get("state") == "CONFIRMED"
        latencies.setdefault(minute, []).append(latency)
    buckets = []
    for offset in range(minutes):
        minute = window_start + timedelta(minutes=offset)
        values = latencies.get(minute, [])
        buckets.append(
            {
                "minute": minute.isoformat(),
                "confirmed": confirmed[minute],
                "ended": ended[minute],
                "bookings_per_second": round(confirmed[minute] / 60, 3),
                "latency_p50_ms": _percentile(values, 50),
                "latency_p95_ms": _percentile(values, 95),
            }
        )
    every_latency = [value for values in latencies.values() for value in values]
    return {
        "window_minutes": minutes,
        "minutes": buckets,
        "latency_p50_ms": _percentile(every_latency, 50),
        "latency_p95_ms": _percentile(every_latency, 95),
        "bookings_per_second": round(sum(confirmed.values()) / (minutes * 60), 3),
    }


def _outcome_of(saga: dict[str, Any]) -> tuple[datetime | None, float]:
    """When a booking saga reached its outcome, and how long after it started (ms)."""
    if saga.get("state") not in SETTLED_STATES or saga.get("kind", "booking") != "booking":
        return None, 0.0
    created, updated = _instant(saga.get("created_at")), _instant(saga.get("updated_at"))
    if created is None or updated is None:
        return None, 0.0
    return updated, max((updated - created).total_seconds() * 1000, 0.0)


def _instant(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _percentile(values: list[float], percent: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 1)
    return round(quantiles(values, n=100, method="inclusive")[percent - 1], 1)


@router.get("/dead-letters")
async def dead_letters(request: Request, user: Operator, peek: bool = True) -> dict[str, Any]:
    try:
        queues = await _dead_letters(request).overview(peek)
    except (ConnectionError, OSError) as exc:
        raise _broker_unavailable(exc) from exc
    return {"queues": [queue.as_json() for queue in queues]}


@router.post("/dead-letters/{queue}/requeue", responses=NOT_FOUND)
async def requeue(
    request: Request, user: Operator, queue: QueueName, message_id: MessageId | None = None
) -> dict[str, Any]:
    helper = _dead_letters(request)
    return _moved(queue, await _act(helper.requeue, queue, message_id), "requeued")


@router.post("/dead-letters/{queue}/discard", responses=NOT_FOUND)
async def discard(
    request: Request, user: Operator, queue: QueueName, message_id: MessageId | None = None
) -> dict[str, Any]:
    helper = _dead_letters(request)
    return _moved(queue, await _act(helper.discard, queue, message_id), "discarded")


async def _act(action: Any, queue: str, message_id: str | None) -> PeekedMessage | None:
    try:
        return await action(queue, message_id)  # type: ignore[no-any-return]
    except UnknownDeadLetterQueue as exc:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, detail=f"{queue!r} is not a dead-letter queue."
        ) from exc
    except (ConnectionError, OSError) as exc:
        raise _broker_unavailable(exc) from exc


def _moved(queue: str, message: PeekedMessage | None, outcome: str) -> dict[str, Any]:
    if message is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, detail=f"No such message in {queue!r}; it may be empty."
        )
    return {"queue": queue, "outcome": outcome, "message": message.__dict__}


def _broker_unavailable(exc: Exception) -> HTTPException:
    return HTTPException(
        status.HTTP_503_SERVICE_UNAVAILABLE,
        detail=f"The message broker is unreachable ({type(exc).__name__}); try again.",
    )
