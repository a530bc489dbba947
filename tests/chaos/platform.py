"""One scenario's platform: fresh databases and namespace, every service as a process (or two)
leading its own process group, so a fault can stop, pause or kill the whole of it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from contracts.topology import Topology
from infra.stores.embedded_mongo import free_port
from tests.bench.stores import (
    database_url,
    drop_databases,
    prepare_clients_database,
    prepare_rooms_database,
)
from tests.chaos.servers import ScenarioServers
from tests.conftest import delete_namespace
from tests.support.platform import ROOT, SPECS, Platform, platform_environment

SERVICES = tuple(spec.name for spec in SPECS)  # in start order
STOP_WITHIN_SECONDS = 15.0
log = logging.getLogger(__name__)


def replica_name(service: str, index: int) -> str:
    """`rooms`, `rooms-2`, ...: the first replica keeps the service's name."""
    return service if index == 0 else f"{service}-{index + 1}"


def service_of(name: str) -> str:
    return name.split("-")[0]


@dataclass
class ChaosPlatform(Platform):
    started: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def names(self, service: str) -> list[str]:
        """The service's replicas, running or not, first one first."""
        return [name for name in self.ports if service_of(name) == service]

    def launch(self, name: str) -> None:
        """Start a replica (again: same port) in its own process group; wait until healthy."""
        spec = next(s for s in SPECS if s.name == service_of(name))
        port = self.ports.setdefault(name, free_port())
        environment = self.environment | {spec.port_variable: str(port)} | self._urls(name)
        with (self.log_dir / f"{name}.log").open("ab") as log_file:
            process = subprocess.Popen(
                [sys.executable, *spec.args],
                cwd=ROOT,
                env=environment,
                stdout=log_file,
                stderr=log_file,
                start_new_session=True,
            )
        self.processes[name] = process
        self.started.append(process)
        self.wait_healthy(name)

    def _urls(self, name: str) -> dict[str, str]:
        """Where the other services are: the first replica, and every replica as a list."""
        urls: dict[str, str] = {}
        for service in {service_of(other) for other in self.ports} - {service_of(name)}:
            replicas = [self.url(other) for other in self.names(service)]
            urls[f"{service.upper()}_URL"] = replicas[0]
            if len(replicas) > 1:
                urls[f"{service.upper()}_URLS"] = ",".join(replicas)
        return urls

    def signal_group(self, name: str, signum: signal.Signals) -> None:
        os.killpg(self.processes[name].pid, signum)

    def kill_group(self, name: str) -> None:
        process = self.processes.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def end_all(self) -> None:
        """Every process this platform ever started, paused or not, ends here."""
        self.processes.clear()
        for process in reversed(self.started):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGCONT)
                os.killpg(process.pid, signal.SIGTERM)
        for process in reversed(self.started):
            try:
                process.wait(timeout=STOP_WITHIN_SECONDS)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@dataclass
class Deployment:
    """The platform of one scenario on its servers, from fresh databases to nothing left."""

    servers: ScenarioServers
    run_id: str  # prefix of the namespace and every database
    replicas: int
    step_deadline_seconds: float
    log_dir: Path

    def __post_init__(self) -> None:
        self.topology = Topology(self.run_id)
        self.databases = {
            service: database_url(self.servers.mysql_url, f"{self.run_id}_{service}")
            for service in ("rooms", "clients", "sagas", "accounts")
        }
        self.mongo_database = self.run_id
        environment = platform_environment(
            self.servers.amqp_url,
            self.run_id,
            self.databases,
            self.servers.mongo.url,
            self.mongo_database,
        )
        environment["STEP_DEADLINE_SECONDS"] = str(self.step_deadline_seconds)
        environment.setdefault("SERVICE_KEY", secrets.token_urlsafe(32))  # this run's own
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.platform = ChaosPlatform(environment, self.log_dir)

    async def start(self, client_ids: Sequence[str]) -> None:
        await prepare_rooms_database(self.databases["rooms"])
        await prepare_clients_database(self.databases["clients"], client_ids)
        # One replica after the other: the first one's migrations run alone.
        for service in SERVICES:
            for index in range(self.replicas):
                await asyncio.to_thread(self.platform.launch, replica_name(service, index))

    def urls(self, service: str) -> list[str]:
        return [self.platform.url(name) for name in self.platform.names(service)]

    def running_urls(self, service: str) -> list[str]:
        names = self.platform.names(service)
        return [self.platform.url(name) for name in names if name in self.platform.processes]

    async def stop(self) -> None:
        """Processes first (never left running), then the databases and the namespace."""
        await asyncio.to_thread(self.platform.end_all)
        try:
            await drop_databases(self.databases.values())
            await delete_namespace(self.servers.amqp_url, self.topology)
        except Exception:
            log.exception("cleaning up %s", self.run_id)
