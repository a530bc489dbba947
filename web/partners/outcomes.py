"""Partners' booking outcomes: the public events (`booking.events`, `booking.#`) of bookings made
by a partner agency, forwarded to that partner's queue as the CloudEvents they are (same `id`,
so a partner that also subscribes to the public events sees one event, not two).

At least once: each event is acked only once the partner's copy is confirmed by the broker; a
redelivery sends the same CloudEvent id again, which the partner deduplicates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from contracts.base import Event, Message
from contracts.events import (
    BookingCancelled,
    BookingChanged,
    BookingConfirmed,
    BookingFailed,
    CloudEvent,
)
from infra.messaging.codec import Decoded, InvalidMessage
from infra.messaging.consumer import QueueConsumer
from web.partners.directory import Partners
from web.partners.sending import NoOutcomesQueue, send_to_partner

# The orchestrator publishes every public event (`infra.messaging.publisher.publish_public`).
PUBLIC_SOURCE = "/orchestrator"
FORWARDED = (BookingConfirmed, BookingFailed, BookingCancelled, BookingChanged)


@dataclass(kw_only=True)
class PartnerOutcomes(QueueConsumer):
    partners: Partners
    handled_log: ClassVar[str] = "public event looked at for partners"

    def accepts(self, message: Message) -> bool:
        return isinstance(message, FORWARDED)

    async def apply(self, decoded: Decoded) -> str:
        event = decoded.message
        assert isinstance(event, FORWARDED)  # accepts() let only these through
        agency_id = event.agency_id
        if not await self.retrying(lambda: self.partners.is_partner(agency_id)):
            return "not_a_partner"
        envelope = decoded.envelope
        cloud_event: CloudEvent[Event] = CloudEvent(
            id=envelope.message_id,
            source=PUBLIC_SOURCE,
            type=envelope.message_type,
            subject=envelope.saga_id,
            time=envelope.occurred_at,
            data=event,
        )
        try:
            await self.retrying(lambda: send_to_partner(self.publisher, agency_id, cloud_event))
        except NoOutcomesQueue as exc:
            raise InvalidMessage(str(exc)) from exc
        return "forwarded"
