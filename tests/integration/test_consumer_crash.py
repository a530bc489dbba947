"""A consumer process killed before it acks: the broker redelivers, the effect happens once."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aio_pika
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.clients import ClientVerified, VerifyClient
from contracts.envelope import Envelope, new_id
from contracts.topology import Service, Topology
from infra.messaging.broker import declare_topology, make_broker
from infra.messaging.codec import Outgoing
from infra.runtime import start_broker, subscribe
from infra.stores.sql import make_engine
from tests.support import probe
from tests.support.observer import send_command, watch_replies

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def engine(sql_database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(sql_database_url)
    await probe.create_schema(engine)
    yield engine
    await engine.dispose()


async def run_crashing_probe(
    amqp_url: str, namespace: str, db_url: str, mode: str
) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.support.crashing_probe",
        amqp_url,
        namespace,
        db_url,
        mode,
        cwd=ROOT,
        stdout=subprocess.PIPE,
    )
    assert process.stdout is not None
    async with asyncio.timeout(30):
        assert (await process.stdout.readline()).strip() == b"ready"
    return process


@pytest.mark.parametrize("mode", ["before-commit", "before-ack"])
async def test_a_consumer_killed_before_ack_gets_the_message_again_and_applies_it_once(
    amqp_url: str, topology: Topology, engine: AsyncEngine, sql_database_url: str, mode: str
) -> None:
    setup = make_broker(amqp_url, prefetch_count=1)
    await setup.connect()
    await declare_topology(setup, topology)
    await setup.stop()
    crashing = await run_crashing_probe(amqp_url, topology.namespace, sql_database_url, mode)

    saga_id = new_id()
    command = Outgoing.of(
        VerifyClient(client_id="client-7"), Envelope.new(VerifyClient.message_type, saga_id)
    )
    async with watch_replies(amqp_url, topology) as replies:
        connection = await aio_pika.connect_robust(amqp_url)
        async with connection:
            await send_command(connection, topology, str(Service.CLIENTS), command)
        async with asyncio.timeout(30):
            assert await crashing.wait() == -9, "the probe should have killed itself mid-message"
        assert replies.messages == [], "a consumer that died before publishing sent no reply"
        assert await probe.applied(engine, saga_id) == (1 if mode == "before-ack" else None)

        survivor = make_broker(amqp_url, prefetch_count=1)
        subscribe(
            survivor,
            topology.command_queue(Service.CLIENTS),
            probe.sql_consumer(survivor, topology, engine),
        )
        await start_broker(survivor, topology)
        try:
            (reply,) = await replies.wait_for(1, timeout=30)
            # A marker behind it on the same queue (prefetch 1, one consumer): once its reply
            # is in, any second reply to the first command would have come before it.
            check = VerifyClient(client_id="client-8")
            marker = Outgoing.of(check, Envelope.new(check.message_type, new_id()))
            async with await aio_pika.connect_robust(amqp_url) as connection:
                await send_command(connection, topology, str(Service.CLIENTS), marker)
            await replies.wait_for(2, timeout=30)
        finally:
            await survivor.stop()

    causes = [m.headers["x-causation-id"] for m in replies.messages]
    assert causes == [command.envelope.message_id, marker.envelope.message_id]
    assert reply.type == ClientVerified.message_type
    assert await probe.applied(engine, saga_id) == 1
