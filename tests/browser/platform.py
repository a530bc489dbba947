"""The whole platform in this process: every service's real app served by uvicorn on a free port.

Each service gets its own MySQL database (created here, dropped after) and the run's broker
namespace; the browser then talks to the web apps over real HTTP like an agent would.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import uuid
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI
from motor.motor_asyncio import AsyncIOMotorClient
from sqlalchemy.engine import make_url

from clients.entrypoints.app import create_app as clients_app
from clients.settings import ClientsSettings
from infra.stores.sql import create_database_if_missing, drop_database
from orchestrator.entrypoints.app import create_app as orchestrator_app
from orchestrator.settings import OrchestratorSettings
from reservations.entrypoints.app import create_app as reservations_app
from reservations.settings import ReservationsSettings
from rooms.entrypoints.app import create_app as rooms_app
from rooms.settings import RoomsSettings
from web.entrypoints.app import create_app as web_app
from web.settings import WebSettings

SERVICES = ("rooms", "clients", "reservations", "orchestrator")
STARTUP_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class Servers:
    amqp_url: str
    mysql_url: str
    mongo_url: str
    namespace: str


@dataclass
class Platform:
    ports: dict[str, int]
    servers: dict[str, uvicorn.Server] = field(default_factory=dict)
    tasks: dict[str, asyncio.Task[None]] = field(default_factory=dict)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    async def start(self, name: str, app: FastAPI) -> None:
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.ports[name], log_config=None, lifespan="on"
        )
        server = uvicorn.Server(config)
        self.servers[name] = server
        self.tasks[name] = asyncio.create_task(server.serve(), name=f"serve-{name}")
        async with asyncio.timeout(STARTUP_TIMEOUT_SECONDS):
            while not server.started:
                if self.tasks[name].done():
                    self.tasks[name].result()  # surfaces the start-up error
                    raise RuntimeError(f"{name} stopped while starting")
                await asyncio.sleep(0.05)

    async def stop(self, name: str) -> None:
        server, task = self.servers.pop(name, None), self.tasks.pop(name, None)
        if server is None or task is None:
            return
        server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 30)

    async def stop_all(self) -> None:
        for name in reversed(list(self.servers)):
            await self.stop(name)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def web_settings(servers: Servers, platform: Platform) -> WebSettings:
    return WebSettings(
        amqp_url=servers.amqp_url,
        booking_namespace=servers.namespace,
        rooms_url=platform.url("rooms"),
        clients_url=platform.url("clients"),
        reservations_url=platform.url("reservations"),
        orchestrator_url=platform.url("orchestrator"),
        agents_port=platform.ports["web"],
        dashboard_port=platform.ports["dashboard"],
        token_secret="browser-tests-secret-0123456789abcdef",
        demo_mode=True,
        sse_keepalive_seconds=2.0,
    )


def service_app(
    name: str, servers: Servers, databases: dict[str, str], tuning: dict[str, float] | None = None
) -> FastAPI:
    amqp_url, namespace = servers.amqp_url, servers.namespace
    if name == "rooms":
        return rooms_app(
            RoomsSettings(
                amqp_url=amqp_url,
                booking_namespace=namespace,
                rooms_db_url=databases["rooms"],
                seed_demo_data=True,
            )
        )
    if name == "clients":
        return clients_app(
            ClientsSettings(
                amqp_url=amqp_url,
                booking_namespace=namespace,
                clients_db_url=databases["clients"],
                seed_demo_data=True,
            )
        )
    if name == "reservations":
        return reservations_app(
            ReservationsSettings(
                amqp_url=amqp_url,
                booking_namespace=namespace,
                reservations_mongo_url=servers.mongo_url,
                reservations_mongo_database=databases["reservations"],
            )
        )
    settings = OrchestratorSettings(
        amqp_url=amqp_url, booking_namespace=namespace, sagas_db_url=databases["orchestrator"]
    )
    return orchestrator_app(settings.model_copy(update=tuning or {}))


@contextlib.asynccontextmanager
async def running_platform(
    servers: Servers,
    services: Iterable[str] = SERVICES,
    orchestrator_tuning: dict[str, float] | None = None,
) -> AsyncIterator[tuple[Platform, dict[str, str]]]:
    """Start the named services plus both web apps; yields the platform and its databases."""
    platform = Platform({name: free_port() for name in (*SERVICES, "web", "dashboard")})
    suffix = uuid.uuid4().hex[:8]
    base = make_url(servers.mysql_url)
    databases = {
        name: base.set(database=f"t_br_{name[:5]}_{suffix}").render_as_string(hide_password=False)
        for name in ("rooms", "clients", "orchestrator")
    }
    databases["reservations"] = f"t_br_resv_{suffix}"
    for name in ("rooms", "clients", "orchestrator"):
        await create_database_if_missing(databases[name])
    try:
        for name in services:
            await platform.start(name, service_app(name, servers, databases, orchestrator_tuning))
        settings = web_settings(servers, platform)
        await platform.start("web", web_app("web", settings))
        await platform.start("dashboard", web_app("dashboard", settings))
        yield platform, databases
    finally:
        await platform.stop_all()
        for name in ("rooms", "clients", "orchestrator"):
            with contextlib.suppress(Exception):
                await drop_database(databases[name])
        mongo: AsyncIOMotorClient[dict[str, Any]] = AsyncIOMotorClient(servers.mongo_url)
        with contextlib.suppress(Exception):
            await mongo.drop_database(databases["reservations"])
        mongo.close()
