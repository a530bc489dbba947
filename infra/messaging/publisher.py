"""Publishing with publisher confirms: a call returns only once the broker holds the message.

Every message to the commands, replies and events exchanges is signed here with the process's
service key (`infra.messaging.signing`), so no call site can forget it; consumers verify with
the same signer (`Publisher.signer`). Events are signed because one of them moves data: a
confirmed booking lets its agency read the client's details (the clients service's bookings
queue). Dead letters go out as they came, with the headers they had.

Under broker identities (`MessageSigner.broker_user`) everything this process publishes carries
the AMQP `user-id` property naming its own broker user, which RabbitMQ checks against the
connection's user: that is how a consumer knows who sent a message. A dead letter's copy is
published by the process that dead-lettered it, so the `user-id` the original carried travels
in `x-dead-letter-original-user` (the dashboard's requeue restores it).
"""

from __future__ import annotations

import asyncio
from typing import Any

import aio_pika
import aiormq
from aio_pika.abc import AbstractExchange, AbstractIncomingMessage
from faststream.rabbit import RabbitBroker, RabbitExchange
from pamqp import commands as spec

from contracts.base import Command, Event, Reply
from contracts.envelope import (
    DEAD_LETTER_ORIGINAL_USER_HEADER,
    DEAD_LETTER_QUEUE_HEADER,
    DEAD_LETTER_REASON_HEADER,
    Envelope,
)
from contracts.events import CLOUDEVENTS_CONTENT_TYPE, CloudEvent
from contracts.topology import REPLIES_ROUTING_KEY, Service, Topology
from infra import tracing
from infra.messaging.broker import publishing_as
from infra.messaging.codec import Outgoing
from infra.messaging.signing import MessageSigner

# The longest a publish may wait for the broker's confirm, the wait for a reconnection included
# (aio-pika waits for a robust channel unbounded). Past it the publish counts as failed and is
# retried like any broker outage: a caller never hangs on a channel that will not come back.
CONFIRM_TIMEOUT_SECONDS = 15.0


class PublishNotConfirmed(ConnectionError):
    """The broker did not take responsibility for a message; the caller must not ack."""


class Publisher:
    def __init__(
        self, broker: RabbitBroker, topology: Topology, source: str, signer: MessageSigner
    ) -> None:
        self._broker = broker
        self._topology = topology
        self._source = source
        self._signer = signer
        self._signed_exchanges = frozenset(
            {topology.commands.name, topology.replies.name, topology.events.name}
        )
        publishing_as(broker, signer.broker_user)
        self._transient: AbstractExchange | None = None
        self._transient_lock = asyncio.Lock()

    @property
    def topology(self) -> Topology:
        return self._topology

    @property
    def signer(self) -> MessageSigner:
        return self._signer

    @property
    def broker_user(self) -> str | None:
        """The broker user this process publishes as (`user-id`), under broker identities."""
        return self._signer.broker_user

    def _identity(self) -> dict[str, Any]:
        return {} if self.broker_user is None else {"user_id": self.broker_user}

    async def send_command(self, service: Service, command: Command, envelope: Envelope) -> None:
        await self.publish(Outgoing.of(command, envelope), self._topology.commands, str(service))

    async def send_reply(self, reply: Reply, envelope: Envelope) -> None:
        await self.publish(
            Outgoing.of(reply, envelope), self._topology.replies, REPLIES_ROUTING_KEY
        )

    async def publish_reply(self, reply: Outgoing) -> None:
        """Publish a stored reply exactly as it was first built (same id, same bytes)."""
        await self.publish(reply, self._topology.replies, REPLIES_ROUTING_KEY)

    async def publish_event(self, event: Event, envelope: Envelope, routing_key: str) -> None:
        await self.publish_to_events(Outgoing.of(event, envelope), routing_key)

    async def publish_to_events(
        self, outgoing: Outgoing, routing_key: str, **overrides: Any
    ) -> None:
        # Events go to a topic exchange: with nobody subscribed, "delivered to every subscriber
        # there is" is success, so they are not mandatory (commands and replies are).
        await self.publish(
            outgoing, self._topology.events, routing_key, mandatory=False, **overrides
        )

    async def publish_transient_event(self, outgoing: Outgoing, routing_key: str) -> None:
        """Publish an event a screen can do without (progress), kept in memory only and not
        confirmed: on a channel of its own without publisher confirms, so neither this process
        nor the broker spends a confirm on it. Written to the socket is all it is sure of; a
        screen that misses one reads the stored saga."""
        properties = outgoing.amqp_properties(self._signer.sign(outgoing.envelope, outgoing.body))
        message = aio_pika.Message(
            outgoing.body,
            headers=properties["headers"],
            content_type=properties["content_type"],
            message_id=properties["message_id"],
            correlation_id=properties["correlation_id"],
            type=properties["message_type"],
            timestamp=properties["timestamp"],
            user_id=self.broker_user,
            delivery_mode=aio_pika.DeliveryMode.NOT_PERSISTENT,
        )
        with tracing.about_saga(outgoing.envelope.saga_id):
            async with asyncio.timeout(CONFIRM_TIMEOUT_SECONDS):
                exchange = await self._transient_events()
                await exchange.publish(message, routing_key, mandatory=False)

    async def _transient_events(self) -> AbstractExchange:
        async with self._transient_lock:
            if self._transient is None:
                connection = await self._broker.connect()
                channel = connection.channel(publisher_confirms=False)
                await channel.initialize()
                self._transient = await channel.get_exchange(
                    self._topology.events.name, ensure=False
                )
            return self._transient

    async def publish_public(
        self, event: Event, envelope: Envelope, name: str
    ) -> CloudEvent[Event]:
        """Publish a public event as a structured CloudEvent on `booking.<name>`."""
        cloud_event: CloudEvent[Event] = CloudEvent(
            id=envelope.message_id,
            source=f"/{self._source}",
            type=event.message_type,
            subject=envelope.saga_id,
            time=envelope.occurred_at,
            data=event,
        )
        outgoing = Outgoing(envelope, cloud_event.model_dump_json().encode())
        await self.publish_to_events(
            outgoing, self._topology.public_routing_key(name), content_type=CLOUDEVENTS_CONTENT_TYPE
        )
        return cloud_event

    async def publish(
        self,
        outgoing: Outgoing,
        exchange: RabbitExchange,
        routing_key: str,
        mandatory: bool = True,
        **overrides: Any,
    ) -> None:
        """Publish a persistent message and wait for the broker's confirm."""
        signature = (
            self._signer.sign(outgoing.envelope, outgoing.body)
            if exchange.name in self._signed_exchanges
            else None
        )
        properties = outgoing.amqp_properties(signature) | self._identity() | overrides
        # When tracing, aio-pika's instrumentation adds `traceparent` to the headers; the
        # signature covers the envelope and the body only, so it holds with or without it.
        with tracing.about_saga(outgoing.envelope.saga_id):
            async with asyncio.timeout(CONFIRM_TIMEOUT_SECONDS):
                confirmation = await self._broker.publish(
                    outgoing.body,
                    exchange=exchange,
                    routing_key=routing_key,
                    persist=True,
                    mandatory=mandatory,
                    **properties,
                )
        _ensure_confirmed(confirmation, outgoing.envelope.message_type)

    async def dead_letter(self, raw: AbstractIncomingMessage, queue_name: str, reason: str) -> None:
        """Move a message to its queue's dead-letter queue, untouched, with the reason."""
        headers = dict(raw.headers or {})
        headers[DEAD_LETTER_REASON_HEADER] = reason[:1000]
        headers[DEAD_LETTER_QUEUE_HEADER] = queue_name
        # Only the broker's word on the original goes here, never a header its sender wrote.
        headers.pop(DEAD_LETTER_ORIGINAL_USER_HEADER, None)
        if raw.user_id:
            headers[DEAD_LETTER_ORIGINAL_USER_HEADER] = raw.user_id
        async with asyncio.timeout(CONFIRM_TIMEOUT_SECONDS):
            confirmation = await self._broker.publish(
                raw.body,
                exchange=self._topology.dead_letters,
                routing_key=queue_name,
                persist=True,
                mandatory=True,
                headers=headers,
                message_id=raw.message_id,
                correlation_id=raw.correlation_id,
                message_type=raw.type,
                timestamp=raw.timestamp,
                content_type=raw.content_type,
                **self._identity(),
            )
        _ensure_confirmed(confirmation, "dead letter")


def _ensure_confirmed(confirmation: aiormq.abc.ConfirmationFrameType | None, what: str) -> None:
    if not isinstance(confirmation, spec.Basic.Ack):
        raise PublishNotConfirmed(f"broker did not confirm {what}: {confirmation!r}")
