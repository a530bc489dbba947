"""Messages to and from AMQP: the body is the model's JSON, the envelope the properties."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aio_pika.abc import AbstractIncomingMessage
from pydantic import ValidationError

from contracts.base import Message
from contracts.envelope import (
    CAUSATION_ID_HEADER,
    OCCURRED_AT_HEADER,
    SAGA_ID_HEADER,
    SEQUENCE_HEADER,
    SIGNATURE_HEADER,
    Envelope,
)
from contracts.events import CLOUDEVENTS_CONTENT_TYPE, CloudEvent
from contracts.registry import UnknownMessageType, model_for

JSON_CONTENT_TYPE = "application/json"
# Every message the platform sends is a few KiB at most; a larger body is refused unparsed.
MAX_BODY_BYTES = 1024 * 1024


class InvalidMessage(ValueError):
    """A message that can never be processed; `reason` says why, for the dead-letter queue."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Decoded:
    envelope: Envelope
    message: Message


@dataclass(frozen=True)
class Outgoing:
    """A message ready to publish: the exact bytes and envelope, so a resend is identical."""

    envelope: Envelope
    body: bytes

    @classmethod
    def of(cls, message: Message, envelope: Envelope) -> Outgoing:
        if envelope.message_type != message.message_type:
            raise ValueError(
                f"envelope says {envelope.message_type}, body is {message.message_type}"
            )
        return cls(envelope, message.model_dump_json().encode())

    def amqp_properties(self, signature: str | None = None) -> dict[str, Any]:
        """The AMQP properties and headers; `signature` goes in the `x-signature` header."""
        env = self.envelope
        headers: dict[str, Any] = {
            SAGA_ID_HEADER: env.saga_id,
            OCCURRED_AT_HEADER: env.occurred_at.isoformat(),
        }
        if env.causation_id is not None:
            headers[CAUSATION_ID_HEADER] = env.causation_id
        if env.sequence is not None:
            headers[SEQUENCE_HEADER] = env.sequence
        if signature is not None:
            headers[SIGNATURE_HEADER] = signature
        return {
            "message_id": env.message_id,
            "correlation_id": env.saga_id,
            "message_type": env.message_type,
            "timestamp": env.occurred_at,
            "headers": headers,
            "content_type": JSON_CONTENT_TYPE,
        }


def _header(raw: AbstractIncomingMessage, name: str) -> str | None:
    value = (raw.headers or {}).get(name)
    if isinstance(value, bytes):
        try:
            return value.decode()
        except UnicodeDecodeError:
            raise InvalidMessage(f"header {name} is not UTF-8") from None
    return None if value is None else str(value)


def decode_envelope(raw: AbstractIncomingMessage) -> Envelope:
    missing = [
        name for name, value in (("message_id", raw.message_id), ("type", raw.type)) if not value
    ]
    saga_id = raw.correlation_id or _header(raw, SAGA_ID_HEADER)
    if not saga_id:
        missing.append("correlation_id (saga id)")
    occurred_at: datetime | str | None = _header(raw, OCCURRED_AT_HEADER) or raw.timestamp
    if occurred_at is None:
        missing.append("timestamp")
    if missing:
        raise InvalidMessage(f"missing AMQP properties: {', '.join(missing)}")
    try:
        return Envelope(
            message_id=str(raw.message_id),
            saga_id=str(saga_id),
            causation_id=_header(raw, CAUSATION_ID_HEADER),
            message_type=str(raw.type),
            occurred_at=occurred_at,
            sequence=_header(raw, SEQUENCE_HEADER),
        )
    except ValidationError as exc:
        raise InvalidMessage(f"bad envelope: {_describe(exc)}") from exc


def decode(raw: AbstractIncomingMessage) -> Decoded:
    """The envelope and the validated message of a delivery, whatever its body and properties.
    A public event's body is its CloudEvent (`contracts.events`), whose `data` is the message.

    Raises only `InvalidMessage`, whose reason never quotes the body (it may hold personal data).
    """
    try:
        return _decode(raw)
    except InvalidMessage:
        raise
    except Exception as exc:  # whatever a delivery holds, only InvalidMessage escapes
        raise InvalidMessage(f"undecodable message ({type(exc).__name__})") from exc


def _decode(raw: AbstractIncomingMessage) -> Decoded:
    size = len(raw.body)
    if size > MAX_BODY_BYTES:
        raise InvalidMessage(f"body too large: {size} bytes, the limit is {MAX_BODY_BYTES}")
    envelope = decode_envelope(raw)
    try:
        model = model_for(envelope.message_type)
    except UnknownMessageType as exc:
        raise InvalidMessage(_clip(str(exc))) from exc
    if not raw.body.isascii():
        try:
            raw.body.decode()
        except UnicodeDecodeError:
            raise InvalidMessage(
                f"body is not a valid {envelope.message_type}: not UTF-8 text"
            ) from None
    try:
        if raw.content_type == CLOUDEVENTS_CONTENT_TYPE:  # a public event: the data is the message
            message = cloud_event_of(model).model_validate_json(raw.body).data
        else:
            message = model.model_validate_json(raw.body)
    except ValidationError as exc:
        raise InvalidMessage(
            f"body is not a valid {envelope.message_type}: {_describe(exc)}"
        ) from exc
    except Exception as exc:  # a validator's bug, say; the body stays unquoted
        raise InvalidMessage(
            f"body is not a valid {envelope.message_type}: {type(exc).__name__}"
        ) from exc
    return Decoded(envelope, message)


@functools.cache
def cloud_event_of(model: type[Message]) -> type[CloudEvent[Any]]:
    """`CloudEvent[model]`, built once per message type: pydantic keeps its parametrized
    generics only weakly, so writing `CloudEvent[model]` at each delivery built the class again
    (about 8% of the web process's CPU in py-spy, decoding public events)."""
    return CloudEvent[model]  # type: ignore[valid-type]


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors(include_url=False, include_input=False)[:5]:
        where = ".".join(_clip(str(p), 64) for p in error["loc"]) or "body"
        parts.append(f"{where}: {_clip(error['msg'], 200)}")
    return "; ".join(parts)


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else f"{text[: limit - 3]}..."
