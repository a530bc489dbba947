"""One system under load: agents submitting bookings for a set time, then the invariants."""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.bench.measure import CpuMeter, Profiler, percentile, server_groups
from tests.bench.system import Outcome, ProcessGroup, Servers, System
from tests.bench.workload import Workload

SETTLE_SECONDS = 90.0


@dataclass(frozen=True)
class LoadPlan:
    agents: int
    seconds: float
    warm_up_seconds: float
    client_ids: list[str]
    profile_dir: Path | None = None
    # After the load, one agent alone for this long: what an agent feels when all is quiet.
    alone_seconds: float = 10.0


@dataclass
class Timed:
    ended_at: float
    outcome: Outcome


@dataclass
class Agents:
    """N agents, each booking and following its booking to the end, one after another."""

    system: System
    workload: Workload
    timeline: list[Timed] = field(default_factory=list)

    async def run_until(self, agents: int, deadline: float) -> None:
        async def agent() -> None:
            while time.monotonic() < deadline:
                outcome = await self.system.book(self.workload.next())
                self.timeline.append(Timed(time.monotonic(), outcome))

        await asyncio.gather(*(agent() for _ in range(agents)))


async def measure(system: System, servers: Servers, plan: LoadPlan) -> dict[str, Any]:
    await system.start(servers, plan.client_ids)
    try:
        agents = Agents(system, Workload(plan.client_ids))
        print(f"[{system.name}] warming up for {plan.warm_up_seconds:.0f} s", flush=True)
        await agents.run_until(plan.agents, time.monotonic() + plan.warm_up_seconds)
        meter = CpuMeter([*system.processes(), *server_groups(), _load_generator()])
        profiler = Profiler(plan.profile_dir / system.name) if plan.profile_dir else None
        if profiler:
            profiler.start(system.processes(), plan.seconds)
        print(f"[{system.name}] {plan.agents} agents for {plan.seconds:.0f} s", flush=True)
        meter.begin()
        window_start = time.monotonic()
        window_end = window_start + plan.seconds
        await agents.run_until(plan.agents, window_end)
        cpu = meter.end()
        profile = profiler.finish() if profiler else {}
        alone: list[Outcome] = []
        if plan.alone_seconds > 0:
            await system.settle(SETTLE_SECONDS)
            print(f"[{system.name}] one agent alone for {plan.alone_seconds:.0f} s", flush=True)
            alone_from = len(agents.timeline)
            await agents.run_until(1, time.monotonic() + plan.alone_seconds)
            alone = [t.outcome for t in agents.timeline[alone_from:]]
        print(f"[{system.name}] settling, then checking the invariants", flush=True)
        await system.settle(SETTLE_SECONDS)
        invariants = await system.invariants([t.outcome for t in agents.timeline])
    finally:
        await system.stop()
    in_window = [t.outcome for t in agents.timeline if window_start <= t.ended_at <= window_end]
    summary = summarize(system.name, plan, in_window, cpu, invariants, profile)
    summary["one_agent"] = one_agent(alone)
    # Bookings without an end are reported from the whole run, warm-up included.
    lost = (t.outcome for t in agents.timeline if t.outcome.status == "lost")
    summary["lost_reasons"] = dict(Counter(o.reason or "" for o in lost))
    return summary


def _load_generator() -> ProcessGroup:
    return ProcessGroup("load generator", [os.getpid()])


def one_agent(outcomes: list[Outcome]) -> dict[str, Any]:
    """Latency with one agent alone (submit-to-outcome, every outcome that ended)."""
    latencies = [o.latency_seconds * 1000 for o in outcomes if o.status != "lost"]
    return {
        "bookings": len(outcomes),
        "p50": round(percentile(latencies, 0.50), 1),
        "p99": round(percentile(latencies, 0.99), 1),
    }


def summarize(
    name: str,
    plan: LoadPlan,
    outcomes: list[Outcome],
    cpu: dict[str, float],
    invariants: list[Any],
    profile: dict[str, dict[str, list[tuple[str, float]]]],
) -> dict[str, Any]:
    latencies = [o.latency_seconds * 1000 for o in outcomes if o.status != "lost"]
    confirmed = sum(1 for o in outcomes if o.status == "confirmed")
    return {
        "system": name,
        "agents": plan.agents,
        "seconds": plan.seconds,
        "confirmed_per_second": round(confirmed / plan.seconds, 1),
        "ended_per_second": round(len(latencies) / plan.seconds, 1),
        "latency_ms": {
            "p50": round(percentile(latencies, 0.50), 1),
            "p95": round(percentile(latencies, 0.95), 1),
            "p99": round(percentile(latencies, 0.99), 1),
            "max": round(max(latencies, default=float("nan")), 1),
        },
        "outcomes": {
            f"{kind}/{status}": count
            for (kind, status), count in sorted(
                Counter((o.kind, o.status) for o in outcomes).items()
            )
        },
        "failure_reasons": dict(Counter(o.reason or "" for o in outcomes if o.status == "failed")),
        "cpu_seconds": cpu,
        "invariants": [{"name": i.name, "holds": i.holds, "detail": i.detail} for i in invariants],
        "profile": profile,
    }
