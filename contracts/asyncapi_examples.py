"""The examples of the AsyncAPI document (`contracts.asyncapi`): one of each message other
systems see, ids only, as on the broker. Each is a model instance, so it is valid by
construction, and the contract test checks that its schema takes it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from contracts.base import Message
from contracts.events import (
    BookingCancelled,
    BookingChanged,
    BookingConfirmed,
    BookingFailed,
    PublicEvent,
)
from contracts.partners import (
    BookingAccepted,
    BookingRejected,
    CancellationAccepted,
    RequestBooking,
    RequestCancellation,
)
from contracts.values import Stay

BOOKING_ID = "3f9a2c1e-8d4b-5b7a-9c2e-1a6f0d4b8e21"
REQUEST_ID = "5e0c2b7d-1f3a-4c8e-9b6d-2a7f4e1c0d93"
PARTNER_KEY = "acme-2027-000123"
_STAY = Stay(check_in=date(2027, 1, 12), check_out=date(2027, 1, 14))
_WHERE = {"booking_id": BOOKING_ID, "agency_id": "agency-lome", "hotel_id": "paris-lumiere"}

EXAMPLES: dict[type[PublicEvent], PublicEvent] = {
    BookingConfirmed: BookingConfirmed(
        **_WHERE,
        reservation_id="65f1c0de9b1e4a2f8c3d7e10",
        confirmation_code="8FJCQYWU",
        client_id="c-5b2e9f",
        room_type_id="paris-lumiere-standard-double",
        stay=_STAY,
        total=Decimal("420.00"),
        currency="EUR",
    ),
    BookingFailed: BookingFailed(**_WHERE, reason="No room of this type is free for these dates."),
    BookingCancelled: BookingCancelled(**_WHERE, reason="Cancelled at the client's request."),
    BookingChanged: BookingChanged(
        **_WHERE,
        change_id="7c1d4e2a-0b9f-5e3c-8a6d-2f4b1c9e0a57",
        room_type_id="paris-lumiere-deluxe-king",
        stay=Stay(check_in=date(2027, 1, 12), check_out=date(2027, 1, 15)),
        guests=2,
        total=Decimal("690.00"),
        currency="EUR",
    ),
}

# One example of each message of the partners' channel: requests, then answers.
PARTNER_EXAMPLES: dict[type[Message], Message] = {
    RequestBooking: RequestBooking(
        idempotency_key=PARTNER_KEY,
        client_id="c-5b2e9f",
        hotel_id="paris-lumiere",
        room_type_id="paris-lumiere-standard-double",
        check_in=_STAY.check_in,
        check_out=_STAY.check_out,
        guests=2,
    ),
    RequestCancellation: RequestCancellation(
        booking_id=BOOKING_ID, reason="Cancelled at the client's request."
    ),
    BookingAccepted: BookingAccepted(
        request_id=REQUEST_ID, booking_id=BOOKING_ID, idempotency_key=PARTNER_KEY
    ),
    CancellationAccepted: CancellationAccepted(request_id=REQUEST_ID, booking_id=BOOKING_ID),
    BookingRejected: BookingRejected(
        request_id=REQUEST_ID,
        request_type=RequestBooking.message_type,
        idempotency_key=PARTNER_KEY,
        code="request.invalid",
        reason=(
            "The request is not valid: request: check_in 2020-01-12 is in the past (the "
            "earliest taken is 2026-12-02, yesterday in UTC)."
        ),
        params={"fields": ["request"], "errors": ["stay_check_in_past"]},
    ),
}
