"""A Temporal baseline worker: the booking saga's workflow and its activities.

Run: `python -m tests.bench.temporal_worker [all|workflows|activities]`, configured by the
TEMPORAL_BENCH_* variables of `Settings` (temporal_system.py sets them).

Activities are async (asyncmy for the rooms and clients databases, motor for Mongo) on the
worker's event loop, with the statements and document of baseline_store.py and the transaction
boundaries of the Celery tasks (celery_app.py): autocommit off; a hold reads the booking's room
(a retried hold keeps it) and the free rooms, commits, then takes every night of one room in one
transaction; the client check is one select; the reservation insert counts a duplicate as done.
Business failures are non-retryable ApplicationErrors (temporal_workflows.py); anything else is
raised and retried by Temporal.

Worker settings, and why (see temporal_system.py for the layout):
- max_concurrent_workflow_tasks 64 and max_cached_workflows 1000: every agent's saga can have
  a workflow task in hand and stay in the sticky cache, so no task replays history.
- sticky queues (the SDK's default), nonsticky_to_sticky_poll_ratio 0.2: after the first task a
  saga's next tasks come on this worker's own queue.
- workflow and activity task pollers autoscaled (1 to 32, 8 at first): enough long polls in
  flight that a task never waits for a poller at 64 agents, fewer when idle.
- max_concurrent_activities 128: never the limit at 64 agents (a saga runs one step at a time).
- eager activity execution (the SDK's default) where workflows and activities share a worker:
  the next step comes back with the workflow task's completion, one matching trip less.
- the default sandboxed workflow runner, with this module's store drivers passed through.
- a connection pool of 16 per database: at 64 agents, about a third of them are in a step of
  one database at any time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from asyncmy.errors import IntegrityError
from motor.motor_asyncio import AsyncIOMotorClient, AsyncIOMotorCollection
from pymongo.errors import DuplicateKeyError
from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.worker import PollerBehaviorAutoscaling, Worker

from tests.bench.baseline_store import (
    CLIENT_STATUS,
    DUPLICATE_KEY,
    FREE_ROOMS,
    HELD_BY,
    RELEASE,
    RESERVATIONS,
    TAKE_NIGHT,
    booking_request,
    nights_of,
    open_pool,
    reservation_document,
)
from tests.bench.temporal_workflows import (
    HOLD_ROOM,
    NO_ROOM,
    RELEASE_HOLD,
    UNKNOWN_CLIENT,
    VERIFY_CLIENT,
    WRITE_RESERVATION,
    BookingSaga,
)

ROLES = ("all", "workflows", "activities")
POOL_SIZE = 16
MAX_WORKFLOW_TASKS = 64
MAX_CACHED_WORKFLOWS = 1000
MAX_ACTIVITIES = 128
POLLERS = PollerBehaviorAutoscaling(minimum=1, maximum=32, initial=8)

log = logging.getLogger("temporal-bench")


@dataclass(frozen=True)
class Settings:
    address: str  # host:port of the server's frontend
    namespace: str
    task_queue: str
    rooms_url: str  # mysql+asyncmy://user:password@host:port/database
    clients_url: str
    mongo_url: str
    mongo_database: str

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        return cls(
            address=environ["TEMPORAL_BENCH_ADDRESS"],
            namespace=environ["TEMPORAL_BENCH_NAMESPACE"],
            task_queue=environ["TEMPORAL_BENCH_TASK_QUEUE"],
            rooms_url=environ["TEMPORAL_BENCH_ROOMS_URL"],
            clients_url=environ["TEMPORAL_BENCH_CLIENTS_URL"],
            mongo_url=environ["TEMPORAL_BENCH_MONGO_URL"],
            mongo_database=environ["TEMPORAL_BENCH_MONGO_DB"],
        )

    def environ(self) -> dict[str, str]:
        return {
            "TEMPORAL_BENCH_ADDRESS": self.address,
            "TEMPORAL_BENCH_NAMESPACE": self.namespace,
            "TEMPORAL_BENCH_TASK_QUEUE": self.task_queue,
            "TEMPORAL_BENCH_ROOMS_URL": self.rooms_url,
            "TEMPORAL_BENCH_CLIENTS_URL": self.clients_url,
            "TEMPORAL_BENCH_MONGO_URL": self.mongo_url,
            "TEMPORAL_BENCH_MONGO_DB": self.mongo_database,
        }


class Steps:
    """The saga's activities over one pool per database and one Mongo collection.

    A connection left in a transaction by an error is closed by the pool when released.
    """

    def __init__(self, rooms: Any, clients: Any, reservations: AsyncIOMotorCollection[Any]):
        self._rooms = rooms
        self._clients = clients
        self._reservations = reservations

    def activities(self) -> list[Callable[..., Any]]:
        return [self.hold_room, self.verify_client, self.write_reservation, self.release_hold]

    @activity.defn(name=HOLD_ROOM)
    async def hold_room(self, request: dict[str, Any]) -> str:
        booking_id = request["booking_id"]
        async with self._rooms.acquire() as connection, connection.cursor() as cursor:
            await cursor.execute(HELD_BY, (booking_id,))  # a retried hold keeps its room
            held = await cursor.fetchone()
            if held is not None:
                await connection.commit()
                return str(held[0])
            stay = (request["room_type_id"], request["check_in"], request["check_out"])
            await cursor.execute(FREE_ROOMS, stay)
            candidates = [str(row[0]) for row in await cursor.fetchall()]
            await connection.commit()
            nights = nights_of(request["check_in"], request["check_out"])
            for candidate in candidates:
                if await self._take(connection, cursor, candidate, nights, booking_id):
                    return candidate
        raise ApplicationError(
            f"no {request['room_type_id']} free from {request['check_in']} "
            f"to {request['check_out']}",
            type=NO_ROOM,
            non_retryable=True,
        )

    @staticmethod
    async def _take(
        connection: Any, cursor: Any, room_id: str, nights: list[date], booking_id: str
    ) -> bool:
        """Every night of the stay in one transaction; False if another booking has one."""
        try:
            for night in nights:
                await cursor.execute(TAKE_NIGHT, (room_id, night, booking_id))
            await connection.commit()
            return True
        except IntegrityError as error:
            await connection.rollback()
            if error.args[0] != DUPLICATE_KEY:
                raise
            return False

    @activity.defn(name=VERIFY_CLIENT)
    async def verify_client(self, client_id: str) -> None:
        async with self._clients.acquire() as connection, connection.cursor() as cursor:
            await cursor.execute(CLIENT_STATUS, (client_id,))
            row = await cursor.fetchone()
            await connection.commit()
        if row is None or row[0] != "active":
            raise ApplicationError(
                f"client {client_id} is not an active client",
                type=UNKNOWN_CLIENT,
                non_retryable=True,
            )

    @activity.defn(name=WRITE_RESERVATION)
    async def write_reservation(self, held: dict[str, Any]) -> None:
        document = reservation_document(booking_request(held), held["booking_id"], held["room_id"])
        with contextlib.suppress(DuplicateKeyError):  # a retried write: it is there already
            await self._reservations.insert_one(document)

    @activity.defn(name=RELEASE_HOLD)
    async def release_hold(self, booking_id: str) -> None:
        async with self._rooms.acquire() as connection, connection.cursor() as cursor:
            await cursor.execute(RELEASE, (booking_id,))
            await connection.commit()


def make_worker(client: Client, settings: Settings, role: str, steps: Steps | None) -> Worker:
    runs_workflows = role in ("all", "workflows")
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[BookingSaga] if runs_workflows else [],
        activities=steps.activities() if steps is not None else [],
        max_concurrent_workflow_tasks=MAX_WORKFLOW_TASKS,
        max_cached_workflows=MAX_CACHED_WORKFLOWS if runs_workflows else 0,
        max_concurrent_activities=MAX_ACTIVITIES,
        workflow_task_poller_behavior=POLLERS,
        activity_task_poller_behavior=POLLERS,
        graceful_shutdown_timeout=timedelta(seconds=5),
    )


async def serve(settings: Settings, role: str) -> None:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(stop_signal, stopping.set)
    client = await Client.connect(settings.address, namespace=settings.namespace)
    steps: Steps | None = None
    pools: list[Any] = []
    mongo: Any = None
    if role in ("all", "activities"):
        pools = [
            await open_pool(settings.rooms_url, POOL_SIZE, autocommit=False),
            await open_pool(settings.clients_url, POOL_SIZE, autocommit=False),
        ]
        mongo = AsyncIOMotorClient(settings.mongo_url)
        reservations = mongo[settings.mongo_database][RESERVATIONS]
        steps = Steps(pools[0], pools[1], reservations)
    try:
        worker = make_worker(client, settings, role, steps)
        async with worker:
            log.info("ready: %s on %s", role, settings.task_queue)
            await stopping.wait()
    finally:
        for pool in pools:
            pool.close()
            await pool.wait_closed()
        if mongo is not None:
            mongo.close()
    log.info("stopped")


def main() -> None:
    role = sys.argv[1] if len(sys.argv) > 1 else "all"
    if len(sys.argv) > 2 or role not in ROLES:
        sys.exit("usage: python -m tests.bench.temporal_worker [all|workflows|activities]")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    asyncio.run(serve(Settings.from_environ(os.environ), role))


if __name__ == "__main__":
    main()
