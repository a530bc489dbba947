"""Capped exponential backoff with full jitter for outages of a store or the broker."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import structlog

T = TypeVar("T")
log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Backoff:
    first_delay: float = 0.1
    max_delay: float = 5.0
    give_up_after: float = 120.0

    def delay(self, attempt: int) -> float:
        return random.uniform(0, min(self.max_delay, self.first_delay * 2**attempt))

    async def run(
        self,
        operation: Callable[[], Awaitable[T]],
        retry_on: tuple[type[BaseException], ...],
    ) -> T:
        deadline = time.monotonic() + self.give_up_after
        attempt = 0
        while True:
            try:
                return await operation()
            except retry_on as exc:
                if time.monotonic() >= deadline:
                    raise
                delay = self.delay(attempt)
                log.warning("store or broker unavailable, retrying", error=str(exc), delay=delay)
                await asyncio.sleep(delay)
                attempt += 1
