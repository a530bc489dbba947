"""Sending a CloudEvent to one partner's queue, confirmed by the broker before the request or
event that caused it is acked (at least once: partners deduplicate by the CloudEvent `id`)."""

from __future__ import annotations

import uuid
from typing import Any

import aiormq

from contracts.base import Event
from contracts.envelope import Envelope, utc_now
from contracts.events import CLOUDEVENTS_CONTENT_TYPE, CloudEvent
from infra.messaging.codec import Outgoing
from infra.messaging.publisher import Publisher

# The CloudEvents `source` of the answers to partners' requests.
GATEWAY_SOURCE = "/partners"
# Answer ids derive from the partner and its request's id: a request delivered twice (a crash
# before its ack) is answered twice under one id, which the partner sees as one answer.
ANSWER_ID_NAMESPACE = uuid.UUID("0d8f3b6e-52a4-4c1e-9f7a-3e6b1d2c4a58")


class NoOutcomesQueue(LookupError):
    """The partner's outcomes queue is not there (the broker returned the message)."""


def answer(event: Event, agency_id: str, request_id: str | None, subject: str) -> CloudEvent[Event]:
    """The CloudEvent of the answer to one request of a partner."""
    event_id = (
        str(uuid.uuid5(ANSWER_ID_NAMESPACE, f"{agency_id}\x1f{request_id}\x1f{event.message_type}"))
        if request_id
        else str(uuid.uuid4())
    )
    # Unparametrized: `data` is then written as the event it is, not as a bare `Event`.
    cloud_event: CloudEvent[Event] = CloudEvent(
        id=event_id,
        source=GATEWAY_SOURCE,
        type=event.message_type,
        subject=subject,
        time=utc_now(),
        data=event,
    )
    return cloud_event


async def send_to_partner(
    publisher: Publisher, agency_id: str, cloud_event: CloudEvent[Any]
) -> None:
    """Publish to `partners.outcomes` with the partner's agency id as the routing key (its
    queue alone is bound to it), mandatory and confirmed."""
    envelope = Envelope(
        message_id=cloud_event.id,
        saga_id=cloud_event.subject[:64],
        message_type=cloud_event.type,
        occurred_at=cloud_event.time,
    )
    outgoing = Outgoing(envelope, cloud_event.model_dump_json().encode())
    try:
        await publisher.publish(
            outgoing,
            publisher.topology.partner_outcomes,
            agency_id,
            content_type=CLOUDEVENTS_CONTENT_TYPE,
        )
    except aiormq.exceptions.PublishError as exc:
        raise NoOutcomesQueue(f"the partner {agency_id!r} has no outcomes queue") from exc
