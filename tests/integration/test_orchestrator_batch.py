"""The orchestrator's batched pipeline (`SagaService.receive_batch`) on the real MariaDB and
broker: replies of several sagas applied in one transaction keep what one-at-a-time handling
guarantees. Each reply moves its saga in delivery order, a copy in the same batch changes
nothing, a reply for a saga the store never had is set apart, and each command goes out once."""

from __future__ import annotations

from typing import Any

import pytest
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection
from fastapi import FastAPI

from contracts.booking import StartBooking
from contracts.clients import ClientVerified, VerifyClient
from contracts.envelope import Envelope, new_id
from contracts.reservations import WriteReservation
from contracts.rooms import HoldRoom
from contracts.topology import Service, Topology
from infra.messaging.codec import Decoded, Outgoing, decode
from orchestrator.adapters.saga_store import SagaStore
from orchestrator.domain.model import SagaState
from orchestrator.entrypoints.app import create_app
from orchestrator.service_layer.sagas import SagaService, UnknownSaga
from orchestrator.settings import OrchestratorSettings
from tests.integration.test_orchestrator_saga import (
    Participants,
    publish,
    room_held,
    settings,
    start_booking,
)
from tests.support.observer import drain_queue

pytestmark = pytest.mark.integration
__all__ = ["settings"]


def reply_to(command: AbstractIncomingMessage, reply: Any) -> Decoded:
    envelope = decode(command).envelope.caused(reply.message_type)
    return Decoded(envelope, reply)


async def no_more(connection: AbstractRobustConnection, queue: str) -> bool:
    channel = await connection.channel()
    declared = await channel.get_queue(queue, ensure=True)
    return (await declared.get(fail=False)) is None


async def test_replies_of_several_sagas_apply_in_one_batch_in_order_and_once(
    settings: OrchestratorSettings, topology: Topology, broker_connection: AbstractRobustConnection
) -> None:
    participants = Participants(broker_connection, topology)
    app: FastAPI = create_app(settings)
    async with app.router.lifespan_context(app):
        sagas: SagaService = app.state.sagas
        first, second = new_id(), new_id()
        commands = {}
        for saga_id in (first, second):
            await publish(broker_connection, topology, start_booking(saga_id))
            commands[saga_id] = (
                await participants.take(Service.ROOMS, HoldRoom),
                await participants.take(Service.CLIENTS, VerifyClient),
            )
        by_saga = {
            decode(hold).envelope.saga_id: (hold, verify) for hold, verify in commands.values()
        }
        hold_1, verify_1 = by_saga[first]
        hold_2, _ = by_saga[second]
        verified_1 = reply_to(verify_1, ClientVerified(client_id="client-42"))
        stranger = Decoded(
            Envelope.new(ClientVerified.message_type, new_id()), ClientVerified(client_id="x")
        )
        batch = [
            verified_1,
            reply_to(hold_1, room_held()),
            verified_1,  # a copy, as a redelivery brings it
            reply_to(hold_2, room_held()),
            stranger,
        ]
        results = await sagas.receive_batch(batch)

        states = [r.state if not isinstance(r, Exception) else type(r) for r in results]
        # The first saga's stage ends with its second reply (it then writes the reservation);
        # the copy changes nothing; the second saga's stage waits for its client.
        assert states == [
            SagaState.PENDING,
            SagaState.CLIENT_VERIFIED,
            SagaState.CLIENT_VERIFIED,
            SagaState.ROOM_HELD,
            UnknownSaga,
        ]
        writes = await drain_queue(
            broker_connection, topology.command_queue(Service.RESERVATIONS).name, 1
        )
        assert [decode(w).envelope.saga_id for w in writes] == [first]
        assert decode(writes[0]).message == WriteReservation.model_validate_json(writes[0].body)
        store: SagaStore = app.state.store
        assert await state_of(store, first) == SagaState.CLIENT_VERIFIED
        assert await state_of(store, second) == SagaState.ROOM_HELD
        assert await no_more(broker_connection, topology.command_queue(Service.RESERVATIONS).name)


async def state_of(store: SagaStore, saga_id: str) -> SagaState:
    saga = await store.get(saga_id)
    assert saga is not None
    return saga.state


async def test_new_bookings_start_in_one_batch_and_a_repeat_among_them_starts_nothing_twice(
    settings: OrchestratorSettings, topology: Topology, broker_connection: AbstractRobustConnection
) -> None:
    app: FastAPI = create_app(settings)
    async with app.router.lifespan_context(app):
        sagas: SagaService = app.state.sagas
        store: SagaStore = app.state.store
        fresh = [new_id() for _ in range(3)]
        started = await sagas.start_batch([decoded(start_booking(s)) for s in fresh])
        assert started is not None
        assert [saga.saga_id for saga in started] == fresh
        holds = await drain_queue(broker_connection, topology.command_queue(Service.ROOMS).name, 3)
        assert sorted(decode(h).envelope.saga_id for h in holds) == sorted(fresh)

        # One of them again, with two new ones: the batch starts none of them, and the
        # one-by-one path then starts the new ones and repeats nothing.
        later = [new_id(), new_id()]
        again = [decoded(start_booking(s)) for s in (later[0], fresh[1], later[1])]
        assert await sagas.start_batch(again) is None
        assert await store.get(later[0]) is None, "a refused batch writes nothing"
        for one in again:
            await sagas.receive(one)
        holds = await drain_queue(broker_connection, topology.command_queue(Service.ROOMS).name, 2)
        assert sorted(decode(h).envelope.saga_id for h in holds) == sorted(later)
        assert await no_more(broker_connection, topology.command_queue(Service.ROOMS).name)
        for saga_id in (*fresh, *later):
            assert await state_of(store, saga_id) == SagaState.PENDING


def decoded(outgoing: Outgoing) -> Decoded:
    return Decoded(outgoing.envelope, StartBooking.model_validate_json(outgoing.body))
