"""Queries on the clients table. Every function runs inside the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from clients.adapters.tables import clients
from clients.domain.model import Client, ClientDetails, ClientStatus, DocumentType
from clients.domain.rules import email_key, search_terms, search_text


class DuplicateEmail(Exception):
    """Another client already has this address (compared without case)."""


@dataclass(frozen=True)
class SearchPage:
    items: list[Client]
    total: int


async def add(session: AsyncSession, client: Client) -> None:
    try:
        await session.execute(clients.insert().values(**_row(client)))
    except IntegrityError:
        # The only unique key besides a fresh uuid is the address. The driver's error text
        # holds the address, so it is dropped rather than chained.
        raise DuplicateEmail("a client with this email already exists") from None


async def save(session: AsyncSession, client: Client) -> None:
    row = _row(client)
    del row["id"], row["created_at"]
    await session.execute(clients.update().where(clients.c.id == client.id).values(**row))


async def get(session: AsyncSession, client_id: str) -> Client | None:
    row = (await session.execute(sa.select(clients).where(clients.c.id == client_id))).first()
    return None if row is None else _client(row._mapping)


async def status_of(session: AsyncSession | AsyncConnection, client_id: str) -> ClientStatus | None:
    status = (
        await session.execute(sa.select(clients.c.status).where(clients.c.id == client_id))
    ).scalar_one_or_none()
    return None if status is None else ClientStatus(status)


async def existing_email_keys(session: AsyncSession, keys: list[str]) -> set[str]:
    found = await session.execute(
        sa.select(clients.c.email_key).where(clients.c.email_key.in_(keys))
    )
    return set(found.scalars())


async def search(session: AsyncSession, query: str, limit: int, offset: int) -> SearchPage:
    """Clients whose name or email holds every word of `query` (any case, any accents)."""
    words = search_terms(query)
    condition = sa.and_(
        sa.true(), *(clients.c.search_text.contains(word, autoescape=True) for word in words)
    )
    total = (
        await session.execute(sa.select(sa.func.count()).select_from(clients).where(condition))
    ).scalar_one()
    rows = await session.execute(
        sa.select(clients)
        .where(condition)
        .order_by(clients.c.last_name, clients.c.first_name, clients.c.id)
        .limit(limit)
        .offset(offset)
    )
    return SearchPage([_client(row._mapping) for row in rows], total)


def _row(client: Client) -> dict[str, Any]:
    details = client.details
    return {
        "id": client.id,
        "first_name": details.first_name,
        "last_name": details.last_name,
        "email": details.email,
        "email_key": email_key(details.email),
        "phone": details.phone,
        "nationality": details.nationality,
        "document_type": details.document_type,
        "document_number": details.document_number,
        "status": client.status,
        "blocked_reason": client.blocked_reason,
        "search_text": search_text(details.first_name, details.last_name, details.email),
        "created_at": client.created_at,
        "updated_at": client.updated_at,
    }


def _client(row: sa.RowMapping) -> Client:
    document_type = row["document_type"]
    details = ClientDetails(
        first_name=row["first_name"],
        last_name=row["last_name"],
        email=row["email"],
        phone=row["phone"],
        nationality=row["nationality"],
        document_type=None if document_type is None else DocumentType(document_type),
        document_number=row["document_number"],
    )
    return Client(
        id=row["id"],
        details=details,
        status=ClientStatus(row["status"]),
        blocked_reason=row["blocked_reason"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
