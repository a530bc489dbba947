"""One service of the floor: a bare aio-pika consumer doing one store operation per request.

Run: `python -m tests.bench.floor_worker <rooms|clients|reservations>`, configured by
FLOOR_AMQP_URL, FLOOR_QUEUE, FLOOR_DB_URL (rooms, clients: a SQLAlchemy-style MySQL URL naming
the database) and FLOOR_MONGO_URL, FLOOR_MONGO_DATABASE (reservations).

Requests and replies are plain JSON. Each request is answered on its `reply_to` queue (through
the default exchange, with publisher confirms) with its `correlation_id`, and acked only once
the reply is published. No framework, no pydantic: the least the broker and the stores allow.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import aio_pika
from asyncmy.errors import IntegrityError, OperationalError
from motor.motor_asyncio import AsyncIOMotorClient
from pymongo.errors import DuplicateKeyError

from tests.bench.baseline_store import (
    CLIENT_STATUS,
    DUPLICATE_KEY,
    FREE_ROOMS,
    HELD_BY,
    RELEASE,
    RESERVATIONS,
    TAKE_NIGHT,
    nights_of,
    open_pool,
)

PREFETCH = 64
POOL_SIZE = 10
QUORUM = {"x-queue-type": "quorum"}
DEADLOCK = 1213  # ER_LOCK_DEADLOCK: the whole hold is tried again
HOLD_ATTEMPTS = 3

Reply = dict[str, Any]
Handler = Callable[[dict[str, Any]], Awaitable[Reply]]
log = logging.getLogger("floor")


@dataclass(frozen=True)
class Settings:
    service: str
    amqp_url: str
    queue: str
    db_url: str
    mongo_url: str
    mongo_database: str

    @classmethod
    def from_environment(cls, service: str) -> Settings:
        return cls(
            service,
            os.environ["FLOOR_AMQP_URL"],
            os.environ["FLOOR_QUEUE"],
            os.environ.get("FLOOR_DB_URL", ""),
            os.environ.get("FLOOR_MONGO_URL", ""),
            os.environ.get("FLOOR_MONGO_DATABASE", ""),
        )


class Rooms:
    """hold: take every night of one free room of the type; release: free the booking's nights."""

    def __init__(self, pool: Any) -> None:
        self._pool = pool

    async def handle(self, request: dict[str, Any]) -> Reply:
        if request["op"] == "release":
            return await self._release(request["booking_id"])
        for attempt in range(1, HOLD_ATTEMPTS + 1):
            try:
                return await self._hold(request)
            except OperationalError as error:
                if error.args[0] != DEADLOCK or attempt == HOLD_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    async def _hold(self, request: dict[str, Any]) -> Reply:
        # Reads and the inserts share one READ COMMITTED transaction: no extra round trips.
        booking_id = request["booking_id"]
        nights = nights_of(request["check_in"], request["check_out"])
        async with self._pool.acquire() as connection, connection.cursor() as cursor:
            await cursor.execute(HELD_BY, (booking_id,))
            held = await cursor.fetchone()
            if held is not None:
                await connection.rollback()
                return {"ok": True, "room_id": str(held[0])}
            stay = (request["room_type_id"], request["check_in"], request["check_out"])
            await cursor.execute(FREE_ROOMS, stay)
            for (room_id,) in await cursor.fetchall():
                if await self._take(connection, cursor, room_id, nights, booking_id):
                    return {"ok": True, "room_id": room_id}
            await connection.rollback()
        return {"ok": False, "reason": "no_room"}

    @staticmethod
    async def _take(
        connection: Any, cursor: Any, room_id: str, nights: list[date], booking_id: str
    ) -> bool:
        try:
            await cursor.executemany(TAKE_NIGHT, [(room_id, night, booking_id) for night in nights])
            await connection.commit()
            return True
        except IntegrityError as error:
            await connection.rollback()
            if error.args[0] != DUPLICATE_KEY:
                raise
            return False
        except BaseException:
            await connection.rollback()
            raise

    async def _release(self, booking_id: str) -> Reply:
        async with self._pool.acquire() as connection, connection.cursor() as cursor:
            await cursor.execute(RELEASE, (booking_id,))
            await connection.commit()
        return {"ok": True}


class Clients:
    """verify: the client exists and is active."""

    def __init__(self, pool: Any) -> None:
        self._pool = pool

    async def handle(self, request: dict[str, Any]) -> Reply:
        async with self._pool.acquire() as connection, connection.cursor() as cursor:
            await cursor.execute(CLIENT_STATUS, (request["client_id"],))
            row = await cursor.fetchone()
        if row is not None and row[0] == "active":
            return {"ok": True}
        return {"ok": False, "reason": "unknown_client"}


class Reservations:
    """reserve: store the reservation document; one already stored counts as done."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection

    async def handle(self, request: dict[str, Any]) -> Reply:
        with contextlib.suppress(DuplicateKeyError):
            await self._collection.insert_one(request["document"])
        return {"ok": True}


def on_message(channel: aio_pika.abc.AbstractChannel, handler: Handler) -> Callable[..., Any]:
    async def consume(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        request = json.loads(message.body)
        try:
            reply = await handler(request)
        except Exception as error:
            # Answer anyway so the agent does not wait 60 s; the log says what went wrong.
            log.exception("%s failed", request.get("op"))
            reply = {"ok": False, "reason": f"error: {type(error).__name__}"}
        reply["op"] = request.get("op")
        await channel.default_exchange.publish(
            aio_pika.Message(
                json.dumps(reply).encode(),
                correlation_id=message.correlation_id,
                content_type="application/json",
            ),
            routing_key=str(message.reply_to),
            mandatory=False,
        )
        await message.ack()

    return consume


async def serve(settings: Settings, handler: Handler) -> None:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(stop_signal, stopping.set)
    connection = await aio_pika.connect_robust(settings.amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        await channel.set_qos(prefetch_count=PREFETCH)
        queue = await channel.declare_queue(settings.queue, durable=True, arguments=QUORUM)
        await queue.consume(on_message(channel, handler))
        log.info("ready: %s consuming %s", settings.service, settings.queue)
        await stopping.wait()
    log.info("stopped")


async def run(settings: Settings) -> None:
    if settings.service == "reservations":
        client: Any = AsyncIOMotorClient(settings.mongo_url)
        try:
            collection = client[settings.mongo_database][RESERVATIONS]
            await serve(settings, Reservations(collection).handle)
        finally:
            client.close()
        return
    pool = await open_pool(settings.db_url, POOL_SIZE, autocommit=settings.service == "clients")
    try:
        service = Rooms(pool) if settings.service == "rooms" else Clients(pool)
        await serve(settings, service.handle)
    finally:
        pool.close()
        await pool.wait_closed()


def main() -> None:
    if len(sys.argv) != 2 or sys.argv[1] not in ("rooms", "clients", "reservations"):
        sys.exit("usage: python -m tests.bench.floor_worker <rooms|clients|reservations>")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    asyncio.run(run(Settings.from_environment(sys.argv[1])))


if __name__ == "__main__":
    main()
