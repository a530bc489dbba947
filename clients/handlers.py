"""What the clients service takes from the broker: the orchestrator's commands, and the
confirmed bookings that let an agency read its client's details."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from clients.adapters import repository
from clients.domain.model import verification_reply
from contracts.clients import ClientRejected, ClientVerified, VerifyClient
from contracts.envelope import Envelope
from contracts.events import BookingConfirmed

log = structlog.get_logger(__name__)


async def handle_verify_client(
    command: VerifyClient, envelope: Envelope, connection: AsyncConnection
) -> ClientVerified | ClientRejected:
    """A read with no effect, so a redelivery or a retry is harmless by nature."""
    status = await repository.status_of(connection, command.client_id)
    reply = verification_reply(command.client_id, status)
    log.debug("client verification", client_id=command.client_id, outcome=reply.message_type)
    return reply


async def record_confirmed_booking(
    event: BookingConfirmed, sessions: async_sessionmaker[AsyncSession]
) -> str:
    """The agency now holds a booking for the client, so it may read their details. Applying
    the same event twice changes nothing (the agency's first link stays)."""
    async with sessions() as session, session.begin():
        linked = await repository.link_booking(
            session, event.client_id, event.agency_id, event.booking_id, datetime.now(UTC)
        )
    if not linked:
        log.warning("confirmed booking for an unknown client", client_id=event.client_id)
    return "linked" if linked else "unknown_client"
