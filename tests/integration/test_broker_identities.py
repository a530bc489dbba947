"""Broker identities (issue 13): each service is its own RabbitMQ user with least-privilege
permissions, and a participant applies a command only when the broker vouches (the `user-id`
property) that the orchestrator published it.

The users are created for this module's namespace with `rabbitmqctl import_definitions`, as
`make up` creates them, and deleted after. Without `rabbitmqctl` the broker has one shared
login: these tests are skipped, and only the signatures (test_forged_commands.py) hold.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aio_pika
import aiormq
import pytest
import sqlalchemy as sa
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection
from sqlalchemy.ext.asyncio import create_async_engine

from contracts.base import Message
from contracts.clients import ClientVerified
from contracts.envelope import (
    DEAD_LETTER_ORIGINAL_USER_HEADER,
    DEAD_LETTER_REASON_HEADER,
    Envelope,
    new_id,
)
from contracts.topology import REPLIES_ROUTING_KEY, WEB, Principal, Service, Topology
from infra.launcher import broker_environments
from infra.messaging.broker_users import create_broker_users, delete_broker_users
from infra.messaging.codec import Outgoing
from rooms.adapters.tables import holds
from tests.conftest import RUN_ID, delete_namespace
from tests.e2e.agent_client import AgentClient, stay
from tests.integration.test_rooms_holds import START, hold_room
from tests.support.observer import signed_message
from tests.support.platform import SPECS, Platform, own_platform
from tests.support.servers import Server
from web.dead_letters import DeadLetters

pytestmark = pytest.mark.integration

NO_RABBITMQCTL = "rabbitmqctl is not installed: the broker's users cannot be created here"


@dataclass(frozen=True)
class Identities:
    platform: Platform
    topology: Topology
    urls: dict[Principal, str]


@pytest.fixture(scope="module")
def identities(amqp_url: str, mysql_server: Server, mongodb_server: Server) -> Iterator[Identities]:
    """The whole platform, every process connected as its own broker user."""
    if shutil.which("rabbitmqctl") is None:
        pytest.skip(NO_RABBITMQCTL)
    topology = Topology(f"b{RUN_ID}")  # own_platform's namespace for the prefix "b"
    urls = asyncio.run(create_broker_users(amqp_url, topology))
    try:
        with own_platform(
            "b", amqp_url, mysql_server.url, mongodb_server.url, start=()
        ) as platform:
            for spec in SPECS:
                own = {"AMQP_URL": urls[spec.broker_user], "BROKER_IDENTITIES": "true"}
                platform.start(spec.name, settings=own)
            yield Identities(platform, topology, urls)
    finally:
        asyncio.run(delete_broker_users(amqp_url, topology))


@asynccontextmanager
async def connected(url: str) -> AsyncIterator[AbstractRobustConnection]:
    connection = await aio_pika.connect_robust(url)
    async with connection:
        yield connection


def outgoing(message: Message, saga_id: str) -> Outgoing:
    return Outgoing.of(message, Envelope.new(message.message_type, saga_id))


def hold(saga_id: str) -> Outgoing:
    return outgoing(hold_room(START, 2), saga_id)


async def publish(
    connection: AbstractRobustConnection, exchange: str, key: str, message: aio_pika.Message
) -> None:
    channel = await connection.channel(publisher_confirms=True)
    try:
        target = await channel.get_exchange(exchange, ensure=False)
        await target.publish(message, routing_key=key, mandatory=True)
    finally:
        if not channel.is_closed:
            await channel.close()


async def dead_letter(
    connection: AbstractRobustConnection, queue_name: str, message_id: str, keep: bool = False
) -> AbstractIncomingMessage:
    """Wait for the dead letter of `message_id` on `queue_name`, and take it (or, with `keep`,
    leave it there); others are put back."""
    channel = await connection.channel()
    queue = await channel.get_queue(queue_name, ensure=False)
    found: asyncio.Future[AbstractIncomingMessage] = asyncio.get_running_loop().create_future()

    async def look(message: AbstractIncomingMessage) -> None:
        if message.message_id == message_id and not found.done():
            await (message.nack(requeue=True) if keep else message.ack())
            found.set_result(message)
        else:
            await message.nack(requeue=True)

    tag = await queue.consume(look)
    try:
        async with asyncio.timeout(30):
            return await found
    finally:
        await queue.cancel(tag)
        await channel.close()


def verified_reply(user_id: str | None) -> aio_pika.Message:
    """A signed ClientVerified for a saga nobody has, claiming `user_id` as its sender."""
    reply = signed_message(outgoing(ClientVerified(client_id="someone"), new_id()))
    reply.user_id = user_id
    return reply


async def publish_reply(url: str, topology: Topology, reply: aio_pika.Message) -> None:
    async with connected(url) as connection:
        await publish(connection, topology.replies.name, REPLIES_ROUTING_KEY, reply)


def broker_users_connected() -> set[str]:
    listed = subprocess.run(
        ["rabbitmqctl", "-q", "list_connections", "user"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return set(listed.stdout.split())


async def test_a_booking_is_confirmed_when_every_service_is_its_own_broker_user(
    identities: Identities,
) -> None:
    web = identities.platform.url("web")
    async with AgentClient.signed_in(web, "agent", "agent-demo") as agent:
        check_in, check_out = stay(45)
        offers = await agent.availability(check_in, check_out, city="Paris", guests=2)
        client_id = await agent.new_client()
        submitted = await agent.book_offer(offers[0], client_id, check_in, check_out, guests=2)
        assert submitted.status_code == 202, submitted.text
        booking_id = submitted.json()["booking_id"]
        events = await agent.events(booking_id)  # progress over web's own event queue
        booking = await agent.outcome(booking_id)

    assert booking["status"] == "CONFIRMED", booking
    assert events[-1][1]["status"] == "CONFIRMED"
    users = {identities.topology.broker_user(spec.broker_user) for spec in SPECS}
    assert users <= broker_users_connected(), "every process is connected as its own user"


async def test_a_signed_command_not_published_by_the_orchestrator_is_dead_lettered(
    identities: Identities, broker_connection: AbstractRobustConnection
) -> None:
    """Web's user may publish to booking.commands (its start requests), and holds the service
    key; a HoldRoom from it is still refused: the broker says web sent it."""
    topology = identities.topology
    saga_id = new_id()
    forged = signed_message(hold(saga_id))
    forged.user_id = topology.broker_user(WEB)
    async with connected(identities.urls[WEB]) as web:
        await publish(web, topology.commands.name, str(Service.ROOMS), forged)

    dlq = topology.dead_letter_queue(topology.command_queue(Service.ROOMS)).name
    dead = await dead_letter(broker_connection, dlq, str(forged.message_id))

    assert dead.headers[DEAD_LETTER_REASON_HEADER] == (
        f"published by user '{topology.broker_user(WEB)}', not by the orchestrator (user-id)"
    )
    assert await holds_of(identities, saga_id) == 0, "dead-lettered before anything applied"


async def holds_of(identities: Identities, saga_id: str) -> int:
    rooms_db = create_async_engine(identities.platform.environment["ROOMS_DB_URL"])
    try:
        async with rooms_db.connect() as connection:
            count = await connection.scalar(
                sa.select(sa.func.count()).where(holds.c.saga_id == saga_id)
            )
    finally:
        await rooms_db.dispose()
    return int(count or 0)


async def test_a_requeue_cannot_launder_a_sender_the_dead_letter_only_claims(
    identities: Identities, broker_connection: AbstractRobustConnection
) -> None:
    """Web publishes a signed HoldRoom with no user-id and a header claiming the orchestrator
    sent it first; rooms dead-letters it, and the operator's requeue sends it back as what the
    broker knows (from rooms, who dead-lettered it), so rooms refuses it again."""
    topology = identities.topology
    saga_id = new_id()
    forged = signed_message(hold(saga_id))
    forged.headers[DEAD_LETTER_ORIGINAL_USER_HEADER] = topology.broker_user(Service.ORCHESTRATOR)
    async with connected(identities.urls[WEB]) as web:
        await publish(web, topology.commands.name, str(Service.ROOMS), forged)
    dlq = topology.dead_letter_queue(topology.command_queue(Service.ROOMS)).name
    first = await dead_letter(broker_connection, dlq, str(forged.message_id), keep=True)

    accounts = create_async_engine(identities.platform.environment["ACCOUNTS_DB_URL"])
    helper = DeadLetters(identities.urls[WEB], topology, accounts)  # kept where web keeps them
    await helper.open()
    try:
        assert await helper.requeue(dlq, str(forged.message_id)) is not None
    finally:
        await helper.close()
        await accounts.dispose()
    second = await dead_letter(broker_connection, dlq, str(forged.message_id))

    assert first.headers[DEAD_LETTER_REASON_HEADER] == (
        "published without a user-id, not by the orchestrator (user-id)"
    )
    rooms = topology.broker_user(Service.ROOMS)
    assert second.headers[DEAD_LETTER_REASON_HEADER] == (
        f"published by user '{rooms}', not by the orchestrator (user-id)"
    )
    assert await holds_of(identities, saga_id) == 0


async def test_a_reply_published_by_another_participant_is_dead_lettered(
    identities: Identities, broker_connection: AbstractRobustConnection
) -> None:
    topology = identities.topology
    forged = verified_reply(topology.broker_user(Service.ROOMS))
    await publish_reply(identities.urls[Service.ROOMS], topology, forged)

    dlq = topology.dead_letter_queue(topology.replies_queue()).name
    dead = await dead_letter(broker_connection, dlq, str(forged.message_id))

    assert dead.headers[DEAD_LETTER_REASON_HEADER] == (
        f"published by user '{topology.broker_user(Service.ROOMS)}', not by the clients (user-id)"
    )


async def test_the_broker_refuses_a_user_id_that_is_not_the_connections_user(
    identities: Identities,
) -> None:
    topology = identities.topology
    lying = verified_reply(topology.broker_user(Service.CLIENTS))
    with pytest.raises(aio_pika.exceptions.ChannelPreconditionFailed) as refused:
        await publish_reply(identities.urls[Service.ROOMS], topology, lying)
    assert "user_id property set to" in str(refused.value)


@pytest.mark.parametrize("participant", [Service.ROOMS, Service.CLIENTS, Service.RESERVATIONS])
async def test_a_participant_cannot_publish_commands_read_another_queue_or_reshape_the_topology(
    identities: Identities, participant: Service
) -> None:
    topology = identities.topology
    command = signed_message(hold(new_id()))
    command.user_id = topology.broker_user(participant)
    other = Service.CLIENTS if participant is Service.ROOMS else Service.ROOMS
    async with connected(identities.urls[participant]) as connection:
        with pytest.raises(aiormq.exceptions.ChannelAccessRefused):
            await publish(connection, topology.commands.name, str(other), command)
        with pytest.raises(aiormq.exceptions.ChannelAccessRefused):
            channel = await connection.channel()
            queue = await channel.get_queue(topology.command_queue(other).name, ensure=False)
            await queue.get(fail=False)
        with pytest.raises(aiormq.exceptions.ChannelAccessRefused):
            channel = await connection.channel()
            await channel.exchange_delete(topology.commands.name)


async def test_the_dashboards_requeue_restores_the_sender_the_message_first_had(
    identities: Identities, broker_connection: AbstractRobustConnection
) -> None:
    """A reply for a saga the orchestrator never had is dead-lettered by the orchestrator;
    requeued by web (an impersonator), it comes back as the clients' again, and is refused for
    the unknown saga, not for its sender."""
    topology = identities.topology
    reply = verified_reply(topology.broker_user(Service.CLIENTS))
    await publish_reply(identities.urls[Service.CLIENTS], topology, reply)
    dlq = topology.dead_letter_queue(topology.replies_queue()).name
    first = await dead_letter(broker_connection, dlq, str(reply.message_id), keep=True)

    accounts = create_async_engine(identities.platform.environment["ACCOUNTS_DB_URL"])
    helper = DeadLetters(identities.urls[WEB], topology, accounts)  # kept where web keeps them
    await helper.open()
    try:
        requeued = await helper.requeue(dlq, str(reply.message_id))
    finally:
        await helper.close()
        await accounts.dispose()
    second = await dead_letter(broker_connection, dlq, str(reply.message_id))

    assert requeued is not None
    for dead in (first, second):
        reason = str(dead.headers[DEAD_LETTER_REASON_HEADER])
        assert "user-id" not in reason and str(reply.correlation_id) in reason, reason


def test_the_launchers_broker_users_are_idempotent(amqp_url: str) -> None:
    if shutil.which("rabbitmqctl") is None:
        pytest.skip(NO_RABBITMQCTL)
    topology = Topology(f"l{RUN_ID}")
    environment = {"AMQP_URL": amqp_url, "BOOKING_NAMESPACE": topology.namespace}
    try:
        first = broker_environments(environment)
        second = broker_environments(environment)
        asyncio.run(_check_second_run(topology, first, second))
    finally:
        asyncio.run(delete_broker_users(amqp_url, topology))
        asyncio.run(delete_namespace(amqp_url, topology))


async def _check_second_run(
    topology: Topology,
    first: dict[Principal, dict[str, str]],
    second: dict[Principal, dict[str, str]],
) -> None:
    assert set(first) == set(second) == {*Service, WEB}
    assert all(second[p]["BROKER_IDENTITIES"] == "true" for p in second)
    with pytest.raises(aio_pika.exceptions.ProbableAuthenticationError):
        await aio_pika.connect(first[Service.ROOMS]["AMQP_URL"])  # a new password each run
    async with connected(second[Service.ROOMS]["AMQP_URL"]) as rooms:
        command = signed_message(hold(new_id()))
        with pytest.raises(aiormq.exceptions.ChannelAccessRefused):
            await publish(rooms, topology.commands.name, str(Service.ROOMS), command)
        reply = verified_reply(topology.broker_user(Service.ROOMS))
        await publish(rooms, topology.replies.name, REPLIES_ROUTING_KEY, reply)
