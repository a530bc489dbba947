"""The tests' stand-in for rooms, clients and reservations: take the orchestrator's commands off
their real queues and answer them on the real replies exchange."""

from __future__ import annotations

from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection

from contracts.base import Message, Reply
from contracts.topology import REPLIES_ROUTING_KEY, Service, Topology
from infra.messaging.codec import Outgoing, decode
from tests.support.observer import drain_queue, publish_outgoing

WAIT = 30.0


class Participants:
    def __init__(self, connection: AbstractRobustConnection, topology: Topology) -> None:
        self.connection = connection
        self.topology = topology

    async def take(self, service: Service, expected: type[Message]) -> AbstractIncomingMessage:
        queue = self.topology.command_queue(service).name
        [message] = await drain_queue(self.connection, queue, 1, timeout=WAIT)
        assert message.type == expected.message_type
        return message

    async def reply(self, command: AbstractIncomingMessage, reply: Reply) -> None:
        envelope = decode(command).envelope.caused(reply.message_type)
        await publish(self.connection, self.topology, Outgoing.of(reply, envelope), replies=True)


async def publish(
    connection: AbstractRobustConnection,
    topology: Topology,
    outgoing: Outgoing,
    replies: bool = False,
) -> None:
    """To the orchestrator: a reply, or (by default) a request on its commands queue."""
    exchange, key = (
        (topology.replies.name, REPLIES_ROUTING_KEY)
        if replies
        else (topology.commands.name, str(Service.ORCHESTRATOR))
    )
    await publish_outgoing(connection, exchange, key, outgoing)
