"""Holds per second through the rooms service on MariaDB, at concurrency 16 and 64.

Run: `.venv/bin/python -m tests.bench.bench_rooms_holds [--holds 1500]`

For each level it starts the service as its own process (`python -m rooms`, demo group
seeded, a fresh database and broker namespace), keeps that many `HoldRoom` commands in
flight over the real broker (each waits for its reply), and reports replies per second,
holds per second and latency percentiles. Databases and namespaces are removed after.
Servers: AMQP_URL and TEST_MYSQL_URL, else the local RabbitMQ and MariaDB.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta

import aio_pika
import httpx
from sqlalchemy.engine import make_url

from contracts.envelope import CAUSATION_ID_HEADER, Envelope
from contracts.rooms import HoldRoom
from contracts.topology import REPLIES_ROUTING_KEY, Service, Topology
from contracts.values import Stay
from infra.messaging.codec import Outgoing
from infra.stores.embedded_mongo import free_port
from infra.stores.sql import create_database_if_missing, drop_database
from rooms.adapters.seed import demo_rows
from rooms.adapters.tables import room_types
from tests.conftest import delete_namespace
from tests.support.observer import signed_message
from tests.support.servers import LOCAL_AMQP_URL, LOCAL_MYSQL_URL
from tests.support.signing import service_key

WARM_UP = 50


class Load:
    """Commands out with publisher confirms; replies matched back by causation id."""

    def __init__(self, channel: aio_pika.abc.AbstractChannel, topology: Topology) -> None:
        self._channel = channel
        self._topology = topology
        self._waiting: dict[str, asyncio.Future[str]] = {}

    async def listen(self) -> None:
        self._commands = await self._channel.get_exchange(self._topology.commands.name)
        exchange = await self._channel.get_exchange(self._topology.replies.name)
        queue = await self._channel.declare_queue(exclusive=True)
        await queue.bind(exchange, REPLIES_ROUTING_KEY)
        await queue.consume(self._on_reply, no_ack=True)

    async def _on_reply(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        waiting = self._waiting.pop(str((message.headers or {}).get(CAUSATION_ID_HEADER)), None)
        if waiting is not None and not waiting.done():
            waiting.set_result(str(message.type))

    async def hold(self, command: HoldRoom) -> tuple[str, float]:
        envelope = Envelope.new(command.message_type, str(uuid.uuid4()))
        outgoing = Outgoing.of(command, envelope)
        reply: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._waiting[envelope.message_id] = reply
        started = time.perf_counter()
        await self._commands.publish(signed_message(outgoing), routing_key=str(Service.ROOMS))
        reply_type = await asyncio.wait_for(reply, timeout=120)
        return reply_type, time.perf_counter() - started


def random_holds(count: int, seed: int) -> list[HoldRoom]:
    """Stays of 1 to 4 nights over the next year, on every room type of the demo group."""
    rng = random.Random(seed)
    types = [(row["hotel_id"], row["id"]) for row in demo_rows()[room_types]]
    first = date.today() + timedelta(days=2)
    commands = []
    for _ in range(count):
        hotel_id, room_type_id = rng.choice(types)
        check_in = first + timedelta(days=rng.randrange(360))
        stay = Stay(check_in=check_in, check_out=check_in + timedelta(days=rng.randint(1, 4)))
        commands.append(HoldRoom(hotel_id=hotel_id, room_type_id=room_type_id, stay=stay, guests=1))
    return commands


async def drive(load: Load, commands: list[HoldRoom], concurrency: int) -> list[tuple[str, float]]:
    pending = iter(commands)
    results: list[tuple[str, float]] = []

    async def agent() -> None:
        for command in pending:
            results.append(await load.hold(command))

    await asyncio.gather(*(agent() for _ in range(concurrency)))
    return results


@contextlib.asynccontextmanager
async def rooms_process(
    amqp_url: str, db_url: str, namespace: str, concurrency: int
) -> AsyncIterator[None]:
    port = free_port()
    environment = os.environ | {
        "AMQP_URL": amqp_url,
        "ROOMS_DB_URL": db_url,
        "BOOKING_NAMESPACE": namespace,
        "PREFETCH_COUNT": str(concurrency),
        "DB_POOL_SIZE": str(min(concurrency, 32)),
        "SEED_DEMO_DATA": "true",
        "HTTP_PORT": str(port),
        "LOG_LEVEL": "WARNING",
        "SERVICE_KEY": service_key(),
    }
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "rooms", env=environment)
    try:
        await wait_healthy(f"http://127.0.0.1:{port}/health", process)
        yield
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 30)


async def wait_healthy(url: str, process: asyncio.subprocess.Process) -> None:
    async with httpx.AsyncClient() as client, asyncio.timeout(90):
        while process.returncode is None:
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(url)).status_code == 200:
                    return
            await asyncio.sleep(0.3)
    raise RuntimeError(f"the rooms service exited with code {process.returncode}")


async def run_level(
    amqp_url: str, mysql_url: str, concurrency: int, holds: int
) -> dict[str, object]:
    suffix = uuid.uuid4().hex[:8]
    db_url = (
        make_url(mysql_url)
        .set(database=f"bench_rooms_{suffix}")
        .render_as_string(hide_password=False)
    )
    topology = Topology(f"bench-{suffix}")
    await create_database_if_missing(db_url)
    connection = await aio_pika.connect_robust(amqp_url)
    try:
        async with rooms_process(amqp_url, db_url, topology.namespace, concurrency):
            load = Load(await connection.channel(publisher_confirms=True), topology)
            await load.listen()
            commands = random_holds(WARM_UP + holds, seed=concurrency)
            await drive(load, commands[:WARM_UP], concurrency)
            started = time.perf_counter()
            results = await drive(load, commands[WARM_UP:], concurrency)
            elapsed = time.perf_counter() - started
    finally:
        await connection.close()
        await delete_namespace(amqp_url, topology)
        await drop_database(db_url)
    return summary(concurrency, results, elapsed)


def summary(
    concurrency: int, results: list[tuple[str, float]], elapsed: float
) -> dict[str, object]:
    latencies = sorted(latency for _, latency in results)
    held = sum(1 for reply_type, _ in results if reply_type == "rooms.RoomHeld.v1")
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "concurrency": concurrency,
        "commands": len(results),
        "held": held,
        "unavailable": len(results) - held,
        "seconds": round(elapsed, 2),
        "replies_per_second": round(len(results) / elapsed, 1),
        "holds_per_second": round(held / elapsed, 1),
        "latency_ms": {
            "p50": round(cuts[49] * 1000, 1),
            "p95": round(cuts[94] * 1000, 1),
            "p99": round(cuts[98] * 1000, 1),
        },
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--holds", type=int, default=1500, help="measured commands per level")
    parser.add_argument("--levels", type=int, nargs="+", default=[16, 64])
    arguments = parser.parse_args()
    amqp_url = os.environ.get("AMQP_URL", LOCAL_AMQP_URL)
    mysql_url = os.environ.get("TEST_MYSQL_URL", LOCAL_MYSQL_URL)
    for concurrency in arguments.levels:
        print(
            json.dumps(await run_level(amqp_url, mysql_url, concurrency, arguments.holds)),
            flush=True,
        )


if __name__ == "__main__":
    asyncio.run(main())
