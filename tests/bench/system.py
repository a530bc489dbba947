"""What the load generator needs of a system under test: ours, the floor or the Celery baseline.

Each system is started on the same RabbitMQ and the same database servers, with its own
broker namespace and its own databases, and is driven by the same agents and workload.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from tests.bench.workload import BookingRequest, Kind

Status = Literal["confirmed", "failed", "lost"]


@dataclass(frozen=True)
class Servers:
    amqp_url: str  # amqp://guest:guest@127.0.0.1:5672/
    mysql_url: str  # mysql+asyncmy://root@127.0.0.1:3306/ (names no database)
    mongo_url: str  # mongodb://127.0.0.1:PORT/
    run_id: str  # short and unique to this run; prefix of every namespace and database


@dataclass(frozen=True)
class Outcome:
    """How one booking ended, as the agent saw it, and how long that took."""

    booking_id: str
    kind: Kind
    status: Status  # "lost": no end seen before the agent gave up
    latency_seconds: float  # from just before the submit to the outcome
    reason: str | None = None


@dataclass(frozen=True)
class Invariant:
    """One invariant checked after the run; `holds` is None where the system has no such thing."""

    name: str
    holds: bool | None
    detail: str


@dataclass
class ProcessGroup:
    """Processes whose CPU time counts under one label, e.g. "rooms" or "celery: clients"."""

    label: str
    pids: list[int] = field(default_factory=list)
    include_children: bool = False  # prefork pools: the children do the work


class System(Protocol):
    name: str  # "ours", "floor" or "celery"

    async def start(self, servers: Servers, client_ids: Sequence[str]) -> None:
        """Make its databases (with the group and these clients), start its processes."""

    async def book(self, request: BookingRequest) -> Outcome:
        """Submit one booking and follow it to its end; never raises for a failed booking."""

    def processes(self) -> list[ProcessGroup]:
        """The system's own processes (servers are measured by the runner)."""

    async def settle(self, within_seconds: float) -> None:
        """Wait until nothing is left in flight (queues drained, sagas ended) or time is up."""

    async def invariants(self, outcomes: Sequence[Outcome]) -> list[Invariant]:
        """Check the invariants against the stores after the run."""

    async def stop(self) -> None:
        """Stop its processes and remove its databases and broker namespace."""


async def until_quiet(quiet: Callable[[], Awaitable[bool]], within_seconds: float) -> None:
    """Wait until `quiet()` holds on two looks in a row, or time is up."""
    deadline = time.monotonic() + within_seconds
    in_a_row = 0
    while in_a_row < 2 and time.monotonic() < deadline:
        in_a_row = in_a_row + 1 if await quiet() else 0
        await asyncio.sleep(0.25)
