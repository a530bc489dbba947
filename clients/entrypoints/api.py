"""HTTP routes: agents create, read and search clients; operators block and unblock them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

import structlog
from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from sqlalchemy.ext.asyncio import AsyncSession

from clients.adapters import repository
from clients.domain import model
from clients.entrypoints.schemas import BlockIn, ClientOut, ClientPage, NewClientIn

log = structlog.get_logger(__name__)

MAX_PAGE = 100


async def _transaction(request: Request) -> AsyncIterator[AsyncSession]:
    """A session in a transaction on the store the lifespan opened (`app.state.sessions`)."""
    async with request.app.state.sessions() as session, session.begin():
        yield session


Tx = Annotated[AsyncSession, Depends(_transaction)]


def clients_router() -> APIRouter:
    router = APIRouter(prefix="/clients", tags=["clients"])

    @router.post("", status_code=status.HTTP_201_CREATED)
    async def create_client(body: NewClientIn, session: Tx) -> ClientOut:
        client = model.register(str(uuid.uuid4()), body.details(), datetime.now(UTC))
        try:
            await repository.add(session, client)
        except repository.DuplicateEmail as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
        log.info("client created", client_id=client.id)
        return ClientOut.of(client)

    @router.get("")
    async def search_clients(
        session: Tx,
        q: Annotated[str, Query(max_length=200, description="words of a name or email")] = "",
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    ) -> ClientPage:
        page = await repository.search(session, q, limit, offset)
        items = [ClientOut.of(client) for client in page.items]
        return ClientPage(items=items, total=page.total, limit=limit, offset=offset)

    @router.get("/{client_id}")
    async def read_client(client_id: UUID, session: Tx) -> ClientOut:
        return ClientOut.of(await _existing(session, client_id))

    @router.post("/{client_id}/block")
    async def block_client(client_id: UUID, body: BlockIn, session: Tx) -> ClientOut:
        client = model.block(await _existing(session, client_id), body.reason, datetime.now(UTC))
        await repository.save(session, client)
        log.info("client blocked", client_id=client.id)
        return ClientOut.of(client)

    @router.post("/{client_id}/unblock")
    async def unblock_client(client_id: UUID, session: Tx) -> ClientOut:
        client = model.unblock(await _existing(session, client_id), datetime.now(UTC))
        await repository.save(session, client)
        log.info("client unblocked", client_id=client.id)
        return ClientOut.of(client)

    return router


async def _existing(session: AsyncSession, client_id: UUID) -> model.Client:
    client = await repository.get(session, str(client_id))
    if client is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no client with this id")
    return client
