"""A client, its status, and what the status means for a booking."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from contracts.clients import ClientRejected, ClientVerified


class ClientStatus(StrEnum):
    ACTIVE = "active"
    BLOCKED = "blocked"


class DocumentType(StrEnum):
    PASSPORT = "passport"
    NATIONAL_ID = "national_id"
    DRIVING_LICENCE = "driving_licence"
    RESIDENCE_PERMIT = "residence_permit"


@dataclass(frozen=True)
class ClientDetails:
    """What an agent enters, already normalized by `clients.domain.rules`."""

    first_name: str
    last_name: str
    email: str
    phone: str
    nationality: str
    document_type: DocumentType | None = None
    document_number: str | None = None


@dataclass(frozen=True)
class Client:
    id: str
    details: ClientDetails
    status: ClientStatus
    blocked_reason: str | None
    created_at: datetime
    updated_at: datetime
    registered_by_agency: str | None = None


def register(
    client_id: str, details: ClientDetails, now: datetime, agency_id: str | None = None
) -> Client:
    return Client(client_id, details, ClientStatus.ACTIVE, None, now, now, agency_id)


def block(client: Client, reason: str, now: datetime) -> Client:
    return replace(client, status=ClientStatus.BLOCKED, blocked_reason=reason, updated_at=now)


def unblock(client: Client, now: datetime) -> Client:
    return replace(client, status=ClientStatus.ACTIVE, blocked_reason=None, updated_at=now)


def verification_reply(
    client_id: str, status: ClientStatus | None
) -> ClientVerified | ClientRejected:
    """Only an active client may be booked for; `None` means no such client."""
    if status is None:
        return ClientRejected(client_id=client_id, reason="unknown")
    if status is ClientStatus.BLOCKED:
        return ClientRejected(client_id=client_id, reason="blocked")
    return ClientVerified(client_id=client_id)
