"""The envelope every message carries as AMQP properties and headers.

AMQP property    | envelope field
-----------------|---------------
message_id       | message_id
correlation_id   | saga_id
type             | message_type (`rooms.HoldRoom.v1`)
timestamp        | occurred_at (second precision; the exact instant is in a header)
headers          | causation_id, saga_id, occurred_at (ISO 8601), sequence

`sequence` orders the commands of one saga: the orchestrator stamps each command with the
saga's revision at the transition that decided it, and a participant never applies a command
older than one it already applied for that saga (a pause, a redelivery or a second replica can
otherwise hand it an old HoldRoom after the ReleaseHold that undid it).

`x-signature` proves that a command or reply was sent by one of the platform's services (an
HMAC under the platform's service key, `infra/messaging/signing.py`); a consumer dead-letters
whatever does not carry a valid one. Events and dead letters are not signed.

`traceparent` (W3C trace context) is added by a sender that traces (infra/tracing.py) and read
by its consumer; it is not part of the envelope, nor of what is signed.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

CAUSATION_ID_HEADER = "x-causation-id"
SAGA_ID_HEADER = "x-saga-id"
OCCURRED_AT_HEADER = "x-occurred-at"
SEQUENCE_HEADER = "x-saga-sequence"
SIGNATURE_HEADER = "x-signature"
DEAD_LETTER_REASON_HEADER = "x-dead-letter-reason"
DEAD_LETTER_QUEUE_HEADER = "x-dead-letter-queue"
# The `user-id` a message carried when a consumer dead-lettered it (the copy carries its own).
DEAD_LETTER_ORIGINAL_USER_HEADER = "x-dead-letter-original-user"


def new_id() -> str:
    return str(uuid.uuid4())


def utc_now() -> datetime:
    return datetime.now(UTC)


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True)

    message_id: str = Field(min_length=1, max_length=64)
    saga_id: str = Field(min_length=1, max_length=64)
    causation_id: str | None = Field(default=None, max_length=64)
    message_type: str = Field(min_length=1, max_length=128)
    occurred_at: AwareDatetime
    sequence: int | None = Field(default=None, ge=0, le=2**62)

    @classmethod
    def new(cls, message_type: str, saga_id: str, causation_id: str | None = None) -> Envelope:
        return cls(
            message_id=new_id(),
            saga_id=saga_id,
            causation_id=causation_id,
            message_type=message_type,
            occurred_at=utc_now(),
        )

    def caused(self, message_type: str) -> Envelope:
        """The envelope of a message sent because of this one, in the same saga."""
        return Envelope.new(message_type, self.saga_id, causation_id=self.message_id)
