"""The inbox on MongoDB.

No multi-document transaction is assumed (the MongoDB-protocol server used in development has
none), and the booking path only inserts (updates slow down on that server). So a message is
first *claimed* by inserting its id into `inbox_claims`; the one delivery that wins the claim
applies the handler and inserts the reply into `inbox_messages`. A concurrent copy waits for
that reply. A claim whose holder died is taken over; the handler then runs again, which is safe
because handlers are idempotent by business identity (one reservation per saga, enforced by a
unique index).

Each inbox names itself on its claims and says it is alive in `inbox_holders` every couple of
seconds (`keep_alive`). A claim whose holder has not said so for `holder_silence` is taken over
at once: a process killed mid-message holds up its message, and the queue behind it, for a few
seconds, not for the whole `claim_lease` (30 s, measured in `make chaos`: kill-reservations
waited 30.2 s for its first confirmation). The lease still bounds the wait on a claim that
names no holder.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from motor.motor_asyncio import AsyncIOMotorDatabase
from pymongo.errors import DuplicateKeyError

from contracts.envelope import Envelope, new_id, utc_now
from infra.messaging.codec import Decoded, Outgoing
from infra.messaging.inbox import Handler, InboxResult, reply_outgoing

log = structlog.get_logger(__name__)
INBOX_COLLECTION = "inbox_messages"
CLAIMS_COLLECTION = "inbox_claims"
HOLDERS_COLLECTION = "inbox_holders"
POLL_SECONDS = 0.05
ALIVE_EVERY = timedelta(seconds=2)


class MongoInbox:
    def __init__(
        self,
        database: AsyncIOMotorDatabase[dict[str, Any]],
        claim_lease: timedelta = timedelta(seconds=30),
        holder_silence: timedelta = ALIVE_EVERY * 3,
    ) -> None:
        self._database = database
        self._replies = database[INBOX_COLLECTION]
        self._claims = database[CLAIMS_COLLECTION]
        self._claim_lease = claim_lease
        self._holders = database[HOLDERS_COLLECTION]
        self._holder = new_id()  # this inbox, on its claims
        self._holder_silence = holder_silence

    async def ensure_indexes(self) -> None:
        await self._replies.create_index("saga_id")
        await self.say_alive()  # before the first claim: a claim's holder is always on record

    async def say_alive(self) -> None:
        # Seconds since the epoch, not a date: the MongoDB-protocol server used in development
        # gives a date written by an update back as text after it restarts (found by
        # `make chaos`, mongo-stop-60); a number reads back the same on every server.
        await self._holders.update_one(
            {"_id": self._holder}, {"$set": {"seen_at": time.time()}}, upsert=True
        )

    async def keep_alive(self) -> None:
        """Say this inbox is alive every ALIVE_EVERY, for as long as the task runs; a store
        that does not answer meanwhile only delays the next word."""
        while True:
            await asyncio.sleep(ALIVE_EVERY.total_seconds())
            try:
                await self.say_alive()
            except Exception as exc:  # the store is away: its claims keep their lease
                log.warning("inbox holder heartbeat failed", error=type(exc).__name__)

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
        claim = {"_id": message_id, "claimed_at": utc_now(), "holder": self._holder}
        try:
            await self._claims.insert_one(claim)
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
            claim = await self._claims.find_one({"_id": message_id})
            if claim is None:
                return None  # the holder failed and let go: claim again
            holder = claim.get("holder")
            if holder is not None and await self._gone(holder):
                await self._claims.delete_one({"_id": message_id, "holder": holder})
                return None  # its holder died with it: claim again
        stale_before = utc_now() - self._claim_lease
        await self._claims.delete_one({"_id": message_id, "claimed_at": {"$lt": stale_before}})
        return None

    async def _gone(self, holder: str) -> bool:
        """Whether the inbox that made a claim has been silent too long to be alive."""
        alive = await self._holders.find_one({"_id": holder})
        if alive is None:
            return True
        seen_at = alive.get("seen_at")
        if not isinstance(seen_at, int | float):
            return False  # a word this inbox cannot read: the claim keeps its lease
        return seen_at < time.time() - self._holder_silence.total_seconds()

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
