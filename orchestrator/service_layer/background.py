"""Periodic jobs of the orchestrator: the deadline sweeper, the outbox relay, state counts."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping

import structlog

log = structlog.get_logger(__name__)


async def run_every(name: str, interval: float, job: Callable[[], Awaitable[object]]) -> None:
    """Run `job` every `interval` seconds for ever; a failed run is logged and tried again."""
    while True:
        try:
            await job()
        except Exception as exc:  # a store or broker outage: the next run tries again
            log.warning("periodic job failed", job=name, error=f"{type(exc).__name__}: {exc}")
        await asyncio.sleep(interval)


@contextlib.asynccontextmanager
async def running(
    jobs: Mapping[str, tuple[float, Callable[[], Awaitable[object]]]],
) -> AsyncIterator[None]:
    tasks = [
        asyncio.create_task(run_every(name, interval, job), name=name)
        for name, (interval, job) in jobs.items()
    ]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
