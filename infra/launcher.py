"""`make up`: every service as a local process, with demo data, until Ctrl-C.

RabbitMQ comes from `AMQP_URL`, else the local server (started if installed and not running).
SQL stores use MySQL when their URL is set, else embedded SQLite under `.run/`. The reservations
store uses `RESERVATIONS_MONGO_URL`, else an embedded MongoDB-protocol server started here.

Broker identities: when `rabbitmqctl` manages that broker (a local one), each service gets a
user of its own with a fresh random password and least-privilege permissions
(`infra.messaging.broker_users`), its own AMQP_URL and BROKER_IDENTITIES on; otherwise every
service shares AMQP_URL's login, and the launcher says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import httpx

from contracts.topology import WEB, Principal, Service, Topology
from infra.messaging.broker_users import (
    SHARED_LOGIN,
    BrokerUsersUnavailable,
    create_broker_users,
    delete_broker_users,
)
from infra.stores.embedded_mongo import embedded_mongo, port_answers

RUN_DIR = Path(".run")
DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
# Where the internal services listen under `make up`: this host only, whatever HTTP_HOST says.
INTERNAL_BIND = {"HTTP_HOST": "127.0.0.1"}


@dataclass(frozen=True)
class Process:
    """One process of the platform, in start order, and the setting that names its port.

    Only the public processes (the agents' app and the dashboard) listen where `HTTP_HOST`
    says; the internal services always bind to 127.0.0.1 under `make up`."""

    name: str
    args: tuple[str, ...]
    port: int
    broker_user: Principal
    port_variable: str = "HTTP_PORT"
    public: bool = False


PROCESSES = (
    Process("rooms", ("-m", "rooms"), 5001, Service.ROOMS),
    Process("clients", ("-m", "clients"), 5002, Service.CLIENTS),
    Process("reservations", ("-m", "reservations"), 5003, Service.RESERVATIONS),
    Process("orchestrator", ("-m", "orchestrator"), 5004, Service.ORCHESTRATOR),
    Process("web", ("-m", "web", "agents"), 5000, WEB, "AGENTS_PORT", public=True),
    Process("dashboard", ("-m", "web", "dashboard"), 5005, WEB, "DASHBOARD_PORT", public=True),
)


def broker_environments(environment: dict[str, str]) -> dict[Principal, dict[str, str]]:
    """Each broker user's AMQP_URL and BROKER_IDENTITIES, when `rabbitmqctl` can create the
    users; else none, and a plain word that only the signatures hold."""
    topology = Topology(environment.get("BOOKING_NAMESPACE", ""))
    try:
        urls = asyncio.run(create_broker_users(environment["AMQP_URL"], topology))
    except BrokerUsersUnavailable as exc:
        print(f"broker identities off ({exc}): {SHARED_LOGIN}.", flush=True)
        return {}
    print("broker identities on: each service has its own RabbitMQ user.", flush=True)
    return {p: {"AMQP_URL": url, "BROKER_IDENTITIES": "true"} for p, url in urls.items()}


def remove_broker_users(environment: dict[str, str]) -> None:
    topology = Topology(environment.get("BOOKING_NAMESPACE", ""))
    try:
        asyncio.run(delete_broker_users(environment["AMQP_URL"], topology))
    except BrokerUsersUnavailable as exc:
        print(f"the broker users were left in place: {exc}", flush=True)


def process_environment(
    process: Process, environment: dict[str, str], brokers: dict[Principal, dict[str, str]]
) -> dict[str, str]:
    own = environment | brokers.get(process.broker_user, {})
    return own if process.public else own | INTERNAL_BIND


def ensure_rabbitmq(amqp_url: str) -> None:
    parsed = urlparse(amqp_url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 5672
    if port_answers(host, port):
        return
    server = shutil.which("rabbitmq-server")
    if host not in ("127.0.0.1", "localhost") or server is None:
        sys.exit(f"RabbitMQ does not answer at {host}:{port}; start it or set AMQP_URL")
    print("starting the local RabbitMQ ...", flush=True)
    subprocess.run([server, "-detached"], check=False)
    deadline = time.monotonic() + 90
    while not port_answers(host, port):
        if time.monotonic() > deadline:
            sys.exit("RabbitMQ did not start within 90 s")
        time.sleep(1)


async def pipe_output(name: str, stream: asyncio.StreamReader) -> None:
    while line := await stream.readline():
        sys.stdout.write(f"{name:>12} | {line.decode(errors='replace')}")
        sys.stdout.flush()


async def wait_healthy(process: Process, within_seconds: float = 90) -> bool:
    deadline = time.monotonic() + within_seconds
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"http://127.0.0.1:{process.port}/health")).status_code == 200:
                    return True
            await asyncio.sleep(0.5)
    return False


async def run(environment: dict[str, str], brokers: dict[Principal, dict[str, str]]) -> int:
    children: list[asyncio.subprocess.Process] = []
    pipes: list[asyncio.Task[None]] = []
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        for process in PROCESSES:
            child = await asyncio.create_subprocess_exec(
                sys.executable,
                *process.args,
                env=process_environment(process, environment, brokers),
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
            )
            children.append(child)
            assert child.stdout is not None
            pipes.append(asyncio.create_task(pipe_output(process.name, child.stdout)))
            if not await wait_healthy(process):
                print(f"{process.name} did not become healthy; stopping", flush=True)
                return 1
        print_welcome(environment)
        exited = [asyncio.create_task(child.wait()) for child in children]
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait([stopping, *exited], return_when=asyncio.FIRST_COMPLETED)
        return 0 if stop.is_set() else 1
    finally:
        await stop_all(children)
        for pipe in pipes:
            pipe.cancel()


async def stop_all(children: list[asyncio.subprocess.Process]) -> None:
    for child in reversed(children):
        if child.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                child.terminate()
    for child in reversed(children):
        try:
            await asyncio.wait_for(child.wait(), 15)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                child.kill()


def print_welcome(environment: dict[str, str]) -> None:
    operator = (
        environment.get("OPERATOR_USERNAME", "operator"),
        environment.get("OPERATOR_PASSWORD", "operator-demo"),
    )
    print(
        "\n"
        "  The booking platform is up.\n"
        "    agents' app and API   http://127.0.0.1:5000   (OpenAPI at /docs)\n"
        "    back office           http://127.0.0.1:5005   (operators, hotel managers)\n"
        "    rooms / clients / reservations / orchestrator  :5001 / :5002 / :5003 / :5004\n"
        "  Demo logins (README: all of them): agent / agent-demo (agent),"
        " lome.manager / agent-demo (agency manager),\n"
        "    hotels.paris / hotel-demo (hotel manager),"
        f" {operator[0]} / {operator[1]} (operator)\n"
        "  Ctrl-C stops everything.\n",
        flush=True,
    )


def main() -> None:
    environment = dict(os.environ)
    environment.setdefault("AMQP_URL", DEFAULT_AMQP_URL)
    environment.setdefault("SEED_DEMO_DATA", "true")
    # A demo: the web apps accept the demo logins (agent-demo, operator-demo) only in demo mode.
    environment.setdefault("DEMO_MODE", "true")
    # The agents' app and the dashboard must accept each other's tokens: one secret for both,
    # made fresh for this run unless the environment gives one.
    environment.setdefault("TOKEN_SECRET", secrets.token_urlsafe(32))
    # Every process signs its commands and replies with one key and refuses what it does not
    # verify: made fresh for this run unless the environment gives one.
    environment.setdefault("SERVICE_KEY", secrets.token_urlsafe(32))
    RUN_DIR.mkdir(exist_ok=True)
    ensure_rabbitmq(environment["AMQP_URL"])
    brokers = broker_environments(environment)
    with contextlib.ExitStack() as stack:
        if brokers:  # the run's users go with it
            stack.callback(remove_broker_users, environment)
        if "RESERVATIONS_MONGO_URL" not in environment:
            url = stack.enter_context(embedded_mongo(RUN_DIR / "mongo", port=27017))
            environment["RESERVATIONS_MONGO_URL"] = url
        sys.exit(asyncio.run(run(environment, brokers)))


if __name__ == "__main__":
    main()
