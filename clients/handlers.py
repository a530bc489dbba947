"""Commands the clients service answers over the broker."""

from __future__ import annotations

import structlog
from sqlalchemy.ext.asyncio import AsyncConnection

from clients.adapters import repository
from clients.domain.model import verification_reply
from contracts.clients import ClientRejected, ClientVerified, VerifyClient
from contracts.envelope import Envelope

log = structlog.get_logger(__name__)


async def handle_verify_client(
    command: VerifyClient, envelope: Envelope, connection: AsyncConnection
) -> ClientVerified | ClientRejected:
    """A read with no effect, so a redelivery or a retry is harmless by nature."""
    status = await repository.status_of(connection, command.client_id)
    reply = verification_reply(command.client_id, status)
    log.debug("client verification", client_id=command.client_id, outcome=reply.message_type)
    return reply
