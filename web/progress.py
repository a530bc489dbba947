"""Live saga progress for the web apps: one broker subscription fanned out to SSE streams."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from contracts.booking import SagaProgressed

QUEUE_BOUND = 256


class ProgressHub:
    """Hands each progress event to every stream following that saga (and to `*` followers)."""

    def __init__(self) -> None:
        self._followers: dict[str, set[asyncio.Queue[SagaProgressed]]] = defaultdict(set)

    def publish(self, saga_id: str, event: SagaProgressed) -> None:
        for key in (saga_id, "*"):
            for queue in self._followers.get(key, ()):
                if queue.full():  # a stalled reader loses its oldest news, never blocks others
                    queue.get_nowait()
                queue.put_nowait(event)

    @asynccontextmanager
    async def follow(self, saga_id: str) -> AsyncIterator[asyncio.Queue[SagaProgressed]]:
        queue: asyncio.Queue[SagaProgressed] = asyncio.Queue(QUEUE_BOUND)
        self._followers[saga_id].add(queue)
        try:
            yield queue
        finally:
            self._followers[saga_id].discard(queue)
            if not self._followers[saga_id]:
                del self._followers[saga_id]
