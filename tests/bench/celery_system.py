"""The Celery baseline as a system under test: what a Python team would otherwise reach for.

Three Celery workers (rooms, clients, reservations; prefork pool, default concurrency and
prefetch, gossip/mingle/heartbeat off) on the same RabbitMQ, each consuming its own queue
`{run_id}.celery.<service>`. `book()` submits the saga as a Celery chain from a thread pool
(Celery's client is synchronous) and waits for the outcome, which the chain's last task or
its error callback sends to `{run_id}.celery.outcomes`: a queue no worker consumes, read here
with aio-pika and matched to the waiting agent by booking id. No result backend.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

import aio_pika
import pymongo
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractIncomingMessage, AbstractQueue
from celery import Celery
from kombu.exceptions import OperationalError

from tests.bench import checks
from tests.bench.baseline_store import RESERVATIONS, holding_ids
from tests.bench.celery_app import (
    HOLD_ROOM,
    ON_FAILURE,
    OUTCOMES,
    REPORT_OUTCOME,
    SERVICES,
    VERIFY_CLIENT,
    WRITE_RESERVATION,
    Settings,
    make_app,
)
from tests.bench.stores import (
    database_url,
    drop_databases,
    prepare_clients_database,
    prepare_rooms_database,
)
from tests.bench.system import Invariant, Outcome, ProcessGroup, Servers, until_quiet
from tests.bench.workload import BookingRequest

BENCH_AGENCY = uuid.UUID("5d0c4f7e-1111-4b5e-8a7c-0c0ffee0b001")
ROOT = Path(__file__).resolve().parents[2]
OUTCOME_TIMEOUT = 60.0
READY_TIMEOUT = 60.0
STOP_GRACE = 10.0
# Threads that submit chains: as many as Celery's producer pool has connections
# (broker_pool_limit, 10 by default); more would only wait for a connection.
SUBMITTERS = 10


def booking_id_for(request: BookingRequest) -> str:
    return str(uuid.uuid5(BENCH_AGENCY, request.booking_key))


def request_payload(request: BookingRequest, booking_id: str) -> dict[str, Any]:
    payload = asdict(request)
    payload["check_in"] = request.check_in.isoformat()
    payload["check_out"] = request.check_out.isoformat()
    payload["booking_id"] = booking_id
    return payload


def submit_chain(app: Celery, payload: dict[str, Any]) -> None:
    """hold_room | verify_client | write_reservation | report_outcome, errback on every step."""
    sig = app.signature
    saga = sig(HOLD_ROOM, args=(payload,)) | sig(VERIFY_CLIENT) | sig(WRITE_RESERVATION)
    saga = saga | sig(REPORT_OUTCOME)
    saga.link_error(sig(ON_FAILURE))
    saga.apply_async()


def decode_outcome(body: bytes) -> dict[str, Any]:
    """Celery's protocol-2 JSON body is `[args, kwargs, embed]`; the outcome is args[0]."""
    args, _kwargs, _embed = json.loads(body)
    return dict(args[0])


class CelerySystem:
    name = "celery"

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._servers: Servers | None = None
        self._workers: dict[str, subprocess.Popen[bytes]] = {}
        self._log_dir: Path | None = None
        self._connection: AbstractConnection | None = None
        self._outcomes: tuple[AbstractChannel, AbstractQueue, str] | None = None
        self._client: Celery | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}

    # --- start -----------------------------------------------------------------------------

    async def start(self, servers: Servers, client_ids: Sequence[str]) -> None:
        self._servers = servers
        self._settings = settings = Settings(
            broker_url=servers.amqp_url,
            prefix=f"{servers.run_id}.{self.name}.",
            rooms_url=database_url(servers.mysql_url, f"{servers.run_id}_{self.name}_rooms"),
            clients_url=database_url(servers.mysql_url, f"{servers.run_id}_{self.name}_clients"),
            mongo_url=servers.mongo_url,
            mongo_database=f"{servers.run_id}_{self.name}",
        )
        try:
            await prepare_rooms_database(settings.rooms_url, nights_need_a_hold=False)
            await prepare_clients_database(settings.clients_url, client_ids)
            await self._listen_for_outcomes()
            self._start_workers()
            await self._wait_until_consumed(READY_TIMEOUT)
        except BaseException:
            await self.stop()
            raise
        self._client = make_app(settings)
        self._executor = ThreadPoolExecutor(SUBMITTERS, thread_name_prefix="celery-submit")

    async def _listen_for_outcomes(self) -> None:
        assert self._settings is not None
        self._connection = await aio_pika.connect(self._settings.broker_url)
        channel = await self._connection.channel()
        # Declared as Celery declares its queues (durable), so its producers agree with it.
        queue = await channel.declare_queue(self._settings.queue(OUTCOMES), durable=True)
        tag = await queue.consume(self._on_outcome, no_ack=True)
        self._outcomes = (channel, queue, tag)

    async def _on_outcome(self, message: AbstractIncomingMessage) -> None:
        try:
            outcome = decode_outcome(message.body)
        except (ValueError, TypeError, IndexError, KeyError):
            return
        future = self._waiting.get(str(outcome.get("booking_id")))
        if future is not None and not future.done():
            future.set_result(outcome)

    def _start_workers(self) -> None:
        assert self._settings is not None and self._servers is not None
        self._log_dir = Path(tempfile.mkdtemp(prefix=f"{self._servers.run_id}-celery-"))
        environ = {**os.environ, **self._settings.environ()}
        for service in SERVICES:
            command = [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "tests.bench.celery_app",
                "worker",
                "-Q",
                self._settings.queue(service),
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                self._node_name(service),
            ]
            with (self._log_dir / f"{service}.log").open("wb") as log:
                self._workers[service] = subprocess.Popen(
                    command,
                    cwd=ROOT,
                    env=environ,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own process group: the pool children too
                )

    def _node_name(self, service: str) -> str:
        assert self._servers is not None
        return f"{self._servers.run_id}-{service}@{socket.gethostname()}"

    async def _wait_until_consumed(self, within_seconds: float) -> None:
        assert self._settings is not None
        deadline = time.monotonic() + within_seconds
        pending = set(SERVICES)
        while pending:
            for service in sorted(pending):
                self._check_alive(service)
                counts = await self._queue_counts(self._settings.queue(service))
                if counts is not None and counts[1] > 0:
                    pending.discard(service)
            if pending and time.monotonic() > deadline:
                raise RuntimeError(
                    f"celery workers not consuming after {within_seconds}s: {pending}"
                )
            if pending:
                await asyncio.sleep(0.2)

    def _check_alive(self, service: str) -> None:
        process = self._workers[service]
        if process.poll() is not None:
            assert self._log_dir is not None
            log = (self._log_dir / f"{service}.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"celery worker {service} exited ({process.returncode}):\n{log}")

    async def _queue_counts(self, name: str) -> tuple[int, int] | None:
        """(messages ready, consumers) of a queue, None if it does not exist (yet)."""
        assert self._connection is not None
        channel = await self._connection.channel()
        try:
            queue = await channel.declare_queue(name, passive=True)
            result = queue.declaration_result
            return result.message_count or 0, result.consumer_count or 0
        except aio_pika.exceptions.ChannelClosed:
            return None
        finally:
            if not channel.is_closed:
                await channel.close()

    # --- book ------------------------------------------------------------------------------

    async def book(self, request: BookingRequest) -> Outcome:
        assert self._client is not None and self._executor is not None
        booking_id = booking_id_for(request)
        payload = request_payload(request, booking_id)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[dict[str, Any]] = loop.create_future()
        self._waiting[booking_id] = future
        started = time.perf_counter()
        try:
            async with asyncio.timeout(OUTCOME_TIMEOUT):
                await loop.run_in_executor(self._executor, submit_chain, self._client, payload)
                ended = await future
        except TimeoutError:
            return Outcome(booking_id, request.kind, "lost", time.perf_counter() - started)
        except OperationalError as error:  # the broker refused the submit
            elapsed = time.perf_counter() - started
            return Outcome(booking_id, request.kind, "failed", elapsed, f"not submitted: {error}")
        finally:
            self._waiting.pop(booking_id, None)
        elapsed = time.perf_counter() - started
        return Outcome(booking_id, request.kind, ended["status"], elapsed, ended.get("reason"))

    def processes(self) -> list[ProcessGroup]:
        return [
            ProcessGroup(f"celery: {service}", [process.pid], include_children=True)
            for service, process in self._workers.items()
        ]

    # --- after the run ---------------------------------------------------------------------

    async def settle(self, within_seconds: float) -> None:
        """Until every queue is empty and no agent waits, or time is up."""
        await until_quiet(self._quiet, within_seconds)

    async def _quiet(self) -> bool:
        assert self._settings is not None
        if self._waiting:
            return False
        for service in (*SERVICES, OUTCOMES):
            counts = await self._queue_counts(self._settings.queue(service))
            if counts is not None and counts[0] > 0:
                return False
        return True

    async def invariants(self, outcomes: Sequence[Outcome]) -> list[Invariant]:
        documents = await asyncio.to_thread(self._reservation_documents)
        assert self._settings is not None
        holding = await holding_ids(self._settings.rooms_url)
        return checks.baseline_invariants(self.name, outcomes, documents, holding)

    def _reservation_documents(self) -> list[dict[str, Any]]:
        assert self._settings is not None
        client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(self._settings.mongo_url)
        try:
            return list(client[self._settings.mongo_database][RESERVATIONS].find({}))
        finally:
            client.close()

    # --- stop ------------------------------------------------------------------------------

    async def stop(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        if self._client is not None:
            self._client.close()
            self._client = None
        await asyncio.to_thread(self._stop_workers)
        if self._outcomes is not None:
            channel, queue, tag = self._outcomes
            await queue.cancel(tag)
            await channel.close()
            self._outcomes = None
        if self._connection is not None:
            await self._delete_broker_names()
            await self._connection.close()
            self._connection = None
        if self._settings is not None:
            settings = self._settings
            await drop_databases([settings.rooms_url, settings.clients_url])
            await asyncio.to_thread(self._drop_mongo_database)
            self._settings = None
        if self._log_dir is not None:
            shutil.rmtree(self._log_dir, ignore_errors=True)
            self._log_dir = None

    def _stop_workers(self) -> None:
        """SIGTERM (Celery's warm shutdown), SIGKILL to the process group after 10 s."""
        for process in self._workers.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + STOP_GRACE
        for process in self._workers.values():
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                # The pool children are in the worker's process group: kill them with it.
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self._workers.clear()

    async def _delete_broker_names(self) -> None:
        assert self._connection is not None and self._settings is not None
        settings = self._settings
        queues = [settings.queue(name) for name in (*SERVICES, OUTCOMES, "default")]
        pidboxes = [f"{self._node_name(s)}.{settings.control_exchange}.pidbox" for s in SERVICES]
        exchanges = [
            *queues,
            f"{settings.control_exchange}.pidbox",
            f"reply.{settings.control_exchange}.pidbox",
            settings.event_exchange,
        ]
        for name in (*queues, *pidboxes):
            await self._broker_delete("queue", name)
        for name in exchanges:
            await self._broker_delete("exchange", name)

    async def _broker_delete(self, kind: str, name: str) -> None:
        assert self._connection is not None
        channel = await self._connection.channel()
        try:
            if kind == "queue":
                await channel.queue_delete(name)
            else:
                await channel.exchange_delete(name)
        except aio_pika.exceptions.ChannelClosed:
            pass
        finally:
            if not channel.is_closed:
                await channel.close()

    def _drop_mongo_database(self) -> None:
        assert self._settings is not None
        client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(self._settings.mongo_url)
        try:
            client.drop_database(self._settings.mongo_database)
        finally:
            client.close()
