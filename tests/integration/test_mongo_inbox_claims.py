"""A message claimed by an inbox that died is taken over as soon as its holder has gone silent,
not after the whole claim lease; a claim whose holder is alive is waited for, never doubled."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from motor.motor_asyncio import AsyncIOMotorClient, AsyncIOMotorDatabase

from contracts.base import Message, Reply
from contracts.clients import ClientVerified, VerifyClient
from contracts.envelope import Envelope, new_id, utc_now
from infra.messaging.codec import Decoded
from infra.stores.mongo_inbox import CLAIMS_COLLECTION, HOLDERS_COLLECTION, MongoInbox
from tests.support.servers import Server

pytestmark = pytest.mark.integration
# Far longer than any test waits: only a holder gone silent can free a claim here.
FOR_EVER = timedelta(hours=1)


@pytest.fixture
async def database(
    mongodb_server: Server, mongo_database_name: str
) -> AsyncIterator[AsyncIOMotorDatabase[dict[str, Any]]]:
    client: AsyncIOMotorClient[dict[str, Any]] = AsyncIOMotorClient(
        mongodb_server.url, tz_aware=True
    )
    yield client[mongo_database_name]
    client.close()


class JudgingInbox(MongoInbox):
    """An inbox that says when it has judged a claim's holder."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.judged = asyncio.Event()

    async def _gone(self, holder: str) -> bool:
        gone = await super()._gone(holder)
        self.judged.set()
        return gone


def verify() -> Decoded:
    command = VerifyClient(client_id="client-1")
    return Decoded(Envelope.new(command.message_type, new_id()), command)


class Handler:
    """Counts its calls and says it started; answers at once, or when `release` is set."""

    def __init__(self, release: asyncio.Event | None = None) -> None:
        self.calls = 0
        self.started = asyncio.Event()
        self.release = release

    async def __call__(self, message: Message, envelope: Envelope, store: Any) -> Reply:
        self.calls += 1
        self.started.set()
        if self.release is not None:
            await self.release.wait()
        assert isinstance(message, VerifyClient)
        return ClientVerified(client_id=message.client_id)


async def test_a_claim_left_by_a_dead_inbox_is_taken_over_without_waiting_out_the_lease(
    database: AsyncIOMotorDatabase[dict[str, Any]],
) -> None:
    decoded = verify()
    # What a process killed mid-message leaves: its claim, and its last word a minute ago.
    await database[HOLDERS_COLLECTION].insert_one({"_id": "killed", "seen_at": time.time() - 60})
    await database[CLAIMS_COLLECTION].insert_one(
        {"_id": decoded.envelope.message_id, "claimed_at": utc_now(), "holder": "killed"}
    )
    survivor = MongoInbox(database, claim_lease=FOR_EVER)
    await survivor.ensure_indexes()
    handler = Handler()

    async with asyncio.timeout(30):
        result = await survivor.process(decoded, handler)

    assert handler.calls == 1 and not result.duplicate
    assert result.reply.envelope.message_type == ClientVerified.message_type


async def test_a_claim_whose_holder_is_alive_is_waited_for_and_its_reply_shared(
    database: AsyncIOMotorDatabase[dict[str, Any]],
) -> None:
    decoded = verify()
    holder = MongoInbox(database, claim_lease=FOR_EVER)
    other = JudgingInbox(database, claim_lease=FOR_EVER)
    for inbox in (holder, other):
        await inbox.ensure_indexes()
    released = asyncio.Event()
    slow, second = Handler(released), Handler()
    first = asyncio.create_task(holder.process(decoded, slow))
    async with asyncio.timeout(30):
        await slow.started.wait()  # the holder has the claim and is applying the message
    waiting = asyncio.create_task(other.process(decoded, second))
    async with asyncio.timeout(30):
        await other.judged.wait()  # the other delivery looked at the claim's holder
    released.set()

    async with asyncio.timeout(30):
        applied, shared = await asyncio.gather(first, waiting)

    assert slow.calls == 1 and second.calls == 0
    assert not applied.duplicate and shared.duplicate
    assert shared.reply.envelope.message_id == applied.reply.envelope.message_id
