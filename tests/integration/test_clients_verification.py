"""`VerifyClient` over the real broker, answered from the real MariaDB store."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from contracts.clients import ClientRejected, ClientVerified, VerifyClient
from contracts.envelope import Envelope, new_id
from contracts.topology import Service, Topology
from infra.messaging.codec import Outgoing
from tests.integration.test_clients_api import http
from tests.support.clients_service import OPERATOR
from tests.support.observer import send_command, watch_replies

pytestmark = pytest.mark.integration
__all__ = ["http"]  # the clients service under test, shared with the API tests


async def create_client(http: httpx.AsyncClient, email: str) -> str:
    response = await http.post(
        "/clients",
        json={
            "first_name": "Priya",
            "last_name": "Raman",
            "email": email,
            "phone": "+91 98765 43210",
            "nationality": "IN",
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def verify(client_id: str, saga_id: str | None = None) -> Outgoing:
    envelope = Envelope.new(VerifyClient.message_type, saga_id or new_id())
    return Outgoing.of(VerifyClient(client_id=client_id), envelope)


async def send(connection: Any, topology: Topology, command: Outgoing) -> None:
    await send_command(connection, topology, str(Service.CLIENTS), command)


async def test_an_active_client_is_verified_an_unknown_or_blocked_one_rejected(
    http: httpx.AsyncClient, broker_connection: Any, amqp_url: str, topology: Topology
) -> None:
    active = await create_client(http, "priya.raman@example.in")
    blocked = await create_client(http, "priya.r@example.in")
    response = await http.post(
        f"/clients/{blocked}/block", json={"reason": "disputed payment"}, headers=OPERATOR.headers()
    )
    assert response.status_code == 200
    unknown = new_id()
    commands = {name: verify(client_id) for name, client_id in
                (("active", active), ("blocked", blocked), ("unknown", unknown))}  # fmt: skip

    async with watch_replies(amqp_url, topology) as replies:
        for command in commands.values():
            await send(broker_connection, topology, command)
        received = await replies.wait_for(3, timeout=30)

    by_saga = {message.correlation_id: message for message in received}
    answers = {name: by_saga[c.envelope.saga_id] for name, c in commands.items()}
    assert answers["active"].type == ClientVerified.message_type
    assert json.loads(answers["active"].body) == {"client_id": active}
    assert answers["blocked"].type == ClientRejected.message_type
    assert json.loads(answers["blocked"].body) == {"client_id": blocked, "reason": "blocked"}
    assert answers["unknown"].type == ClientRejected.message_type
    assert json.loads(answers["unknown"].body) == {"client_id": unknown, "reason": "unknown"}
    for name, command in commands.items():
        assert answers[name].headers["x-causation-id"] == command.envelope.message_id


async def test_a_duplicate_delivery_is_answered_twice_with_the_same_reply(
    http: httpx.AsyncClient, broker_connection: Any, amqp_url: str, topology: Topology
) -> None:
    client_id = await create_client(http, "dup@example.in")
    command = verify(client_id)
    retry = verify(client_id, saga_id=command.envelope.saga_id)  # same step, new message id

    async with watch_replies(amqp_url, topology) as replies:
        await send(broker_connection, topology, command)
        await send(broker_connection, topology, command)
        await send(broker_connection, topology, retry)
        first, second, third = await replies.wait_for(3, timeout=30)

    copies = [
        m
        for m in (first, second, third)
        if m.headers["x-causation-id"] == command.envelope.message_id
    ]
    assert len(copies) == 2
    assert copies[0].message_id == copies[1].message_id
    assert copies[0].body == copies[1].body
    (answer_to_retry,) = [m for m in (first, second, third) if m not in copies]
    assert answer_to_retry.type == copies[0].type == ClientVerified.message_type
    assert answer_to_retry.body == copies[0].body
    assert answer_to_retry.message_id != copies[0].message_id
