"""The web process's own subscription to saga progress events, feeding the ProgressHub."""

from __future__ import annotations

import uuid

import structlog
from faststream.middlewares import AckPolicy
from faststream.rabbit import RabbitBroker, RabbitQueue

from contracts.booking import SagaProgressed
from contracts.envelope import SIGNATURE_HEADER
from contracts.topology import PROGRESS_ROUTING_PREFIX, WEB, Topology
from infra.messaging.broker import broker_user_of, existing
from infra.messaging.codec import InvalidMessage, decode
from infra.messaging.delivery import Delivery
from infra.messaging.identities import Sender, sender_problem
from infra.messaging.signing import MessageSigner
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
        routing_key=f"{PROGRESS_ROUTING_PREFIX}.#",
    )

    async def on_progress(message: Delivery) -> None:
        try:
            decoded = decode(message.raw_message)
        except InvalidMessage as exc:
            log.warning("ignoring malformed progress event", reason=exc.reason)
            return
        signature = (message.raw_message.headers or {}).get(SIGNATURE_HEADER)
        if not signer.verify(decoded.envelope, message.raw_message.body, signature):
            log.warning("ignoring a progress event not signed by the orchestrator")
            return
        if broker_user_of(broker) is not None:  # the broker vouches: only the orchestrator's
            problem = sender_problem(
                topology, Sender.ORCHESTRATOR, decoded.message, message.raw_message.user_id
            )
            if problem is not None:
                log.warning("ignoring a progress event", reason=problem)
                return
        if isinstance(decoded.message, SagaProgressed):
            hub.publish(decoded.envelope.saga_id, decoded.message)

    # The exchange is the topology's (declared before the subscriber starts): only bound here.
    events = existing(topology.events)
    broker.subscriber(queue, events, ack_policy=AckPolicy.ACK_FIRST, no_reply=True)(on_progress)
