"""The whole platform as real processes for end-to-end tests, each on a free port.

Every process gets the test's broker namespace and its own databases; any one of them can be
killed (SIGKILL) and started again, which is how durability is tested.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from infra.launcher import PROCESSES
from infra.stores.embedded_mongo import free_port
from tests.support.signing import service_key

ROOT = Path(__file__).resolve().parents[2]


# The end-to-end tests drive the public API; the dashboard is tested in the browser tests.
SPECS = tuple(process for process in PROCESSES if process.name != "dashboard")


@dataclass
class Platform:
    environment: dict[str, str]
    log_dir: Path
    ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def start(
        self, name: str, replica_of: str | None = None, settings: dict[str, str] | None = None
    ) -> None:
        """Start `name`; a second copy of a process has its own name and says which it copies."""
        spec = next(s for s in SPECS if s.name == (replica_of or name))
        port = self.ports.setdefault(name, free_port())
        environment = self.environment | {spec.port_variable: str(port)}
        environment |= {
            f"{other.upper()}_URL": self.url(other)
            for other in self.ports
            if other != name and any(other == s.name for s in SPECS)
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
