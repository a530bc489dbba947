"""HTTP routes: agents register, read and search clients; operators block and unblock them and
read the record of who read which client's personal data.

Every route but the probes acts for a person that web names (`infra.actor`). What that person
sees of a client is decided in `clients.domain.privacy`; each read of full details is recorded
in the same transaction as the read, so there is no read without its record.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import structlog
from fastapi import APIRouter, Depends, Header, Query, Request, status
from sqlalchemy.ext.asyncio import AsyncSession

from clients.adapters import repository
from clients.domain import model
from clients.domain.privacy import OPERATOR_ROLE, Access, read_reason
from clients.entrypoints.schemas import (
    BlockIn,
    ClientOut,
    ClientPage,
    KnownClient,
    NewClientIn,
    PersonalDataReadOut,
    PersonalDataReadPage,
)
from infra.actor import Actor, MissingActor
from infra.problems import Refusal

log = structlog.get_logger(__name__)

MAX_PAGE = 100


async def _transaction(request: Request) -> AsyncIterator[AsyncSession]:
    """A session in a transaction on the store the lifespan opened (`app.state.sessions`)."""
    async with request.app.state.sessions() as session, session.begin():
        yield session


async def _actor(
    x_actor_user: Annotated[str | None, Header()] = None,
    x_actor_role: Annotated[str | None, Header()] = None,
    x_actor_agency: Annotated[str | None, Header()] = None,
) -> Actor:
    try:
        return Actor.from_headers(x_actor_user, x_actor_role, x_actor_agency)
    except MissingActor as exc:
        raise Refusal(status.HTTP_400_BAD_REQUEST, "request.no_actor", str(exc)) from None


async def _operator(actor: Annotated[Actor, Depends(_actor)]) -> Actor:
    if actor.role != OPERATOR_ROLE:
        raise Refusal(status.HTTP_403_FORBIDDEN, "auth.operators_only", "operators only")
    return actor


Tx = Annotated[AsyncSession, Depends(_transaction)]
ActingPerson = Annotated[Actor, Depends(_actor)]
ActingOperator = Annotated[Actor, Depends(_operator)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


def clients_router() -> APIRouter:
    router = APIRouter(prefix="/clients", tags=["clients"])

    @router.post(
        "",
        status_code=status.HTTP_201_CREATED,
        response_model=ClientOut,
        responses={status.HTTP_409_CONFLICT: {"model": KnownClient}},
    )
    async def create_client(body: NewClientIn, session: Tx, actor: ActingPerson) -> Any:
        # Only an address the agency already knows is answered 409 (with that client's id);
        # an address another agency registered is this agency's new client, so the answer
        # never tells whether the group holds an address.
        known = await repository.known_client_with_email(session, actor.agency, body.email)
        if known is not None:
            raise _known_client(known)
        client = model.register(str(uuid.uuid4()), body.details(), datetime.now(UTC), actor.agency)
        try:
            await repository.add(session, client)
        except repository.DuplicateEmail:
            # Registered by this agency a moment ago (or its link is gone): still its own client.
            raise Refusal(
                status.HTTP_409_CONFLICT,
                "client.email_taken",
                "the agency already registered a client with this email",
            ) from None
        log.info("client created", client_id=client.id, agency_id=actor.agency)
        return ClientOut.of(client, Access.FULL)

    @router.get("")
    async def search_clients(
        session: Tx,
        actor: ActingPerson,
        q: Annotated[str, Query(max_length=200, description="words of a name or email")] = "",
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> ClientPage:
        """Clients matching `q`, their contact data masked (open one to read it in full)."""
        operator = actor.role == OPERATOR_ROLE
        page = await repository.search(
            session, q, limit, offset, None if operator else actor.agency
        )
        items = [ClientOut.of(client, Access.MASKED, operator) for client in page.items]
        return ClientPage(items=items, total=page.total, limit=limit, offset=offset)

    @router.get("/names")
    async def client_names(
        session: Tx,
        _actor: ActingPerson,
        client_id: Annotated[list[UUID], Query(alias="id", max_length=MAX_PAGE)],
    ) -> dict[str, str]:
        """The names of these clients, by id, for a list of bookings. A name is in every
        masked view, which anyone signed in may read unrecorded; so are these, in one call.
        An id of no client is left out."""
        return await repository.names_of(session, [str(c) for c in client_id])

    @router.get("/reads", tags=["personal data"])
    async def personal_data_reads(
        session: Tx,
        actor: ActingOperator,
        reader: Annotated[str | None, Query(max_length=128)] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> PersonalDataReadPage:
        """Every read of a client's full personal data, newest first (operators)."""
        return await _reads_page(session, None, reader, limit, offset)

    @router.get("/{client_id}")
    async def read_client(client_id: UUID, session: Tx, actor: ActingPerson) -> ClientOut:
        """The client in full where the person has a reason to read them (the read is then
        recorded), else masked."""
        client = await _existing(session, client_id)
        reason = read_reason(
            actor.role, actor.agency, await repository.links_of(session, client.id)
        )
        if reason is None:
            return ClientOut.of(client, Access.MASKED, actor.role == OPERATOR_ROLE)
        await repository.record_read(
            session, client.id, actor.user, actor.role, actor.agency, reason, datetime.now(UTC)
        )
        log.info("personal data read", client_id=client.id, reader=actor.user, reason=reason)
        return ClientOut.of(client, Access.FULL)

    @router.get("/{client_id}/reads", tags=["personal data"])
    async def client_reads(
        client_id: UUID,
        session: Tx,
        actor: ActingOperator,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> PersonalDataReadPage:
        """Who read this client's full personal data, when and why, newest first (operators)."""
        await _existing(session, client_id)
        return await _reads_page(session, str(client_id), None, limit, offset)

    @router.post("/{client_id}/block")
    async def block_client(
        client_id: UUID, body: BlockIn, session: Tx, actor: ActingOperator
    ) -> ClientOut:
        client = model.block(await _existing(session, client_id), body.reason, datetime.now(UTC))
        await repository.save(session, client)
        log.info("client blocked", client_id=client.id, operator=actor.user)
        return ClientOut.of(client, Access.MASKED, block_reason_shown=True)

    @router.post("/{client_id}/unblock")
    async def unblock_client(client_id: UUID, session: Tx, actor: ActingOperator) -> ClientOut:
        client = model.unblock(await _existing(session, client_id), datetime.now(UTC))
        await repository.save(session, client)
        log.info("client unblocked", client_id=client.id, operator=actor.user)
        return ClientOut.of(client, Access.MASKED, block_reason_shown=True)

    return router


def _known_client(client_id: str) -> Refusal:
    """The agency's own client with this address: their id, to book for them (`client.known`);
    never a word of their personal data."""
    return Refusal(
        status.HTTP_409_CONFLICT,
        "client.known",
        "the agency already knows a client with this email",
        extra={"client_id": client_id},
    )


async def _reads_page(
    session: AsyncSession, client_id: str | None, reader: str | None, limit: int, offset: int
) -> PersonalDataReadPage:
    page = await repository.reads(session, client_id, reader, limit, offset)
    items = [PersonalDataReadOut.model_validate(read, from_attributes=True) for read in page.items]
    return PersonalDataReadPage(items=items, total=page.total, limit=limit, offset=offset)


async def _existing(session: AsyncSession, client_id: UUID) -> model.Client:
    client = await repository.get(session, str(client_id))
    if client is None:
        raise Refusal(status.HTTP_404_NOT_FOUND, "client.not_found", "no client with this id")
    return client
