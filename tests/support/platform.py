"""The whole platform as real processes, each on a free port: the one launcher of the
end-to-end, browser, chaos and bench runs.

Every process gets the run's broker namespace and its own databases; any one of them can be
killed (SIGKILL), paused (SIGSTOP) and started again, which is how durability is tested.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

from contracts.topology import Topology
from infra.launcher import PROCESSES
from infra.stores.embedded_mongo import free_port
from infra.stores.sql import create_database_if_missing, drop_database
from tests.conftest import RUN_ID, delete_namespace
from tests.support.signing import service_key

ROOT = Path(__file__).resolve().parents[2]


# The platform behind the public API; the browser tests start the dashboard as well.
SPECS = tuple(process for process in PROCESSES if process.name != "dashboard")
WITH_DASHBOARD = (*(spec.name for spec in SPECS), "dashboard")


@dataclass
class Platform:
    environment: dict[str, str]
    log_dir: Path
    ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    @property
    def namespace(self) -> str:
        return self.environment["BOOKING_NAMESPACE"]

    def start(
        self, name: str, replica_of: str | None = None, settings: dict[str, str] | None = None
    ) -> None:
        """Start `name`; a second copy of a process has its own name and says which it copies."""
        spec = next(s for s in PROCESSES if s.name == (replica_of or name))
        port = self.ports.setdefault(name, free_port())
        environment = self.environment | {spec.port_variable: str(port)}
        environment |= {
            f"{other.upper()}_URL": self.url(other)
            for other in self.ports
            if other != name and any(other == s.name for s in PROCESSES)
        }
        environment |= settings or {}
        log = (self.log_dir / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            [sys.executable, *spec.args], cwd=ROOT, env=environment, stdout=log, stderr=log
        )
        self.wait_healthy(name)

    def kill(self, name: str) -> None:
        process = self.processes.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def pause(self, name: str) -> None:
        """SIGSTOP: the process holds its connections and deliveries and does nothing."""
        self.processes[name].send_signal(signal.SIGSTOP)

    def resume(self, name: str) -> None:
        self.processes[name].send_signal(signal.SIGCONT)

    def stop_all(self) -> None:
        for name in reversed(list(self.processes)):
            process = self.processes.pop(name)
            process.send_signal(signal.SIGCONT)  # a paused process cannot act on SIGTERM
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()

    def wait_healthy(self, name: str, within_seconds: float = 60) -> None:
        deadline = time.monotonic() + within_seconds
        process = self.processes[name]
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(
                    f"{name} exited with {process.returncode}: {self.log_tail(name)}"
                )
            try:
                if httpx.get(f"{self.url(name)}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{name} did not become healthy: {self.log_tail(name)}")

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.log_dir / f"{name}.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def platform_environment(
    amqp_url: str, namespace: str, databases: dict[str, str], mongo_url: str, mongo_database: str
) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.endswith(("_DB_URL", "_MONGO_URL", "_PORT")) and key != "BOOKING_NAMESPACE"
    }
    return environment | {
        "AMQP_URL": amqp_url,
        "BOOKING_NAMESPACE": namespace,
        "ROOMS_DB_URL": databases["rooms"],
        "CLIENTS_DB_URL": databases["clients"],
        "SAGAS_DB_URL": databases["sagas"],
        "ACCOUNTS_DB_URL": databases["accounts"],
        "RESERVATIONS_MONGO_URL": mongo_url,
        "RESERVATIONS_MONGO_DATABASE": mongo_database,
        "SEED_DEMO_DATA": "true",
        "DEMO_MODE": "true",  # the tests sign in with the demo logins
        "LOG_JSON": "true",
        "LOG_LEVEL": "INFO",
        "STEP_DEADLINE_SECONDS": "5",
        "TOKEN_SECRET": "e2e-" + namespace + "-token-secret-0123456789abcdef",
        # One key for every process of the platform, and for the tests that play one of them.
        "SERVICE_KEY": service_key(),
    }


@contextlib.contextmanager
def own_platform(
    prefix: str,
    amqp_url: str,
    mysql_url: str,
    mongo_url: str,
    settings: dict[str, str] | None = None,
    start: Sequence[str] = tuple(spec.name for spec in SPECS),
) -> Iterator[Platform]:
    """A platform of its own: its namespace and databases (named from `prefix`, removed
    after), `settings` over the test defaults, the processes in `start` running."""
    namespace = f"{prefix}{RUN_ID}"
    databases = {
        name: make_url(mysql_url)
        .set(database=f"{prefix}_{RUN_ID}_{name}")
        .render_as_string(hide_password=False)
        for name in ("rooms", "clients", "sagas", "accounts")
    }
    for url in databases.values():
        asyncio.run(create_database_if_missing(url))
    environment = platform_environment(
        amqp_url, namespace, databases, mongo_url, f"{prefix}_{RUN_ID}_reservations"
    )
    with tempfile.TemporaryDirectory(prefix="platform-logs-") as log_dir:
        running = Platform(environment | (settings or {}), Path(log_dir))
        try:
            for name in start:
                running.start(name)
            yield running
        finally:
            running.stop_all()
            for url in databases.values():
                asyncio.run(drop_database(url))
            asyncio.run(delete_namespace(amqp_url, Topology(namespace)))


@dataclass(frozen=True)
class Servers:
    """The broker and the database servers a platform runs on."""

    amqp_url: str
    mysql_url: str
    mongo_url: str


@contextlib.asynccontextmanager
async def running_platform(
    servers: Servers,
    settings: dict[str, str] | None = None,
    start: Sequence[str] = WITH_DASHBOARD,
) -> AsyncIterator[Platform]:
    """`own_platform` for an async test (the browser's): started and stopped off the event
    loop, under a prefix of its own. Its blocking methods (start, kill) go through
    `asyncio.to_thread` likewise."""
    prefix = f"p{uuid.uuid4().hex[:6]}"
    stack = contextlib.ExitStack()
    platform = await asyncio.to_thread(
        stack.enter_context,
        own_platform(
            prefix, servers.amqp_url, servers.mysql_url, servers.mongo_url, settings, start
        ),
    )
    try:
        yield platform
    finally:
        await asyncio.to_thread(stack.close)
