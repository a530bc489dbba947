"""What the clients service takes from the broker: the orchestrator's commands, and the
confirmed bookings that let an agency read its client's details."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog

from clients.adapters import message_queries
from clients.domain.model import verification_reply
from contracts.clients import ClientRejected, ClientVerified, VerifyClient
from contracts.envelope import Envelope
from contracts.events import BookingConfirmed
from infra.stores.driver_sql import DriverSql, DriverTransaction

log = structlog.get_logger(__name__)


async def handle_verify_client(
    command: VerifyClient, envelope: Envelope, statements: DriverTransaction
) -> ClientVerified | ClientRejected:
    """A read with no effect, so a redelivery or a retry is harmless by nature."""
    status = await message_queries.status_of(statements, command.client_id)
    reply = verification_reply(command.client_id, status)
    log.debug("client verification", client_id=command.client_id, outcome=reply.message_type)
    return reply


async def record_confirmed_booking(event: BookingConfirmed, sql: DriverSql) -> str:
    """The agency now holds a booking for the client, so it may read their details. Applying
    the same event twice changes nothing (the agency's first link stays)."""
    async with sql.transaction() as statements:
        linked = await message_queries.link_booking(
            statements, event.client_id, event.agency_id, event.booking_id, datetime.now(UTC)
        )
    if not linked:
        log.warning("confirmed booking for an unknown client", client_id=event.client_id)
    return "linked" if linked else "unknown_client"
