"""Operators' HTTP API: list sagas, read one with its history, retry or compensate it."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime

from infra.problems import Refusal
from infra.tracing import resumed_span
from orchestrator.adapters.queries import SagaFilter, list_sagas
from orchestrator.adapters.queries import history as saga_history
from orchestrator.adapters.rows import saga_document
from orchestrator.adapters.saga_store import SagaStore
from orchestrator.adapters.traces import first_trace_id, latest_traceparent
from orchestrator.domain.messages import Incoming, OperatorCompensate, OperatorRetry
from orchestrator.domain.model import SagaState
from orchestrator.service_layer.sagas import SagaService, UnknownSaga

router = APIRouter(prefix="/sagas", tags=["sagas"])
Id = Annotated[str, Query(min_length=1, max_length=64)]
# A bookings search by client name sends the ids of the clients found, at most this many.
MAX_CLIENT_IDS = 200


def _store(request: Request) -> SagaStore:
    store: SagaStore = request.app.state.store
    return store


@router.get("")
async def list_all(
    request: Request,
    state: SagaState | None = None,
    hotel_id: Annotated[list[str] | None, Query(max_length=100)] = None,
    client_id: Annotated[list[str] | None, Query(max_length=MAX_CLIENT_IDS)] = None,
    agency_id: Id | None = None,
    agent_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    kind: Annotated[str | None, Query(max_length=32)] = None,
    created_from: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    created_to: Annotated[AwareDatetime | None, Query(alias="to")] = None,
    confirmation_code: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9]{1,32}$")] = None,
    stay_from: date | None = None,
    stay_to: date | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Sagas, newest first. `client_id` and `hotel_id` may repeat (any of them);
    `confirmation_code` is matched whatever its case; `stay_from`/`stay_to` keep the stays
    that overlap [stay_from, stay_to)."""
    where = SagaFilter(
        state=str(state) if state else None,
        hotel_ids=tuple(hotel_id or ()),
        client_ids=tuple(client_id or ()),
        agency_id=agency_id,
        agent_id=agent_id,
        created_from=created_from,
        created_to=created_to,
        kind=kind,
        confirmation_code=confirmation_code.upper() if confirmation_code else None,
        stay_from=stay_from,
        stay_to=stay_to,
    )
    items, total = await list_sagas(_store(request).engine, where, limit, offset)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.get("/{saga_id}")
async def one(request: Request, saga_id: str, history: bool = True) -> dict[str, Any]:
    """One saga; `history=false` leaves out its history, which only operators read."""
    store = _store(request)
    saga = await store.get(saga_id)
    if saga is None:
        raise no_such_saga(saga_id)
    document = saga_document(saga)
    if not history:
        return document
    # The trace it started in (when it was traced): the operators' page links to it.
    trace_id = await first_trace_id(store.engine, saga_id)
    return document | {"history": await saga_history(store.engine, saga_id), "trace_id": trace_id}


@router.post("/{saga_id}/retry")
async def retry(request: Request, saga_id: str) -> JSONResponse:
    return await _act(request, saga_id, OperatorRetry("operator"))


@router.post("/{saga_id}/compensate")
async def compensate(request: Request, saga_id: str) -> JSONResponse:
    return await _act(request, saga_id, OperatorCompensate("operator"))


async def _act(request: Request, saga_id: str, action: Incoming) -> JSONResponse:
    store, sagas = _store(request), request.app.state.sagas
    assert isinstance(sagas, SagaService)
    before = await store.get(saga_id)
    if before is None:
        raise no_such_saga(saga_id)
    try:
        # In the saga's own trace, linked to the operator's request.
        traceparent = await latest_traceparent(store.engine, saga_id)
        with resumed_span("operator action", traceparent, saga_id, link_current=True):
            after = await sagas.apply(saga_id, action, None)
    except UnknownSaga as exc:
        raise Refusal(404, "saga.not_found", str(exc), {"saga_id": saga_id}) from exc
    body = {"saga_id": saga_id, "state": str(after.state)}
    if after.revision == before.revision:
        entries = await saga_history(store.engine, saga_id)
        notes = [h["note"] for h in entries if h["direction"] == "operator"]
        raise nothing_done(notes[-1] if notes else "nothing to do", str(after.state), body)
    return JSONResponse(body, 202)


def no_such_saga(saga_id: str) -> Refusal:
    return Refusal(404, "saga.not_found", f"no saga {saga_id!r}", {"saga_id": saga_id})


def nothing_done(note: str, state: str, body: dict[str, Any]) -> Refusal:
    """Why an operator's retry or compensation did nothing, from the engine's note, coded."""
    params = {"state": state}
    if note.startswith("nothing to retry"):
        return Refusal(409, "saga.nothing_to_retry", note, params, extra=body)
    if note.startswith("no step is waiting"):
        return Refusal(409, "saga.no_step_waiting", note, params, extra=body)
    if note.endswith("cannot be compensated"):
        return Refusal(409, "saga.cannot_compensate", note, params, extra=body)
    if note.startswith("past its point of no return"):
        return Refusal(409, "saga.past_no_return", note, params, extra=body)
    return Refusal(409, "saga.nothing_done", note, params, extra=body)
