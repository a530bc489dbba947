"""The operators' dashboard API (`/api/ops`): health, sagas, live figures, dead letters, and
clients: blocking them and the record of who read whose personal data.

Reads go to the services over HTTP and stay thin proxies, so the orchestrator's own API stays
the one place that knows what a saga is. Dead letters are taken off their queues once and kept
in the accounts store, where operators page through them without touching the broker
(`web.dead_letters`); requeue publishes the kept copy back.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from statistics import quantiles
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field

from contracts.sagas import SagaState
from infra.problems import Refusal
from web.auth import Operator
from web.bookings import reason_fields
from web.catalogue import catalogue, room_type_name
from web.dead_letters import DeadLetters, UnknownDeadLetterQueue
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
# The booking saga's last forward step: it succeeds at the moment the booking is confirmed.
CONFIRMING_STEP = "confirm_hold"


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
    page = (await call(_upstreams(request).orchestrator, "GET", "/sagas", params=params)).json()
    await _described(request, page.get("items") or [])
    return page


@router.get("/sagas/{saga_id}", responses=NOT_FOUND)
async def read_saga(request: Request, user: Operator, saga_id: PathId) -> Any:
    saga = (await call(_upstreams(request).orchestrator, "GET", url_path("sagas", saga_id))).json()
    await _described(request, [saga])
    return saga | {"trace_url": trace_url(request.app.state.settings, saga.get("trace_id"))}


def trace_url(settings: WebSettings, trace_id: str | None) -> str | None:
    """The saga's trace in the tracing UI (TRACING_UI_URL), when both are known."""
    if not settings.tracing_ui_url or not trace_id:
        return None
    return settings.tracing_ui_url.replace("{trace_id}", trace_id)


async def _described(request: Request, sagas: list[dict[str, Any]]) -> None:
    """Each saga with its hotel's and room type's names, from the rooms catalogue where the
    saga has none (it failed before its room was held), and its failure reason's code and
    values, for the dashboard to say it in the reader's language."""
    unnamed = [s for s in sagas if not (s.get("data") or {}).get("room_type_name")]
    ids = {str(s["data"].get("hotel_id")) for s in unnamed if s.get("data", {}).get("hotel_id")}
    hotels = await (await catalogue(request)).hotels(ids) if ids else {}
    for saga in sagas:
        data = saga.get("data") or {}
        hotel = hotels.get(str(data.get("hotel_id")))
        if hotel is not None:
            data["hotel_name"] = data.get("hotel_name") or hotel.get("name")
            data["room_type_name"] = data.get("room_type_name") or room_type_name(
                hotel, data.get("room_type_id")
            )
        saga.update(reason_fields(saga.get("failure_reason")))


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
        outcome = outcome_of(saga)
        if outcome is None or outcome.at < window_start:
            continue
        minute = outcome.at.replace(second=0, microsecond=0)
        ended[minute] += 1
        confirmed[minute] += outcome.confirmed
        latencies.setdefault(minute, []).append(outcome.latency_ms)
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


@dataclass(frozen=True)
class Outcome:
    at: datetime  # when the booking was first confirmed or failed
    confirmed: bool
    latency_ms: float  # from its submission


def outcome_of(saga: dict[str, Any]) -> Outcome | None:
    """A booking's first outcome: confirmed (whatever happened to it since: a cancellation or
    a change moves `updated_at`, never this) or failed; None while it has none."""
    if saga.get("kind", "booking") != "booking":
        return None
    created = _instant(saga.get("created_at"))
    confirmed_at = _step_decided(saga, CONFIRMING_STEP)
    if confirmed_at is None and saga.get("state") == SagaState.CONFIRMED:
        confirmed_at = _instant(saga.get("updated_at"))  # a summary without its steps
    failed_at = _instant(saga.get("updated_at")) if saga.get("state") == SagaState.FAILED else None
    at = confirmed_at or failed_at
    if created is None or at is None:
        return None
    return Outcome(at, confirmed_at is not None, max((at - created).total_seconds() * 1000, 0.0))


def _step_decided(saga: dict[str, Any], name: str) -> datetime | None:
    """When the step `name` succeeded, if it did."""
    steps = saga.get("steps") or []
    for step in steps if isinstance(steps, list) else []:
        if isinstance(step, dict) and step.get("name") == name:
            return _instant(step.get("decided_at")) if step.get("status") == "succeeded" else None
    return None


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
    """Every dead-letter queue: how many dead letters wait in it, and the oldest (`peek`).
    Reading moves what the queues hold into the store first; it never puts one back."""
    try:
        queues = await _dead_letters(request).overview(peek)
    except (ConnectionError, OSError) as exc:
        raise _broker_unavailable(exc) from exc
    return {"queues": [queue.as_json() for queue in queues]}


@router.get("/dead-letters/{queue}", responses=NOT_FOUND)
async def dead_letter_page(
    request: Request,
    user: Operator,
    queue: QueueName,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    """Every dead letter of one queue, oldest first, a page at a time."""
    page = await _act(_dead_letters(request).page, queue, limit, offset)
    return page.as_json()  # type: ignore[no-any-return]


@router.post("/dead-letters/{queue}/requeue", responses=NOT_FOUND)
async def requeue(
    request: Request,
    user: Operator,
    queue: QueueName,
    message_id: MessageId | None = None,
    letter_id: Annotated[int | None, Query(alias="id", ge=1)] = None,
) -> dict[str, Any]:
    """Send one dead letter (by `id` in the list, or `message_id`; else the oldest) back to
    the queue it came from."""
    helper = _dead_letters(request)
    moved = await _act(helper.requeue, queue, message_id, letter_id, user.username)
    return _moved(queue, moved, "requeued")


@router.post("/dead-letters/{queue}/discard", responses=NOT_FOUND)
async def discard(
    request: Request,
    user: Operator,
    queue: QueueName,
    message_id: MessageId | None = None,
    letter_id: Annotated[int | None, Query(alias="id", ge=1)] = None,
) -> dict[str, Any]:
    helper = _dead_letters(request)
    moved = await _act(helper.discard, queue, message_id, letter_id, user.username)
    return _moved(queue, moved, "discarded")


async def _act(action: Any, queue: str, *arguments: Any) -> Any:
    try:
        return await action(queue, *arguments)
    except UnknownDeadLetterQueue as exc:
        raise Refusal(
            status.HTTP_404_NOT_FOUND,
            "dead_letters.unknown_queue",
            f"{queue!r} is not a dead-letter queue.",
            {"queue": queue},
        ) from exc
    except (ConnectionError, OSError) as exc:
        raise _broker_unavailable(exc) from exc


def _moved(queue: str, message: dict[str, Any] | None, outcome: str) -> dict[str, Any]:
    if message is None:
        raise Refusal(
            status.HTTP_404_NOT_FOUND,
            "dead_letters.no_message",
            f"No such message in {queue!r}; it may be empty.",
            {"queue": queue},
        )
    return {"queue": queue, "outcome": outcome, "message": message}


def _broker_unavailable(exc: Exception) -> Refusal:
    return Refusal(
        status.HTTP_503_SERVICE_UNAVAILABLE,
        "broker.unreachable",
        f"The message broker is unreachable ({type(exc).__name__}); try again.",
    )
