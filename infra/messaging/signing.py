"""Message signatures: proof that a command or reply was sent by one of the platform's services.

Anyone with a broker login can publish a well-formed message; only the platform's processes
hold the service key. Every message on the commands and replies exchanges carries, in the
`x-signature` header, an HMAC-SHA256 under that key of a canonical form of what decides its
effect: its id, saga, type, sequence, causation and a SHA-256 of the exact body bytes. A
consumer applies only what verifies. A copy of a signed message (a redelivery, a resend from
the outbox or the inbox, an operator's requeue) verifies again; the inboxes make it harmless.

Pure: no I/O, no settings; the key is handed in.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from contracts.envelope import Envelope

MIN_KEY_BYTES = 32
# Bumped if the canonical form ever changes, so an old signature can never verify a new form.
DOMAIN = "booking-platform.message-signature.v1"


def canonical_form(envelope: Envelope, body: bytes) -> bytes:
    """The exact bytes signed: a JSON array, so no field can run into the next."""
    fields = [
        DOMAIN,
        envelope.message_id,
        envelope.saga_id,
        envelope.message_type,
        envelope.sequence,
        envelope.causation_id,
        hashlib.sha256(body).hexdigest(),
    ]
    return json.dumps(fields, ensure_ascii=True, separators=(",", ":")).encode()


class MessageSigner:
    """Signs and verifies messages with one service key.

    It also carries the process's other proof of origin: `broker_user`, the RabbitMQ user it
    publishes as when the broker vouches for senders (`infra.messaging.identities`), or None
    under one shared broker login, where the signature is the only proof."""

    def __init__(self, key: str | bytes, broker_user: str | None = None) -> None:
        raw = key.encode() if isinstance(key, str) else key
        if len(raw) < MIN_KEY_BYTES:
            raise ValueError(f"a service key needs at least {MIN_KEY_BYTES} bytes")
        self._key = raw
        self.broker_user = broker_user

    def __repr__(self) -> str:  # never the key
        return "MessageSigner(<key>)"

    def sign(self, envelope: Envelope, body: bytes) -> str:
        """The signature (64 hex digits) for the `x-signature` header."""
        return hmac.new(self._key, canonical_form(envelope, body), hashlib.sha256).hexdigest()

    def verify(self, envelope: Envelope, body: bytes, signature: object) -> bool:
        """Whether `signature` (a header's value, whatever its type) is this key's signature of
        the message; compared in constant time."""
        if isinstance(signature, str):
            signature = signature.encode()
        if not isinstance(signature, bytes):
            return False
        return hmac.compare_digest(self.sign(envelope, body).encode(), signature)
