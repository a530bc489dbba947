"""Reading a partner's request: its type, its JSON body, the booking rules of the public API.

Pure: no I/O. Whatever is wrong is a `Rejected` with a code and an English reason, which the
gateway sends back to the partner as `partners.BookingRejected.v1`.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from contracts.partners import BookingRejected, Param, RequestBooking, RequestCancellation
from web.bookings import BookingRequest

PartnerRequest = RequestBooking | RequestCancellation
REQUEST_TYPES: dict[str, type[PartnerRequest]] = {
    RequestBooking.message_type: RequestBooking,
    RequestCancellation.message_type: RequestCancellation,
}
# A request is a few hundred bytes; a larger body is refused unread.
MAX_REQUEST_BYTES = 64 * 1024


class Rejected(Exception):
    """A request the platform does not take, and why."""

    def __init__(
        self,
        code: str,
        reason: str,
        params: dict[str, Param] | None = None,
        booking_id: str | None = None,  # the booking it names, if it names one
    ) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.params = params or {}
        self.booking_id = booking_id

    def event(
        self, request_id: str | None, request_type: str | None, idempotency_key: str | None
    ) -> BookingRejected:
        return BookingRejected(
            request_id=request_id,
            request_type=request_type if request_type in REQUEST_TYPES else None,
            idempotency_key=idempotency_key,
            booking_id=self.booking_id,
            code=self.code,
            reason=self.reason[:1000],
            params=self.params,
        )


def read_request(message_id: str | None, message_type: str | None, body: bytes) -> PartnerRequest:
    """The request a delivery holds, valid by the contract (`contracts.partners`)."""
    if not message_id:
        raise Rejected(
            "request.no_id", "A request carries its own id in the AMQP message_id property."
        )
    model = REQUEST_TYPES.get(message_type or "")
    if model is None:
        raise Rejected(
            "request.unknown_type",
            f"The AMQP type property must be one of {', '.join(REQUEST_TYPES)}.",
            {"types": list(REQUEST_TYPES)},
        )
    json_fields(body)
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        raise invalid(exc) from None


def json_fields(body: bytes) -> dict[str, Any]:
    if len(body) > MAX_REQUEST_BYTES:
        raise Rejected(
            "request.too_large",
            f"The body is {len(body)} bytes; a request is at most {MAX_REQUEST_BYTES}.",
            {"bytes": len(body), "limit": MAX_REQUEST_BYTES},
        )
    try:
        fields = json.loads(body)
    except ValueError:
        fields = None
    if not isinstance(fields, dict):
        raise Rejected("request.not_json", "The body must be a JSON object.")
    return fields


def idempotency_key_in(body: bytes) -> str | None:
    """The idempotency key a body names, if it names one that fits a rejection."""
    try:
        key = json.loads(body).get("idempotency_key")
    except (ValueError, AttributeError):
        return None
    return key if isinstance(key, str) and 0 < len(key) <= 64 else None


def booking_request(body: bytes) -> BookingRequest:
    """A booking request's fields as `POST /api/bookings` takes them, by the same rules (a date
    written YYYY-MM-DD, a stay neither in the past nor longer than a hotel takes)."""
    fields = {k: v for k, v in json_fields(body).items() if k != "idempotency_key"}
    try:
        return BookingRequest.model_validate(fields)
    except ValidationError as exc:
        raise invalid(exc) from None


def invalid(exc: ValidationError) -> Rejected:
    errors = exc.errors(include_url=False, include_input=False)[:10]
    fields = [".".join(str(part) for part in error["loc"]) or "request" for error in errors]
    said = "; ".join(f"{f}: {error['msg']}" for f, error in zip(fields, errors, strict=True))
    return Rejected(
        "request.invalid",
        f"The request is not valid: {said}.",
        {"fields": fields, "errors": [error["type"] for error in errors]},
    )
