"""The partner channel: what a partner system publishes, and what it receives on its own queue.

A partner (an agency of kind `partner`, with a broker user `{ns}.partner.<agency_id>`) publishes
a request as a JSON body to the `partners.requests` exchange, with the AMQP properties
`message_id` (the request's id), `type` (the request's versioned type) and `user_id` (its broker
user, which RabbitMQ checks against the connection's login: the proof of who sent it). It reads
CloudEvents 1.0 from its queue `{ns}.partner.<agency_id>.outcomes`: the answer to each request
(accepted or rejected with the reason), then its bookings' outcomes (`contracts.events`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from contracts.base import Command, Event
from contracts.values import EntityId

IdempotencyKey = Annotated[str, Field(min_length=8, max_length=64, pattern=r"^[\x21-\x7e]+$")]
RequestId = Annotated[str, Field(min_length=1, max_length=255)]
# The values a rejection's text is filled with (the public API's refusal `params`).
Param = str | int | float | bool | None | list[str]


class RequestBooking(Command):
    """Book a room for a client: the fields of `POST /api/bookings`, and the partner's own
    idempotency key (a retry with the same key names the same booking, never a second one)."""

    message_type = "partners.RequestBooking.v1"

    idempotency_key: IdempotencyKey
    client_id: EntityId
    hotel_id: EntityId
    room_type_id: EntityId
    check_in: date
    check_out: date
    guests: Annotated[int, Field(ge=1, le=12)]


class RequestCancellation(Command):
    """Cancel one of the partner's own confirmed bookings."""

    message_type = "partners.RequestCancellation.v1"

    booking_id: EntityId
    reason: str = Field(default="Cancelled at the client's request.", max_length=500)


class PartnerEvent(Event):
    """An answer the platform sends to one partner's queue only, as a CloudEvent."""


class BookingAccepted(PartnerEvent):
    """The booking request was taken: its outcome (`booking.BookingConfirmed.v1` or
    `booking.BookingFailed.v1`) follows for `booking_id`."""

    message_type = "partners.BookingAccepted.v1"

    request_id: RequestId
    booking_id: EntityId
    idempotency_key: IdempotencyKey


class CancellationAccepted(PartnerEvent):
    """The cancellation request was taken: `booking.BookingCancelled.v1` follows."""

    message_type = "partners.CancellationAccepted.v1"

    request_id: RequestId
    booking_id: EntityId


class BookingRejected(PartnerEvent):
    """A request that was not taken, and why: `code` names the case (stable, for programs),
    `reason` says it in English, `params` hold the values the text names. Sending the same
    request again gets the same answer; fix it first."""

    message_type = "partners.BookingRejected.v1"

    request_id: RequestId | None  # the request's `message_id`, None when it had none
    request_type: str | None = Field(default=None, max_length=128)
    idempotency_key: str | None = Field(default=None, max_length=64)
    booking_id: EntityId | None = None
    code: str = Field(max_length=64)
    reason: str = Field(max_length=1000)
    params: dict[str, Param] = Field(default_factory=dict)


PARTNER_REQUESTS: tuple[type[Command], ...] = (RequestBooking, RequestCancellation)
PARTNER_EVENTS: tuple[type[PartnerEvent], ...] = (
    BookingAccepted,
    CancellationAccepted,
    BookingRejected,
)
