"""Queries on the clients table for the HTTP API (the message handlers' are in
`message_queries`). Every function runs inside the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from clients.adapters.tables import client_agencies, clients, personal_data_reads
from clients.domain.model import Client, ClientDetails, ClientStatus, DocumentType
from clients.domain.privacy import AgencyLink, LinkReason
from clients.domain.rules import email_key, search_terms, search_text


class DuplicateEmail(Exception):
    """The agency already registered a client with this address (compared without case)."""


@dataclass(frozen=True)
class SearchPage:
    items: list[Client]
    total: int


@dataclass(frozen=True)
class PersonalDataRead:
    id: int
    read_at: datetime
    client_id: str
    reader: str
    reader_role: str
    reader_agency: str
    reason: str


@dataclass(frozen=True)
class ReadsPage:
    items: list[PersonalDataRead]
    total: int


async def add(session: AsyncSession, client: Client) -> None:
    """Store a new client and, when an agency registered them, that agency's link to them."""
    try:
        async with session.begin_nested():
            await session.execute(clients.insert().values(**_row(client)))
    except IntegrityError:
        # The only unique key besides a fresh uuid is (agency, address). The driver's error
        # text holds the address, so it is dropped rather than chained.
        raise DuplicateEmail("the agency already registered a client with this email") from None
    if client.registered_by_agency is not None:
        await session.execute(
            client_agencies.insert().values(
                client_id=client.id,
                agency_id=client.registered_by_agency,
                reason=LinkReason.REGISTERED,
                booking_id=None,
                since=client.created_at,
            )
        )


async def known_client_with_email(session: AsyncSession, agency_id: str, email: str) -> str | None:
    """The id of a client with this address that the agency already knows, if any."""
    found = await session.execute(
        sa.select(clients.c.id)
        .join(client_agencies, client_agencies.c.client_id == clients.c.id)
        .where(clients.c.email_key == email_key(email), client_agencies.c.agency_id == agency_id)
        .order_by(clients.c.created_at)
        .limit(1)
    )
    return found.scalar_one_or_none()


async def links_of(session: AsyncSession, client_id: str) -> list[AgencyLink]:
    rows = await session.execute(
        sa.select(client_agencies).where(client_agencies.c.client_id == client_id)
    )
    return [
        AgencyLink(row.agency_id, LinkReason(row.reason), row.booking_id, row.since) for row in rows
    ]


async def record_read(
    session: AsyncSession,
    client_id: str,
    reader: str,
    reader_role: str,
    reader_agency: str,
    reason: str,
    at: datetime,
) -> None:
    await session.execute(
        personal_data_reads.insert().values(
            read_at=at,
            client_id=client_id,
            reader=reader,
            reader_role=reader_role,
            reader_agency=reader_agency,
            reason=reason,
        )
    )


async def reads(
    session: AsyncSession, client_id: str | None, reader: str | None, limit: int, offset: int
) -> ReadsPage:
    """Reads of full personal data, newest first, of one client or one reader or all."""
    condition = sa.and_(
        sa.true(),
        *([personal_data_reads.c.client_id == client_id] if client_id else []),
        *([personal_data_reads.c.reader == reader] if reader else []),
    )
    total = (
        await session.execute(
            sa.select(sa.func.count()).select_from(personal_data_reads).where(condition)
        )
    ).scalar_one()
    rows = await session.execute(
        sa.select(personal_data_reads)
        .where(condition)
        .order_by(personal_data_reads.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return ReadsPage([PersonalDataRead(**row._mapping) for row in rows], total)


async def save(session: AsyncSession, client: Client) -> None:
    row = _row(client)
    del row["id"], row["created_at"], row["registered_by_agency"]
    await session.execute(clients.update().where(clients.c.id == client.id).values(**row))


async def get(session: AsyncSession, client_id: str) -> Client | None:
    row = (await session.execute(sa.select(clients).where(clients.c.id == client_id))).first()
    return None if row is None else _client(row._mapping)


async def names_of(session: AsyncSession, client_ids: list[str]) -> dict[str, str]:
    """Each known client's name ("First Last"), by id."""
    rows = await session.execute(
        sa.select(clients.c.id, clients.c.first_name, clients.c.last_name).where(
            clients.c.id.in_(client_ids)
        )
    )
    return {row.id: f"{row.first_name} {row.last_name}".strip() for row in rows}


async def existing_email_keys(session: AsyncSession, keys: list[str]) -> set[str]:
    found = await session.execute(
        sa.select(clients.c.email_key).where(clients.c.email_key.in_(keys))
    )
    return set(found.scalars())


async def search(
    session: AsyncSession, query: str, limit: int, offset: int, agency_id: str | None = None
) -> SearchPage:
    """Clients whose name or email holds every word of `query` (any case, any accents).

    For an agency (`agency_id`), an address finds only the clients the agency knows; among
    the others only names are searched, so a search never tells which addresses the group
    holds. Without an agency (head office), names and addresses of every client.
    """
    words = search_terms(query)

    def every_word_in(column: sa.ColumnElement[str]) -> sa.ColumnElement[bool]:
        return sa.and_(sa.true(), *(column.contains(word, autoescape=True) for word in words))

    condition = every_word_in(clients.c.search_text)
    if agency_id is not None:
        known = sa.exists().where(
            client_agencies.c.client_id == clients.c.id, client_agencies.c.agency_id == agency_id
        )
        condition = sa.or_(every_word_in(clients.c.name_text), sa.and_(known, condition))
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
        "name_text": search_text(details.first_name, details.last_name),
        "created_at": client.created_at,
        "updated_at": client.updated_at,
        "registered_by_agency": client.registered_by_agency,
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
        registered_by_agency=row["registered_by_agency"],
    )
