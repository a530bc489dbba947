"""The sweeper: lapsed holds give their nights back, even if no saga ever comes back."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

import sqlalchemy.exc
import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

from infra.stores.driver_sql import DriverSql
from rooms.adapters import holds, occupancy
from rooms.metrics import HOLDS_EXPIRED

log = structlog.get_logger(__name__)
BATCH_SIZE = 200


async def expire_lapsed_holds(engine: AsyncEngine, now: datetime) -> int:
    """Expire one batch of lapsed holds and free their nights; returns how many."""
    async with DriverSql(engine).transaction() as statements:
        expired = 0
        for hold_id in await holds.lapsed_hold_ids(statements, now, BATCH_SIZE):
            # A confirm racing the sweeper wins or loses on the status; never both.
            if await holds.expire_if_lapsed(statements, hold_id, now):
                await occupancy.free_nights_of(statements, hold_id)
                expired += 1
    HOLDS_EXPIRED.inc(expired)
    return expired


async def run_sweeper(
    engine: AsyncEngine, interval_seconds: float, clock: Callable[[], datetime]
) -> None:
    while True:
        try:
            expired = await expire_lapsed_holds(engine, clock())
        except sqlalchemy.exc.SQLAlchemyError as exc:
            # The store may be down for a while; the next round tries again.
            log.warning("hold sweep failed", error=str(exc)[:300])
            expired = 0
        if expired:
            log.info("lapsed holds expired", count=expired)
        if expired < BATCH_SIZE:
            await asyncio.sleep(interval_seconds)
