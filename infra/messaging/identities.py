"""Who published a message, as the broker vouches: the rule each consumer applies.

Under broker identities (`BROKER_IDENTITIES`) every process connects as its own RabbitMQ user
(`Topology.broker_user`) and sets the AMQP `user-id` property of what it publishes to that
user; RabbitMQ refuses a publish whose `user-id` is not the connection's user, so the property
is the broker's word for who sent it. A consumer declares whom it takes messages from
(`Sender`), and `sender_problem` says why a message does not come from there.

Under one shared login every process is the same user and the property proves nothing: the
`x-signature` HMAC (`infra.messaging.signing`) is then the only proof, and it is checked
either way.

Pure: no I/O.
"""

from __future__ import annotations

from enum import StrEnum

from contracts.base import Message
from contracts.booking import CommandSuperseded
from contracts.topology import WEB, Principal, Service, Topology


class Sender(StrEnum):
    """Whom a consumer takes messages from."""

    # Commands to the participants, progress and public events on `booking.events`.
    ORCHESTRATOR = "orchestrator"
    # Requests to the orchestrator: start, change and cancel from the agents' app and the
    # dashboard; one saga's command to another (`orchestrator.*`) from the orchestrator.
    REQUESTER = "requester"
    # Replies to the orchestrator: the participant whose reply it is (rooms.* from rooms).
    OWNER = "owner"


class NoOwner(ValueError):
    """A message no service owns (its type names none)."""


def owner_of(message: Message) -> Service:
    """The service a message type belongs to: `rooms.RoomHeld.v1` is rooms'. A superseded
    command's answer belongs to the service of the command it answers."""
    message_type = message.message_type
    if isinstance(message, CommandSuperseded):
        message_type = message.command_type
    prefix = message_type.split(".", 1)[0]
    try:
        return Service(prefix)
    except ValueError:
        raise NoOwner(f"{message.message_type} belongs to no service") from None


def expected_principal(sender: Sender, message: Message) -> Principal:
    if sender is Sender.ORCHESTRATOR:
        return Service.ORCHESTRATOR
    if sender is Sender.REQUESTER:
        internal = message.message_type.startswith(f"{Service.ORCHESTRATOR}.")
        return Service.ORCHESTRATOR if internal else WEB
    return owner_of(message)


def sender_problem(
    topology: Topology, sender: Sender, message: Message, user_id: str | None
) -> str | None:
    """None when the broker vouches that the expected sender published `message` (its
    `user-id` is that sender's broker user); else the reason, for the dead letter."""
    try:
        principal = expected_principal(sender, message)
    except NoOwner as exc:
        return f"{exc} (user-id)"
    expected = topology.broker_user(principal)
    if user_id == expected:
        return None
    if not user_id:
        return f"published without a user-id, not by the {principal} (user-id)"
    return f"published by user {user_id[:100]!r}, not by the {principal} (user-id)"
