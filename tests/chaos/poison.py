"""Poison messages of every kind, spread over every work queue of a namespace during load.

Each looks as a sender's message would (the envelope in its properties) except for what makes
it poison; the last kind is a well-formed command or reply for a saga that does not exist.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta

import aio_pika

from contracts.base import Message
from contracts.booking import CancelBooking
from contracts.clients import ClientVerified, VerifyClient
from contracts.envelope import Envelope
from contracts.reservations import CancelReservation, ReservationCancelled
from contracts.rooms import ConfirmHold, HoldReleased, HoldRoom, ReleaseHold
from contracts.topology import Service, Topology
from contracts.values import Stay
from infra.messaging.codec import Outgoing
from rooms.adapters.seed_data import HOTELS, ROOM_TYPES
from tests.support.observer import amqp_message

KINDS = (
    "invalid JSON",
    "not UTF-8",
    "10,000-deep nesting",
    "unknown message type",
    "missing AMQP properties",
    "5 MB body",
    "command for no saga",
)
SIGNATURE_HEADER = "x-signature"  # where the services carry their signature, once they sign
BIG_BODY_BYTES = 5 * 1024 * 1024
NESTING = 10_000


def well_formed(queue: str, n: int) -> list[Message]:
    """The messages a queue takes, for the `n`th poison message aimed at it."""
    hotel = HOTELS[n % len(HOTELS)]
    check_in = date.today() + timedelta(days=30 + n % 300)
    by_queue: dict[str, list[Message]] = {
        Service.ROOMS: [
            HoldRoom(
                hotel_id=hotel.id,
                room_type_id=f"{hotel.id}-{ROOM_TYPES[0].suffix}",
                stay=Stay(check_in=check_in, check_out=check_in + timedelta(days=1)),
                guests=1,
            ),
            ConfirmHold(),
            ReleaseHold(reason="chaos: no such saga"),
        ],
        Service.CLIENTS: [VerifyClient(client_id=str(uuid.uuid4()))],
        Service.RESERVATIONS: [
            CancelReservation(booking_saga_id=str(uuid.uuid4()), reason="chaos: no such saga")
        ],
        Service.ORCHESTRATOR: [
            CancelBooking(
                booking_saga_id=str(uuid.uuid4()), requested_by="chaos", reason="no such saga"
            )
        ],
    }
    replies: list[Message] = [
        ClientVerified(client_id=str(uuid.uuid4())),
        HoldReleased(hold_id=None),
        ReservationCancelled(booking_saga_id=str(uuid.uuid4()), reservation_id=None),
    ]
    return by_queue.get(queue, replies)


Sign = Callable[[Envelope, bytes], str]


def signer(service_key: str | None) -> Sign | None:
    """How the platform's services sign a command or reply, where they do: a poison message is
    signed as theirs are, so that what is wrong with it is only what its kind says."""
    if service_key is None:
        return None
    try:
        from infra.messaging.signing import MessageSigner
    except ImportError:  # a platform whose messages are not signed
        return None
    return MessageSigner(service_key).sign


def poison(kind: str, queue: str, n: int, sign: Sign | None = None) -> aio_pika.Message:
    """The `n`th poison message, of `kind`, for the work queue of `queue` (a service or
    `replies`)."""
    candidates = well_formed(queue, n)
    command = candidates[n % len(candidates)]
    envelope = Envelope.new(command.message_type, str(uuid.uuid4()))
    valid = command.model_dump_json().encode()
    bodies = {
        "invalid JSON": valid[: len(valid) // 2] or b"{",
        "not UTF-8": b'{"reason": "\xff\xfe\xfa"}',
        "10,000-deep nesting": b"[" * NESTING + b"]" * NESTING,
        "5 MB body": b'{"padding": "' + b"x" * BIG_BODY_BYTES + b'"}',
    }
    if kind == "missing AMQP properties":
        return aio_pika.Message(valid)
    if kind == "unknown message type":
        envelope = envelope.model_copy(update={"message_type": "chaos.NoSuchMessage.v1"})
    outgoing = Outgoing(envelope, bodies.get(kind, valid))
    message = amqp_message(outgoing)
    # A well-formed command for no saga is what anyone with the broker's login but not the
    # platform's key can send: it goes unsigned. Every other kind is signed as the services
    # sign, so that what is wrong with it is only what its kind says.
    if sign is not None and kind != "command for no saga":
        message.headers[SIGNATURE_HEADER] = sign(outgoing.envelope, outgoing.body)
    return message


def plan(count: int, queues: list[str]) -> list[tuple[str, str]]:
    """(kind, queue) for each message: every kind on every queue as soon as count allows."""
    return [(KINDS[n % len(KINDS)], queues[(n // len(KINDS)) % len(queues)]) for n in range(count)]


async def publish(
    amqp_url: str, topology: Topology, count: int, seconds: float, sign: Sign | None
) -> Counter[str]:
    """Publish `count` poison messages evenly over `seconds`; how many of each kind."""
    queues = {str(service): topology.command_queue(service).name for service in Service}
    queues["replies"] = topology.replies_queue().name
    sent: Counter[str] = Counter()
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        for n, (kind, queue) in enumerate(plan(count, list(queues))):
            await channel.default_exchange.publish(
                poison(kind, queue, n, sign), routing_key=queues[queue], mandatory=True
            )
            sent[kind] += 1
            await asyncio.sleep(seconds / max(1, count))
    return sent
