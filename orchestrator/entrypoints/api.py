"""Operators' HTTP API: list sagas, read one with its history, retry or compensate it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime

from orchestrator.adapters.queries import SagaFilter, list_sagas
from orchestrator.adapters.queries import history as saga_history
from orchestrator.adapters.rows import saga_document
from orchestrator.adapters.saga_store import SagaStore
from orchestrator.domain.messages import Incoming, OperatorCompensate, OperatorRetry
from orchestrator.domain.model import SagaState
from orchestrator.service_layer.sagas import SagaService, UnknownSaga

router = APIRouter(prefix="/sagas", tags=["sagas"])
Id = Annotated[str, Query(min_length=1, max_length=64)]


def _store(request: Request) -> SagaStore:
    store: SagaStore = request.app.state.store
    return store


@router.get("")
async def list_all(
    request: Request,
    state: SagaState | None = None,
    hotel_id: Annotated[list[str] | None, Query(max_length=100)] = None,
    client_id: Id | None = None,
    agency_id: Id | None = None,
    agent_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    kind: Annotated[str | None, Query(max_length=32)] = None,
    created_from: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    created_to: Annotated[AwareDatetime | None, Query(alias="to")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    where = SagaFilter(
        state=str(state) if state else None,
        hotel_ids=tuple(hotel_id or ()),
        client_id=client_id,
        agency_id=agency_id,
        agent_id=agent_id,
        created_from=created_from,
        created_to=created_to,
        kind=kind,
    )
    items, total = await list_sagas(_store(request).engine, where, limit, offset)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.get("/{saga_id}")
async def one(request: Request, saga_id: str, history: bool = True) -> dict[str, Any]:
    """One saga; `history=false` leaves out its history, which only operators read."""
    store = _store(request)
    saga = await store.get(saga_id)
    if saga is None:
        raise HTTPException(404, f"no saga {saga_id!r}")
    document = saga_document(saga)
    return document | ({"history": await saga_history(store.engine, saga_id)} if history else {})


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
        raise HTTPException(404, f"no saga {saga_id!r}")
    try:
        after = await sagas.apply(saga_id, action, None)
    except UnknownSaga as exc:
        raise HTTPException(404, str(exc)) from exc
    body = {"saga_id": saga_id, "state": str(after.state)}
    if after.revision == before.revision:
        entries = await saga_history(store.engine, saga_id)
        notes = [h["note"] for h in entries if h["direction"] == "operator"]
        return JSONResponse({**body, "detail": notes[-1] if notes else "nothing to do"}, 409)
    return JSONResponse(body, 202)
