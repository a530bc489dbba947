"""Our platform under load: every service as its own process, driven through the public API.

An agent submits `POST /api/bookings` and follows `GET /api/bookings/{id}/events` (SSE) to the
booking's end, as the agents' app does. The invariants are read from each service's store and
from a queue bound to the public events exchange for the whole run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import aio_pika
import aiohttp
import sqlalchemy as sa
from motor.motor_asyncio import AsyncIOMotorClient

from contracts.sagas import TERMINAL_STATES
from contracts.topology import Topology
from infra.stores.embedded_mongo import free_port
from infra.stores.sql import make_engine
from tests.bench import checks
from tests.bench.baseline_store import HOLDING_IDS
from tests.bench.stores import (
    database_url,
    drop_databases,
    prepare_clients_database,
    prepare_rooms_database,
)
from tests.bench.system import Invariant, Outcome, ProcessGroup, Servers
from tests.bench.workload import BookingRequest
from tests.conftest import delete_namespace
from tests.support.platform import SPECS, Platform, platform_environment

TERMINAL = frozenset(str(state) for state in TERMINAL_STATES)
FOLLOW_TIMEOUT_SECONDS = 60.0
REASONS = (("no room", "no_room"), ("client", "unknown_client"))
SAGA_STATES = "SELECT state, COUNT(*) FROM sagas GROUP BY state"
ENDED_SAGAS = "SELECT saga_id, state FROM sagas WHERE state IN ('CONFIRMED', 'FAILED', 'CANCELLED')"
CONFIRMED_HOLD_IDS = "SELECT hold_id FROM holds WHERE status = 'CONFIRMED'"
HELD_COUNT = "SELECT COUNT(*) FROM holds WHERE status = 'HELD'"


class OursSystem:
    name = "ours"

    def __init__(self, agents: int = 64, tracing: bool = False) -> None:
        self._agents = agents
        self._events: list[dict[str, Any]] = []
        # `ours-traced`: every process traces, exporting to a local OTLP sink that only counts
        # what it is sent (tests/support/otlp_receiver.py), a stand-in for the collector, whose
        # own CPU is left out as Jaeger's would be: what is measured is what tracing costs ours.
        self.name = "ours-traced" if tracing else "ours"
        self._sink: subprocess.Popen[bytes] | None = None

    async def start(self, servers: Servers, client_ids: Sequence[str]) -> None:
        prefix = f"{servers.run_id}_{self.name.replace('-', '_')}"
        self._namespace = f"{servers.run_id}-{self.name}"
        self._databases = {
            service: database_url(servers.mysql_url, f"{prefix}_{service}")
            for service in ("rooms", "clients", "sagas", "accounts")
        }
        self._servers = servers
        self._mongo_database = prefix
        await prepare_rooms_database(self._databases["rooms"])
        await prepare_clients_database(self._databases["clients"], client_ids)
        environment = platform_environment(
            servers.amqp_url,
            self._namespace,
            self._databases,
            servers.mongo_url,
            self._mongo_database,
        )
        # Deadlines as in production: a step answered late under load is not a timeout.
        environment["STEP_DEADLINE_SECONDS"] = "30"
        if self.name == "ours-traced":
            environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = self._start_sink()
        self._log_dir = Path(tempfile.mkdtemp(prefix="bench-ours-"))
        self._platform = Platform(environment, self._log_dir)
        for spec in SPECS:
            await asyncio.to_thread(self._platform.start, spec.name)
        await self._listen_to_public_events()
        # aiohttp rather than httpx: the load generator shares the machine with the system it
        # measures, and httpx cost it about three times the CPU per request.
        self._http = aiohttp.ClientSession(
            base_url=self._platform.url("web"),
            timeout=aiohttp.ClientTimeout(total=FOLLOW_TIMEOUT_SECONDS),
            connector=aiohttp.TCPConnector(limit=4 * self._agents),
            raise_for_status=True,
        )
        form = {"username": "agent", "password": "agent-demo"}
        async with self._http.post("/api/auth/token", data=form) as token:
            self._http.headers["Authorization"] = f"Bearer {(await token.json())['access_token']}"

    def _start_sink(self) -> str:
        port = free_port()
        command = [sys.executable, "-m", "tests.support.otlp_receiver", "--port", str(port)]
        self._sink = subprocess.Popen(command, stdout=subprocess.PIPE)
        assert self._sink.stdout is not None
        self._sink.stdout.readline()  # it says where it listens once it does
        return f"http://127.0.0.1:{port}"

    async def _listen_to_public_events(self) -> None:
        self._connection = await aio_pika.connect_robust(self._servers.amqp_url)
        channel = await self._connection.channel()
        exchange = await channel.get_exchange(Topology(self._namespace).events.name)
        queue = await channel.declare_queue(exclusive=True)
        await queue.bind(exchange, "booking.#")

        async def keep(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            self._events.append(json.loads(message.body))

        await queue.consume(keep, no_ack=True)

    async def book(self, request: BookingRequest) -> Outcome:
        started = time.perf_counter()
        body = request.api_body()
        try:
            async with asyncio.timeout(FOLLOW_TIMEOUT_SECONDS):
                async with self._http.post(
                    "/api/bookings", json=body, headers={"Idempotency-Key": request.booking_key}
                ) as accepted:
                    booking_id = (await accepted.json())["booking_id"]
                final = await self._follow(booking_id)
        except (TimeoutError, aiohttp.ClientError) as exc:
            return Outcome(request.booking_key, request.kind, "lost", _since(started), repr(exc))
        elapsed = _since(started)
        if final["status"] == "CONFIRMED":
            return Outcome(booking_id, request.kind, "confirmed", elapsed)
        return Outcome(booking_id, request.kind, "failed", elapsed, _reason(final.get("reason")))

    async def _follow(self, booking_id: str) -> dict[str, Any]:
        last = await last_state(self._http, booking_id)
        if last.get("status") not in TERMINAL:
            raise aiohttp.ClientError(f"the stream of {booking_id} closed before its end")
        return last

    def processes(self) -> list[ProcessGroup]:
        return [
            ProcessGroup(name, [process.pid]) for name, process in self._platform.processes.items()
        ]

    async def settle(self, within_seconds: float) -> None:
        deadline = time.monotonic() + within_seconds
        while time.monotonic() < deadline:
            states = await self._saga_states()
            if all(state in TERMINAL for state in states):
                return
            await asyncio.sleep(0.5)

    async def _saga_states(self) -> Counter[str]:
        return Counter(dict(await self._sql("sagas", SAGA_STATES)))

    async def _sql(self, service: str, query: str) -> list[tuple[Any, ...]]:
        engine = make_engine(self._databases[service])
        try:
            async with engine.connect() as connection:
                return [tuple(row) for row in await connection.execute(sa.text(query))]
        finally:
            await engine.dispose()

    async def invariants(self, outcomes: Sequence[Outcome]) -> list[Invariant]:
        mongo: AsyncIOMotorClient[dict[str, Any]] = AsyncIOMotorClient(self._servers.mongo_url)
        try:
            documents = await mongo[self._mongo_database]["reservations"].find({}).to_list(None)
        finally:
            mongo.close()
        sold = [
            checks.Sold(
                document["saga_id"],
                document["room"]["room_id"],
                date.fromisoformat(document["stay"]["check_in"]),
                date.fromisoformat(document["stay"]["check_out"]),
            )
            for document in documents
            if document["status"] == "CONFIRMED"
        ]
        states = await self._saga_states()
        open_sagas = sum(count for state, count in states.items() if state not in TERMINAL)
        holding = [row[0] for row in await self._sql("rooms", HOLDING_IDS)]
        confirmed_holds = [row[0] for row in await self._sql("rooms", CONFIRMED_HOLD_IDS)]
        held = (await self._sql("rooms", HELD_COUNT))[0][0]
        ended = dict(await self._sql("sagas", ENDED_SAGAS))
        ended_outcome = checks.every_booking_ended(outcomes)
        left = checks.no_hold_left_behind(holding, confirmed_holds)
        return [
            checks.no_room_night_sold_twice(sold),
            Invariant(
                ended_outcome.name,
                bool(ended_outcome.holds) and open_sagas == 0,
                f"{ended_outcome.detail}; saga store: {dict(states)}",
            ),
            Invariant(
                left.name, bool(left.holds) and held == 0, f"{left.detail}; {held} holds still HELD"
            ),
            checks.one_reservation_per_confirmed(outcomes, [d["saga_id"] for d in documents]),
            _one_event_per_ended_saga(ended, self._events),
        ]

    async def stop(self) -> None:
        with contextlib.suppress(Exception):
            await self._http.close()
        await asyncio.to_thread(self._platform.stop_all)
        if self._sink is not None:
            self._sink.terminate()
            self._sink.wait(timeout=10)
        with contextlib.suppress(Exception):
            await self._connection.close()
        await drop_databases(self._databases.values())
        mongo: AsyncIOMotorClient[dict[str, Any]] = AsyncIOMotorClient(self._servers.mongo_url)
        try:
            await mongo.drop_database(self._mongo_database)
        finally:
            mongo.close()
        await delete_namespace(self._servers.amqp_url, Topology(self._namespace))


async def last_state(http: aiohttp.ClientSession, booking_id: str) -> dict[str, Any]:
    """The booking's last state from its SSE stream (which closes at the end); {} if none."""
    return await streamed_state(http, f"/api/bookings/{booking_id}/events")


async def streamed_state(http: aiohttp.ClientSession, path: str) -> dict[str, Any]:
    """The last `state` an SSE stream sent before it closed; {} if none."""
    last: dict[str, Any] = {}
    event = "message"
    async with http.get(path) as response:
        async for raw in response.content:
            line = raw.decode()
            if line.startswith("event:"):
                event = line.removeprefix("event:").strip()
            elif line.startswith("data:") and event == "state":
                last = json.loads(line.removeprefix("data:"))
    return last


def _one_event_per_ended_saga(ended: dict[str, str], events: list[dict[str, Any]]) -> Invariant:
    per_saga = Counter(event["subject"] for event in {e["id"]: e for e in events}.values())
    missing = [saga for saga in ended if per_saga[saga] == 0]
    extra = [saga for saga, count in per_saga.items() if count > 1 or saga not in ended]
    return Invariant(
        "one public event per ended saga",
        not (missing or extra),
        f"{len(ended)} sagas ended, {len(events)} events delivered "
        f"({len(per_saga)} sagas), {len(missing)} without one, {len(extra)} with more or unended",
    )


def _reason(text: str | None) -> str:
    lowered = (text or "").lower()
    return next((code for word, code in REASONS if word in lowered), lowered or "unknown")


def _since(started: float) -> float:
    return time.perf_counter() - started
