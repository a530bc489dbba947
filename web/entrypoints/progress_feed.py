"""The web process's own subscription to saga progress events, feeding the ProgressHub."""

from __future__ import annotations

import uuid

import structlog
from aio_pika.abc import AbstractIncomingMessage
from faststream.rabbit import RabbitBroker, RabbitQueue

from contracts.booking import SagaProgressed
from contracts.envelope import SIGNATURE_HEADER
from contracts.topology import PROGRESS_ROUTING_PREFIX, WEB, Topology
from infra.messaging.broker import broker_user_of, existing
from infra.messaging.codec import InvalidMessage, decode
from infra.messaging.identities import Sender, sender_problem
from infra.messaging.signing import MessageSigner
from infra.runtime import Subscription, listen
from web.progress import ProgressHub

log = structlog.get_logger(__name__)


def subscribe_progress(
    broker: RabbitBroker, topology: Topology, hub: ProgressHub, service: str, signer: MessageSigner
) -> None:
    """Progress events carry the saga as stored (what an agent's stream shows, a confirmation
    code included), so only those the orchestrator signed reach the hub."""
    # A private, self-deleting queue: live progress matters only while this process listens;
    # the durable truth is the orchestrator's saga store, read when a stream opens.
    queue = RabbitQueue(
        topology.event_queue(WEB, f"progress-{service}-{uuid.uuid4().hex[:8]}"),
        auto_delete=True,
        exclusive=True,
    )

    async def on_progress(message: AbstractIncomingMessage) -> None:
        try:
            decoded = decode(message)
        except InvalidMessage as exc:
            log.warning("ignoring malformed progress event", reason=exc.reason)
            return
        signature = (message.headers or {}).get(SIGNATURE_HEADER)
        if not signer.verify(decoded.envelope, message.body, signature):
            log.warning("ignoring a progress event not signed by the orchestrator")
            return
        if broker_user_of(broker) is not None:  # the broker vouches: only the orchestrator's
            problem = sender_problem(
                topology, Sender.ORCHESTRATOR, decoded.message, message.user_id
            )
            if problem is not None:
                log.warning("ignoring a progress event", reason=problem)
                return
        if isinstance(decoded.message, SagaProgressed):
            hub.publish(decoded.envelope.saga_id, decoded.message)

    # The exchange is the topology's (declared before the queue is): only bound here. A
    # progress event is settled as it arrives (no ack): it is for screens, and transient.
    events = existing(topology.events)
    bound_to = (events, f"{PROGRESS_ROUTING_PREFIX}.#")
    listen(broker, Subscription(queue, on_progress, no_ack=True, bound_to=bound_to))
