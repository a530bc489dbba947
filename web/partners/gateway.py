"""The partners' gateway: each request on `partners.gateway` becomes the StartBooking or the
CancelBooking the public API sends (`web.submissions`), and its answer (accepted, or rejected
with the reason) goes to the partner's own queue before the request is acked.

Who sent a request is the broker's word: its AMQP `user_id`, which RabbitMQ checks against the
publishing connection's user. A request from no known partner is dead-lettered with the reason,
never answered (there is nobody to answer) and never dropped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import structlog
from aio_pika.abc import AbstractIncomingMessage

from contracts.base import Event
from contracts.events import CloudEvent
from contracts.partners import (
    BookingAccepted,
    BookingRejected,
    CancellationAccepted,
    RequestBooking,
    RequestCancellation,
)
from contracts.topology import DELIVERY_LIMIT
from infra.messaging.consumer import known_type
from infra.messaging.errors import SQL_TRANSIENT
from infra.messaging.publisher import Publisher
from infra.messaging.retry import Backoff
from infra.metrics import MESSAGES_HANDLED
from infra.problems import Refusal
from web.booking_requests import BookingRequests
from web.bookings import booking_id_for
from web.entrypoints.public_api import is_booking, no_such_booking, saga_or_none
from web.partners.directory import Partners, unknown_sender
from web.partners.requests import (
    Rejected,
    booking_request,
    idempotency_key_in,
    read_request,
)
from web.partners.sending import NoOutcomesQueue, answer, send_to_partner
from web.submissions import submit_booking, submit_cancellation
from web.upstream import Upstreams

T = TypeVar("T")
# Who asked, in the saga (`agent_id`, `requested_by`): a partner's system, not a person.
PARTNER_AGENT = "partner-channel"
log = structlog.get_logger(__name__)


class Unavailable(ConnectionError):
    """A service the answer needs cannot be reached now (a 5xx refusal): retried."""


TRANSIENT: tuple[type[BaseException], ...] = (*SQL_TRANSIENT, Unavailable)


@dataclass
class Gateway:
    publisher: Publisher
    partners: Partners
    requests: BookingRequests
    upstreams: Upstreams
    backoff: Backoff = field(default_factory=Backoff)

    @property
    def queue_name(self) -> str:
        return self.publisher.topology.partner_requests_queue().name

    async def on_delivery(self, raw: AbstractIncomingMessage) -> None:
        try:
            outcome = await self._handle(raw)
        except Exception as exc:  # a bug, or an outage longer than the backoff: count it
            await self._failed(raw, exc)
            return
        MESSAGES_HANDLED.labels(self.queue_name, known_type(raw.type), outcome).inc()

    async def _handle(self, raw: AbstractIncomingMessage) -> str:
        agency_id = await self._retrying(lambda: self.partners.agency_of(raw.user_id))
        if agency_id is None:
            await self._dead_letter(raw, unknown_sender(raw.user_id))
            return "dead_lettered"
        cloud_event = await self._retrying(lambda: self._answer(agency_id, raw))
        try:
            await self._retrying(lambda: send_to_partner(self.publisher, agency_id, cloud_event))
        except NoOutcomesQueue as exc:
            await self._dead_letter(raw, str(exc))
            return "dead_lettered"
        await raw.ack()
        log.info(
            "partner request answered",
            agency_id=agency_id,
            request_id=raw.message_id,
            answer=cloud_event.type,
            code=getattr(cloud_event.data, "code", None),
        )
        return "rejected" if isinstance(cloud_event.data, BookingRejected) else "applied"

    async def _answer(self, agency_id: str, raw: AbstractIncomingMessage) -> CloudEvent[Event]:
        request_id = raw.message_id
        event: BookingAccepted | CancellationAccepted
        try:
            request = read_request(request_id, raw.type, raw.body)
            assert request_id is not None  # read_request refuses a request without one
            if isinstance(request, RequestBooking):
                event = await self._book(agency_id, request_id, request, raw.body)
            else:
                event = await self._cancel(agency_id, request_id, request)
        except Rejected as rejected:
            refused = rejected.event(request_id, raw.type, idempotency_key_in(raw.body))
            subject = refused.booking_id or request_id or agency_id
            return answer(refused, agency_id, request_id, subject)
        return answer(event, agency_id, request_id, event.booking_id)

    async def _book(
        self, agency_id: str, request_id: str, request: RequestBooking, body: bytes
    ) -> BookingAccepted:
        key = request.idempotency_key
        try:
            booking_id = await submit_booking(
                self.publisher, self.requests, agency_id, PARTNER_AGENT, key, booking_request(body)
            )
        except Refusal as refusal:
            raise _rejected(refusal, booking_id_for(agency_id, key)) from None
        return BookingAccepted(request_id=request_id, booking_id=booking_id, idempotency_key=key)

    async def _cancel(
        self, agency_id: str, request_id: str, request: RequestCancellation
    ) -> CancellationAccepted:
        """Only the partner's own bookings: any other is answered as one that does not exist."""
        try:
            saga = await saga_or_none(self.upstreams, request.booking_id)
            if saga is None or not is_booking(saga) or _agency(saga) != agency_id:
                raise no_such_booking()
            await submit_cancellation(self.publisher, saga, PARTNER_AGENT, request.reason)
        except Refusal as refusal:
            raise _rejected(refusal, request.booking_id) from None
        return CancellationAccepted(request_id=request_id, booking_id=request.booking_id)

    async def _retrying(self, operation: Callable[[], Awaitable[T]]) -> T:
        return await self.backoff.run(operation, TRANSIENT)

    async def _dead_letter(self, raw: AbstractIncomingMessage, reason: str) -> None:
        try:
            await self._retrying(lambda: self.publisher.dead_letter(raw, self.queue_name, reason))
        except TRANSIENT:
            raise
        except Exception as exc:  # a message we cannot even copy: the broker dead-letters it
            log.error("partner request not copied, rejecting it", error=type(exc).__name__)
            await raw.reject(requeue=False)
            return
        await raw.ack()
        log.warning("partner request dead-lettered", reason=reason, message_id=raw.message_id)

    async def _failed(self, raw: AbstractIncomingMessage, exc: Exception) -> None:
        deliveries = _delivery_count(raw) + 1
        reason = f"{type(exc).__name__}: {exc}"[:1000]
        if deliveries >= DELIVERY_LIMIT:
            log.error("partner request keeps failing, dead-lettering", reason=reason)
            try:
                await self._dead_letter(raw, reason)
                return
            except TRANSIENT:  # the broker's own delivery limit is the backstop
                pass
        log.warning("partner request failed, requeued", reason=reason, deliveries=deliveries)
        await asyncio.sleep(min(0.2 * 2**deliveries, 5.0))
        await raw.nack(requeue=True)


def _rejected(refusal: Refusal, booking_id: str) -> Rejected:
    """A refusal of the public API's, as a partner's rejection; a 5xx is no answer but an
    outage, and the request is tried again."""
    if refusal.status_code >= 500:
        raise Unavailable(str(refusal.detail)) from refusal
    return Rejected(refusal.code, str(refusal.detail), refusal.params, booking_id)


def _agency(saga: dict[str, Any]) -> Any:
    return (saga.get("data") or {}).get("agency_id")


def _delivery_count(raw: AbstractIncomingMessage) -> int:
    value = (raw.headers or {}).get("x-delivery-count", 0)
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else 0
