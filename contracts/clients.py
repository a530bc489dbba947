"""Messages of the clients service. They carry a client id, never personal data."""

from __future__ import annotations

from typing import Literal

from contracts.base import Command, Reply
from contracts.values import EntityId


class VerifyClient(Command):
    message_type = "clients.VerifyClient.v1"

    client_id: EntityId


class ClientVerified(Reply):
    message_type = "clients.ClientVerified.v1"

    client_id: EntityId


class ClientRejected(Reply):
    message_type = "clients.ClientRejected.v1"

    client_id: EntityId
    reason: Literal["unknown", "blocked"]
