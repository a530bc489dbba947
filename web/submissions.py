"""Submitting a booking or a cancellation to the orchestrator: the one path shared by the public
API (`POST /api/bookings`, `POST /api/bookings/{id}/cancel`) and the partners' channel
(`web.partners`). Each refusal is a `Refusal` with its code and English text; the API answers
with it, the partner channel turns it into a rejection event with the same code and text.
"""

from __future__ import annotations

from typing import Any

from fastapi import status

from contracts.booking import CancelBooking, StartBooking
from contracts.envelope import Envelope
from contracts.topology import Service
from contracts.values import Stay
from infra.messaging.publisher import Publisher
from infra.problems import Refusal
from web.booking_requests import BookingRequests, differing
from web.bookings import BookingRequest, booking_id_for

CANCELLABLE_STATES = frozenset({"CONFIRMED", "CANCELLING", "CANCELLED"})


async def submit_booking(
    publisher: Publisher,
    requests: BookingRequests,
    agency_id: str,
    agent_id: str,
    key: str,
    body: BookingRequest,
) -> str:
    """Send the StartBooking of `body` under the agency's idempotency `key`; the booking's id.
    Answered once the broker holds the command (else a 503 refusal: retry with the same key)."""
    booking_id = booking_id_for(agency_id, key)
    await same_request_as_before(requests, booking_id, body)
    command = StartBooking(
        idempotency_key=key,
        agency_id=agency_id,
        agent_id=agent_id,
        client_id=body.client_id,
        hotel_id=body.hotel_id,
        room_type_id=body.room_type_id,
        stay=Stay(check_in=body.check_in, check_out=body.check_out),
        guests=body.guests,
    )
    try:
        await publisher.send_command(
            Service.ORCHESTRATOR, command, Envelope.new(command.message_type, booking_id)
        )
    except Exception as exc:  # the sender must know the booking was not taken
        raise Refusal(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "booking.not_submitted",
            "The booking could not be submitted (message broker unreachable); "
            "retry with the same Idempotency-Key.",
        ) from exc
    return booking_id


async def same_request_as_before(
    requests: BookingRequests, booking_id: str, body: BookingRequest
) -> None:
    """An Idempotency-Key names one request: reused with another body, it is refused (422, as
    the IETF Idempotency-Key draft says) rather than answered with the first booking."""
    asked = body.model_dump(mode="json")
    differs = differing(await requests.first(booking_id, asked), asked)
    if differs:
        raise Refusal(
            status.HTTP_422_UNPROCESSABLE_ENTITY,
            "booking.key_reused",
            "This Idempotency-Key was already used for another request (it differs in "
            f"{', '.join(differs)}); use a new key for a new booking.",
            {"fields": list(differs)},
        )


async def submit_cancellation(
    publisher: Publisher, saga: dict[str, Any], requested_by: str, reason: str
) -> None:
    """Send the CancelBooking of a booking its requester may see (`saga`, as the orchestrator
    shows it), once the booking may be cancelled."""
    if saga["state"] not in CANCELLABLE_STATES:
        raise Refusal(
            status.HTTP_409_CONFLICT,
            "booking.not_cancellable",
            f"Only a confirmed booking can be cancelled; this one is {saga['state']}.",
            {"status": saga["state"]},
        )
    if (saga.get("data") or {}).get("locked_by"):
        raise Refusal(
            status.HTTP_409_CONFLICT,
            "booking.change_under_way",
            "A change of this booking is under way; cancel it once the change has ended.",
        )
    booking_id = saga["saga_id"]
    command = CancelBooking(booking_saga_id=booking_id, requested_by=requested_by, reason=reason)
    try:
        await publisher.send_command(
            Service.ORCHESTRATOR, command, Envelope.new(command.message_type, booking_id)
        )
    except Exception as exc:
        raise Refusal(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "booking.cancel_not_submitted",
            "The cancellation could not be submitted (message broker unreachable).",
        ) from exc
