"""The floor: what the broker and the stores allow on this machine, with nothing on top.

Three bare aio-pika workers (`tests.bench.floor_worker`: rooms, clients, reservations), one
quorum queue each, doing the same three store operations as the platform. The agent drives the
chain itself, request/reply over one exclusive reply queue: hold a room, verify the client,
store the reservation; a failed client check releases the hold. No saga store, no framework,
no events: a booking the agent gives up on is simply lost.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aio_pika
from motor.motor_asyncio import AsyncIOMotorClient

from tests.bench import checks, stores
from tests.bench.baseline_store import RESERVATIONS, holding_ids, reservation_document
from tests.bench.system import Invariant, Outcome, ProcessGroup, Servers, Status
from tests.bench.workload import BookingRequest

BENCH_AGENCY = uuid.UUID("5d0c4f7e-1111-4b5e-8a7c-0c0ffee0b001")
SERVICES = ("rooms", "clients", "reservations")
QUORUM = {"x-queue-type": "quorum"}
REPO = Path(__file__).resolve().parents[2]
BOOKING_TIMEOUT = 60.0
READY_TIMEOUT = 60.0
STOP_GRACE = 10.0

Reply = dict[str, Any]


class WorkerFailed(RuntimeError):
    pass


class FloorSystem:
    name = "floor"

    _servers: Servers
    _channel: aio_pika.abc.AbstractChannel
    _reply_to: str

    def __init__(self) -> None:
        self._workers: dict[str, asyncio.subprocess.Process] = {}
        self._waiting: dict[str, tuple[str, asyncio.Future[Reply]]] = {}
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None
        self._control: aio_pika.abc.AbstractRobustChannel | None = None
        self._mongo: Any = None
        self._log_dir: Path | None = None

    # Names -------------------------------------------------------------------------------

    def _queue(self, service: str) -> str:
        return f"{self._servers.run_id}.floor.{service}"

    def _db_url(self, service: str) -> str:
        name = f"{self._servers.run_id}_floor_{service}"
        return stores.database_url(self._servers.mysql_url, name)

    @property
    def _mongo_database(self) -> str:
        return f"{self._servers.run_id}_floor"

    # Lifecycle ---------------------------------------------------------------------------

    async def start(self, servers: Servers, client_ids: Sequence[str]) -> None:
        self._servers = servers
        self._log_dir = Path(tempfile.mkdtemp(prefix=f"{servers.run_id}-floor-"))
        self._mongo = AsyncIOMotorClient(servers.mongo_url)
        try:
            await stores.prepare_rooms_database(self._db_url("rooms"), nights_need_a_hold=False)
            await stores.prepare_clients_database(self._db_url("clients"), client_ids)
            await self._connect()
            for service in SERVICES:
                await self._spawn(service)
            await self._wait_for_consumers()
        except BaseException:
            await self.stop()
            raise

    async def _connect(self) -> None:
        self._connection = await aio_pika.connect_robust(self._servers.amqp_url)
        self._control = control = await self._connection.channel()
        for service in SERVICES:
            await control.declare_queue(
                self._queue(service), durable=True, arguments=QUORUM, robust=False
            )
        self._channel = await self._connection.channel(publisher_confirms=True)
        # Named by us, not by the server: a robust channel can declare it again on reconnect.
        replies = await self._channel.declare_queue(
            self._queue(f"replies.{uuid.uuid4().hex[:8]}"), exclusive=True, auto_delete=True
        )
        self._reply_to = replies.name
        await replies.consume(self._on_reply, no_ack=True)

    def _log_path(self, service: str) -> Path:
        assert self._log_dir is not None
        return self._log_dir / f"{service}.log"

    async def _spawn(self, service: str) -> None:
        environment = {
            **os.environ,
            "FLOOR_AMQP_URL": self._servers.amqp_url,
            "FLOOR_QUEUE": self._queue(service),
            "FLOOR_DB_URL": self._db_url(service) if service != "reservations" else "",
            "FLOOR_MONGO_URL": self._servers.mongo_url,
            "FLOOR_MONGO_DATABASE": self._mongo_database,
        }
        with self._log_path(service).open("wb") as log:
            self._workers[service] = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tests.bench.floor_worker",
                service,
                cwd=REPO,
                env=environment,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )

    async def _wait_for_consumers(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        waiting = set(SERVICES)
        while waiting:
            for service in list(waiting):
                self._ensure_running(service)
                if (await self._declared(service)).consumer_count > 0:
                    waiting.discard(service)
            if time.monotonic() > deadline:
                late = ", ".join(sorted(waiting))
                raise WorkerFailed(f"floor workers not ready in {READY_TIMEOUT}s: {late}")
            await asyncio.sleep(0.1)

    def _ensure_running(self, service: str) -> None:
        process = self._workers[service]
        if process.returncode is None:
            return
        tail = self._log_path(service).read_text(errors="replace")[-2000:]
        raise WorkerFailed(f"floor {service} worker exited ({process.returncode}):\n{tail}")

    async def _declared(self, service: str) -> Any:
        assert self._control is not None
        # Not robust: a robust channel answers a passive declare from its cache.
        queue = await self._control.declare_queue(self._queue(service), passive=True, robust=False)
        return queue.declaration_result

    def processes(self) -> list[ProcessGroup]:
        return [
            ProcessGroup(f"floor: {service}", [process.pid])
            for service, process in self._workers.items()
        ]

    async def settle(self, within_seconds: float) -> None:
        deadline = time.monotonic() + within_seconds
        while time.monotonic() < deadline:
            counts = [(await self._declared(service)).message_count for service in SERVICES]
            if not any(counts):
                return
            await asyncio.sleep(0.2)

    async def stop(self) -> None:
        await asyncio.gather(*(self._end(process) for process in self._workers.values()))
        self._workers.clear()
        if self._control is not None:
            for service in SERVICES:
                await self._control.queue_delete(self._queue(service))
            self._control = None
        if self._connection is not None:
            await self._connection.close()
            self._connection = None
        await stores.drop_databases([self._db_url("rooms"), self._db_url("clients")])
        if self._mongo is not None:
            await self._mongo.drop_database(self._mongo_database)
            self._mongo.close()
            self._mongo = None
        if self._log_dir is not None:
            shutil.rmtree(self._log_dir, ignore_errors=True)

    @staticmethod
    async def _end(process: asyncio.subprocess.Process) -> None:
        if process.returncode is not None:
            return
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), STOP_GRACE)
        except TimeoutError:
            process.kill()
            await process.wait()

    # Booking -----------------------------------------------------------------------------

    async def book(self, request: BookingRequest) -> Outcome:
        booking_id = str(uuid.uuid5(BENCH_AGENCY, request.booking_key))
        started = time.perf_counter()
        try:
            async with asyncio.timeout(BOOKING_TIMEOUT):
                status, reason = await self._chain(request, booking_id)
        except TimeoutError:
            self._waiting.pop(booking_id, None)
            status, reason = "lost", None
        return Outcome(booking_id, request.kind, status, time.perf_counter() - started, reason)

    async def _chain(self, request: BookingRequest, booking_id: str) -> tuple[Status, str | None]:
        hold = await self._call("rooms", booking_id, _hold(request, booking_id))
        if not hold["ok"]:
            return "failed", hold["reason"]
        checked = await self._call("clients", booking_id, _verify(request))
        if checked["ok"]:
            document = reservation_document(request, booking_id, hold["room_id"])
            stored = await self._call("reservations", booking_id, _reserve(document))
            if stored["ok"]:
                return "confirmed", None
            checked = stored
        await self._call("rooms", booking_id, {"op": "release", "booking_id": booking_id})
        return "failed", checked["reason"]

    async def _call(self, service: str, correlation_id: str, request: dict[str, Any]) -> Reply:
        reply: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._waiting[correlation_id] = (request["op"], reply)
        message = aio_pika.Message(
            json.dumps(request).encode(),
            correlation_id=correlation_id,
            reply_to=self._reply_to,
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        await self._channel.default_exchange.publish(message, routing_key=self._queue(service))
        return await reply

    def _on_reply(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        reply = json.loads(message.body)
        correlation_id = str(message.correlation_id)
        waiting = self._waiting.get(correlation_id)
        # A late duplicate of an earlier step's reply must not answer the current step.
        if waiting is None or waiting[0] != reply.get("op"):
            return
        del self._waiting[correlation_id]
        if not waiting[1].done():
            waiting[1].set_result(reply)

    # Invariants --------------------------------------------------------------------------

    async def invariants(self, outcomes: Sequence[Outcome]) -> list[Invariant]:
        collection = self._mongo[self._mongo_database][RESERVATIONS]
        documents = await collection.find({}).to_list(None)
        return checks.baseline_invariants(
            self.name, outcomes, documents, await holding_ids(self._db_url("rooms"))
        )


def _hold(request: BookingRequest, booking_id: str) -> dict[str, Any]:
    return {
        "op": "hold",
        "booking_id": booking_id,
        "room_type_id": request.room_type_id,
        "check_in": request.check_in.isoformat(),
        "check_out": request.check_out.isoformat(),
    }


def _verify(request: BookingRequest) -> dict[str, Any]:
    return {"op": "verify", "client_id": request.client_id}


def _reserve(document: dict[str, Any]) -> dict[str, Any]:
    return {"op": "reserve", "document": document}
