"""The inbox on MongoDB.

No multi-document transaction is assumed (the MongoDB-protocol server used in development has
none), and the booking path only inserts (updates slow down on that server). So a message is
first *claimed* by inserting its id into `inbox_claims`; the one delivery that wins the claim
applies the handler and inserts the reply into `inbox_messages`. A concurrent copy waits for
that reply. A claim whose holder died (no reply after `claim_lease`) is taken over; the handler
then runs again, which is safe because handlers are idempotent by business identity (one
reservation per saga, enforced by a unique index).
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from motor.motor_asyncio import AsyncIOMotorDatabase
from pymongo.errors import DuplicateKeyError

from contracts.envelope import Envelope, utc_now
from infra.messaging.codec import Decoded, Outgoing
from infra.messaging.inbox import Handler, InboxResult, reply_outgoing

INBOX_COLLECTION = "inbox_messages"
CLAIMS_COLLECTION = "inbox_claims"
POLL_SECONDS = 0.05


class MongoInbox:
    def __init__(
        self,
        database: AsyncIOMotorDatabase[dict[str, Any]],
        claim_lease: timedelta = timedelta(seconds=30),
    ) -> None:
        self._database = database
        self._replies = database[INBOX_COLLECTION]
        self._claims = database[CLAIMS_COLLECTION]
        self._claim_lease = claim_lease

    async def ensure_indexes(self) -> None:
        await self._replies.create_index("saga_id")

    async def process(self, decoded: Decoded, handler: Handler) -> InboxResult:
        envelope = decoded.envelope
        # The claim first: a new message (nearly every one) costs no read of the replies; a
        # claim refused means the message was seen, and its reply is read or waited for.
        while not await self._claim(envelope.message_id):
            stored = await self._find(envelope.message_id)
            if stored is None:
                stored = await self._wait_for_reply(envelope.message_id)
            if stored is not None:
                return InboxResult(stored, duplicate=True)
        try:
            reply = await handler(decoded.message, envelope, self._database)
        except BaseException:
            await self._claims.delete_one({"_id": envelope.message_id})
            raise
        outgoing = reply_outgoing(envelope, reply)
        try:
            await self._replies.insert_one(_document(envelope, outgoing))
        except DuplicateKeyError:
            winner = await self._find(envelope.message_id)
            if winner is None:
                raise
            return InboxResult(winner, duplicate=True)
        return InboxResult(outgoing, duplicate=False)

    async def _claim(self, message_id: str) -> bool:
        try:
            await self._claims.insert_one({"_id": message_id, "claimed_at": utc_now()})
        except DuplicateKeyError:
            return False
        return True

    async def _wait_for_reply(self, message_id: str) -> Outgoing | None:
        """Wait for the claim holder's reply; free a claim whose holder is gone."""
        deadline = time.monotonic() + self._claim_lease.total_seconds()
        while time.monotonic() < deadline:
            await asyncio.sleep(POLL_SECONDS)
            stored = await self._find(message_id)
            if stored is not None:
                return stored
            if await self._claims.find_one({"_id": message_id}) is None:
                return None  # the holder failed and let go: claim again
        stale_before = utc_now() - self._claim_lease
        await self._claims.delete_one({"_id": message_id, "claimed_at": {"$lt": stale_before}})
        return None

    async def _find(self, message_id: str) -> Outgoing | None:
        document = await self._replies.find_one({"_id": message_id})
        if document is None:
            return None
        reply_envelope = Envelope(
            message_id=document["reply_message_id"],
            saga_id=document["saga_id"],
            causation_id=message_id,
            message_type=document["reply_type"],
            occurred_at=_aware(document["reply_occurred_at"]),
        )
        return Outgoing(reply_envelope, document["reply_body"].encode())


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _document(envelope: Envelope, outgoing: Outgoing) -> dict[str, Any]:
    return {
        "_id": envelope.message_id,
        "saga_id": envelope.saga_id,
        "message_type": envelope.message_type,
        "reply_message_id": outgoing.envelope.message_id,
        "reply_type": outgoing.envelope.message_type,
        "reply_body": outgoing.body.decode(),
        "reply_occurred_at": outgoing.envelope.occurred_at,
        "processed_at": utc_now(),
    }
