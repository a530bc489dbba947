"""Closures in the store: CLOSED holds owning room nights, and why each one was made."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from rooms.adapters import holds as hold_rows
from rooms.adapters.clock import to_column
from rooms.adapters.executor import Executor
from rooms.adapters.tables import closures, holds, room_nights
from rooms.domain.calendar import Occupied
from rooms.domain.closures import TakenNight
from rooms.domain.holds import Hold
from rooms.domain.model import HoldStatus

CLOSED = HoldStatus.CLOSED.value


def _nights_in(room_ids: Collection[str], start: date, end: date) -> sa.ColumnElement[bool]:
    return sa.and_(
        room_nights.c.room_id.in_(room_ids),
        room_nights.c.night >= start,
        room_nights.c.night < end,
    )


async def taken_nights(
    db: Executor, room_ids: Collection[str], start: date, end: date, current: bool = False
) -> list[TakenNight]:
    """The nights of [start, end) in these rooms that a hold owns, closures marked as such.

    `current`: read the latest committed rows (a locking read on MySQL), not the transaction's
    snapshot, which may predate a hold that took a night since."""
    if not room_ids:
        return []
    query = (
        sa.select(room_nights.c.room_id, room_nights.c.night, holds.c.hold_id, holds.c.status)
        .select_from(room_nights.join(holds, holds.c.hold_id == room_nights.c.hold_id))
        .where(_nights_in(room_ids, start, end))
    )
    if current:
        query = query.with_for_update(read=True)
    return [
        TakenNight(room_id, night, hold_id, status == CLOSED)
        for room_id, night, hold_id, status in await db.execute(query)
    ]


async def store(
    db: AsyncConnection,
    closing: Sequence[tuple[Hold, Sequence[date]]],
    reason: str,
    closed_by: str | None,
    now: datetime,
) -> None:
    """Store closure holds and take their nights, in three statements whatever their number.

    A night some hold took since it was read is skipped, not an error: the key still decides
    who owns it (a hold that has not committed yet makes the insert wait for its outcome), and
    the caller reads afterwards which nights the closure got."""
    if not closing:
        return
    await hold_rows.insert_many(db, [hold for hold, _ in closing], now)
    await db.execute(
        closures.insert(),
        [
            {
                "hold_id": hold.hold_id,
                "reason": reason,
                "closed_by": closed_by,
                "created_at": to_column(now),
            }
            for hold, _ in closing
        ],
    )
    await db.execute(
        _insert_skipping_taken(db.dialect.name),
        [
            {"room_id": hold.room_id, "night": night, "hold_id": hold.hold_id}
            for hold, nights in closing
            for night in nights
        ],
    )


def _insert_skipping_taken(dialect: str) -> sa.Insert:
    if dialect == "sqlite":
        return sqlite.insert(room_nights).on_conflict_do_nothing()
    insert = mysql.insert(room_nights)
    # A no-op on a duplicate key (unlike INSERT IGNORE, which would hide any other error too).
    return insert.on_duplicate_key_update(hold_id=room_nights.c.hold_id)


async def reopen(db: Executor, room_ids: Collection[str], start: date, end: date) -> int:
    """Free the closed nights of [start, end) in these rooms (never a booking's); a closure left
    with no night goes, its reason with it. Returns how many nights were reopened."""
    if not room_ids:
        return 0
    closure_ids = sa.select(holds.c.hold_id).where(holds.c.status == CLOSED)
    freed = await db.execute(
        room_nights.delete().where(
            _nights_in(room_ids, start, end), room_nights.c.hold_id.in_(closure_ids)
        )
    )
    await drop_empty(db, holds.c.room_id.in_(room_ids))
    return int(freed.rowcount)  # type: ignore[attr-defined]


async def drop_empty(db: Executor, among: sa.ColumnElement[bool]) -> None:
    """Delete the closures (`among` the holds) that own no night any more, reasons first."""
    owns_a_night = sa.select(room_nights.c.hold_id).where(room_nights.c.hold_id == holds.c.hold_id)
    empty = sa.and_(holds.c.status == CLOSED, among, ~owns_a_night.exists())
    await db.execute(
        closures.delete().where(closures.c.hold_id.in_(sa.select(holds.c.hold_id).where(empty)))
    )
    await db.execute(holds.delete().where(empty))


async def occupancy(
    db: Executor, room_ids: Collection[str], start: date, end: date
) -> list[Occupied]:
    """Every owned night of [start, end) in these rooms, with the reason when it is closed."""
    if not room_ids:
        return []
    query = (
        sa.select(room_nights.c.room_id, room_nights.c.night, holds.c.status, closures.c.reason)
        .select_from(
            room_nights.join(holds, holds.c.hold_id == room_nights.c.hold_id).outerjoin(
                closures, closures.c.hold_id == holds.c.hold_id
            )
        )
        .where(_nights_in(room_ids, start, end))
    )
    return [
        Occupied(room_id, night, (reason or "") if status == CLOSED else None)
        for room_id, night, status, reason in await db.execute(query)
    ]
