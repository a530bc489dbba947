"""Live saga progress for the web apps: one broker subscription fanned out to SSE streams."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from contracts.booking import SagaProgressed

QUEUE_BOUND = 256
# The newest snapshot of each saga that progressed lately, so a stream opening just after a
# step needs no read of the saga: kept this long, for at most this many sagas.
SNAPSHOT_SECONDS = 120.0
SNAPSHOTS_KEPT = 20_000


class ProgressHub:
    """Hands each progress event to every stream following that saga (and to `*` followers),
    and keeps each saga's newest snapshot (`SagaProgressed.saga`) for a while."""

    def __init__(self) -> None:
        self._followers: dict[str, set[asyncio.Queue[SagaProgressed]]] = defaultdict(set)
        self._snapshots: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()

    def latest(self, saga_id: str) -> dict[str, Any] | None:
        """The saga as its newest progress event showed it, if it progressed lately."""
        kept = self._snapshots.get(saga_id)
        if kept is None or kept[0] < time.monotonic():
            return None
        return kept[1]

    def _keep(self, saga_id: str, snapshot: dict[str, Any]) -> None:
        kept = self._snapshots.get(saga_id)
        if kept is not None and kept[1].get("revision", 0) > snapshot.get("revision", 0):
            return  # an older event delivered late
        self._snapshots[saga_id] = (time.monotonic() + SNAPSHOT_SECONDS, snapshot)
        self._snapshots.move_to_end(saga_id)
        while len(self._snapshots) > SNAPSHOTS_KEPT:
            self._snapshots.popitem(last=False)

    def publish(self, saga_id: str, event: SagaProgressed) -> None:
        if event.saga is not None:
            self._keep(saga_id, event.saga)
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
