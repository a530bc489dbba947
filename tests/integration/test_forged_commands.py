"""Only what the platform's own services sent is applied (issue 13: anyone with the broker's guest
login could hold two room-nights for 15 minutes with a HoldRoom for a made-up saga).

Commands and replies carry an HMAC under the run's service key (`x-signature`); a message
without one, signed with another key, or whose signature was made for another saga is
dead-lettered with the reason, and applies nothing.
"""

from __future__ import annotations

import asyncio

import aio_pika
import pytest
import sqlalchemy as sa
from aio_pika.abc import AbstractRobustConnection

from contracts.base import Message
from contracts.clients import ClientVerified, VerifyClient
from contracts.envelope import (
    DEAD_LETTER_REASON_HEADER,
    SAGA_ID_HEADER,
    SIGNATURE_HEADER,
    Envelope,
    new_id,
)
from contracts.reservations import WriteReservation
from contracts.rooms import HoldRoom, RoomHeld, RoomUnavailable
from contracts.topology import REPLIES_ROUTING_KEY, Service, Topology
from infra.messaging.codec import Outgoing, decode
from infra.messaging.consumer import NOT_SIGNED
from orchestrator.settings import OrchestratorSettings
from rooms.adapters.tables import holds
from tests.integration.test_orchestrator_saga import (
    Participants,
    publish,
    room_held,
    running,
    saga_when,
    start_booking,
)
from tests.integration.test_rooms_holds import START, hold_room, rooms_service
from tests.support.observer import amqp_message, drain_queue, publish_message, signed_message
from tests.support.signing import forger_signer, service_signer

pytestmark = pytest.mark.integration


def unsigned(outgoing: Outgoing) -> aio_pika.Message:
    return amqp_message(outgoing)


def signed_with_another_key(outgoing: Outgoing) -> aio_pika.Message:
    return amqp_message(outgoing, forger_signer())


def signature_moved_to_another_saga(outgoing: Outgoing) -> aio_pika.Message:
    """A genuine signature, copied onto the same message for a saga of the forger's choosing."""
    message = signed_message(outgoing)
    moved = new_id()
    message.correlation_id = moved
    message.headers[SAGA_ID_HEADER] = moved
    return message


FORGERIES = (unsigned, signed_with_another_key, signature_moved_to_another_saga)


def outgoing(message: Message, saga_id: str, causation_id: str | None = None) -> Outgoing:
    return Outgoing.of(message, Envelope.new(message.message_type, saga_id, causation_id))


async def test_a_hold_for_a_made_up_saga_not_signed_by_the_orchestrator_takes_no_room(
    amqp_url: str, topology: Topology, sql_database_url: str
) -> None:
    async with rooms_service(amqp_url, topology, sql_database_url, room_count=1) as svc:
        forged = [forge(outgoing(hold_room(START, 2), new_id())) for forge in FORGERIES]
        for message in forged:
            await publish_message(
                svc.connection, topology.commands.name, str(Service.ROOMS), message
            )
        # The service keeps answering what the orchestrator did sign, for the same nights.
        genuine_saga = new_id()
        held = await svc.ask(hold_room(START, 2), genuine_saga)
        dlq = topology.dead_letter_queue(topology.command_queue(Service.ROOMS))
        dead = await drain_queue(svc.connection, dlq.name, len(forged), timeout=30)
        await asyncio.sleep(0.5)  # time for any reply a forged command might wrongly get
        nights = await svc.nights()
        async with svc.engine.connect() as connection:
            hold_sagas = (await connection.execute(sa.select(holds.c.saga_id))).scalars().all()
        answered = {m.correlation_id for m in svc.replies.messages}

    assert isinstance(held, RoomHeld)
    assert sorted(str(m.message_id) for m in dead) == sorted(str(m.message_id) for m in forged)
    for dead_letter in dead:
        assert NOT_SIGNED in str(dead_letter.headers[DEAD_LETTER_REASON_HEADER])
    assert len(nights) == 2, "only the signed hold took room-nights"
    assert hold_sagas == [genuine_saga], "no hold for a forged saga"
    assert not {m.correlation_id for m in forged} & answered, "a forged command gets no reply"


async def test_a_forged_request_or_reply_moves_no_saga(
    amqp_url: str,
    topology: Topology,
    sql_database_url: str,
    broker_connection: AbstractRobustConnection,
) -> None:
    settings = OrchestratorSettings(
        amqp_url=amqp_url,
        booking_namespace=topology.namespace,
        sagas_db_url=sql_database_url,
        step_deadline_seconds=30,
        sweep_interval_seconds=0.2,
        log_json=True,
    )
    participants = Participants(broker_connection, topology)
    saga_id, forged_start = new_id(), new_id()
    async with running(settings) as http:
        # A StartBooking not sent by web starts nothing.
        start = start_booking(forged_start, key=f"forged-{forged_start}"[:64])
        await publish_message(
            broker_connection,
            topology.commands.name,
            str(Service.ORCHESTRATOR),
            unsigned(start),
        )
        await publish(broker_connection, topology, start_booking(saga_id))
        hold = await participants.take(Service.ROOMS, HoldRoom)
        verify = await participants.take(Service.CLIENTS, VerifyClient)
        # What the orchestrator sends, it signs.
        for command in (hold, verify):
            assert service_signer().verify(
                decode(command).envelope, command.body, command.headers[SIGNATURE_HEADER]
            )
        # Forged answers to its hold: each would fail the booking if it were applied.
        refusal = RoomUnavailable(reason="no_room_free", detail="forged")
        forged = [
            forge(outgoing(refusal, saga_id, causation_id=hold.message_id))
            for forge in FORGERIES[:2]
        ]
        for message in forged:
            await publish_message(
                broker_connection, topology.replies.name, REPLIES_ROUTING_KEY, message
            )
        replies_dlq = topology.dead_letter_queue(topology.replies_queue())
        dead_replies = await drain_queue(broker_connection, replies_dlq.name, 2, timeout=30)
        requests_dlq = topology.dead_letter_queue(topology.command_queue(Service.ORCHESTRATOR))
        [dead_start] = await drain_queue(broker_connection, requests_dlq.name, 1, timeout=30)
        not_started = await http.get(f"/sagas/{forged_start}")
        pending = (await http.get(f"/sagas/{saga_id}")).json()
        # The genuine answers still move it on.
        await participants.reply(verify, ClientVerified(client_id="client-42"))
        await participants.reply(hold, room_held())
        await participants.take(Service.RESERVATIONS, WriteReservation)
        moved = await saga_when(http, saga_id, lambda s: s["state"] == "CLIENT_VERIFIED")

    for dead_letter in [*dead_replies, dead_start]:
        assert NOT_SIGNED in str(dead_letter.headers[DEAD_LETTER_REASON_HEADER])
    assert not_started.status_code == 404
    assert pending["state"] == "PENDING"
    assert RoomUnavailable.message_type not in {h["message_type"] for h in pending["history"]}
    assert RoomUnavailable.message_type not in {h["message_type"] for h in moved["history"]}
