"""One scenario from nothing to nothing: servers, a fresh platform, the load with the fault in
it, the settle, the operator's retry of STUCK sagas, the figures, and everything removed."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.bench.workload import Workload
from tests.chaos import checks, facts
from tests.chaos.agents import Agents
from tests.chaos.faults import FaultWindow, inject
from tests.chaos.platform import Deployment
from tests.chaos.scenarios import Scenario
from tests.chaos.servers import scenario_servers


@dataclass(frozen=True)
class Options:
    agents: int
    load_seconds: float  # of load around the fault: a third before it, the rest after
    settle_seconds: float  # at most, until no saga is open and the queues are empty
    follow_seconds: float  # an agent gives up following one booking after this long
    drain_seconds: float  # after the load stops, agents may follow their last booking this long
    step_deadline_seconds: float
    poison_count: int
    client_ids: Sequence[str]
    log_dir: Path


async def run_scenario(scenario: Scenario, options: Options) -> dict[str, Any]:
    run_id = "chaos" + uuid.uuid4().hex[:8]
    result: dict[str, Any] = {
        "scenario": scenario.name,
        "summary": scenario.summary,
        "fault_seconds": scenario.seconds,
        "run_id": run_id,
    }
    began = time.monotonic()
    work = _workspace(run_id)
    print(f"[{scenario.name}] {scenario.summary} ({run_id})", flush=True)
    try:
        log_dir = options.log_dir / scenario.name
        shutil.rmtree(log_dir, ignore_errors=True)
        with scenario_servers(scenario, work) as servers:
            deployment = Deployment(
                servers, run_id, scenario.replicas, options.step_deadline_seconds, log_dir
            )
            try:
                await deployment.start(options.client_ids)
                result |= await _exercise(scenario, deployment, options)
            finally:
                await deployment.stop()
    except Exception as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"[:1000]
        result["traceback"] = traceback.format_exc()[-4000:]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result["wall_seconds"] = round(time.monotonic() - began, 1)
    result["broken"] = checks.broken(result)
    print(
        f"[{scenario.name}] done in {result['wall_seconds']} s: "
        f"{', '.join(result['broken']) or 'every invariant holds'}",
        flush=True,
    )
    return result


async def _exercise(scenario: Scenario, deployment: Deployment, options: Options) -> dict[str, Any]:
    agents = Agents(
        deployment.urls("web"),
        options.agents,
        Workload(options.client_ids),
        options.follow_seconds,
    )
    await agents.open()
    try:
        window = await _load_with_fault(scenario, deployment, options, agents)
    finally:
        await agents.close()
    print(f"[{scenario.name}] settling", flush=True)
    settle_seconds = await facts.settle(deployment, options.settle_seconds)
    settled = await facts.stores(deployment)
    stuck = [saga.saga_id for saga in settled.sagas if saga.state == "STUCK"]
    final, retried, resettle_seconds = settled, {}, 0.0
    if stuck:
        print(f"[{scenario.name}] retrying {len(stuck)} STUCK sagas as an operator", flush=True)
        retried = dict(await facts.retry_stuck(deployment, stuck))
        resettle_seconds = await facts.settle(deployment, options.settle_seconds)
        final = await facts.stores(deployment)
    return {
        **checks.judge(agents.bookings, settled, final, window.ended),
        "fault_took_seconds": round(window.ended - window.started, 1),
        "poison_sent": dict(window.poison_sent),
        "settle_seconds": settle_seconds,
        "operator_retries": retried,
        "settle_after_retry_seconds": resettle_seconds,
        "queued_after_settle": await facts.queued_messages(deployment),
        "dead_letters": dict(await facts.dead_letters(deployment)),
        "agent_errors": dict(
            Counter(checks.reason(b.error) for b in agents.bookings if b.seen is None)
        ),
    }


async def _load_with_fault(
    scenario: Scenario, deployment: Deployment, options: Options, agents: Agents
) -> FaultWindow:
    before = options.load_seconds / 3
    print(f"[{scenario.name}] {options.agents} agents; the fault in {before:.0f} s", flush=True)
    load = asyncio.create_task(agents.run())
    try:
        await asyncio.sleep(before)
        window = await inject(scenario, deployment, options.poison_count)
        print(
            f"[{scenario.name}] fault over after {window.ended - window.started:.0f} s; "
            f"{options.load_seconds - before:.0f} s more load",
            flush=True,
        )
        await asyncio.sleep(options.load_seconds - before)
    finally:
        agents.stop()
        done, _ = await asyncio.wait({load}, timeout=options.drain_seconds)
        if not done:
            load.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await load
    return window


def _workspace(run_id: str) -> Path:
    """A scratch directory for the scenario's servers, which run as their own users."""
    work = Path(tempfile.mkdtemp(prefix=f"{run_id}-"))
    work.chmod(0o755)
    return work
