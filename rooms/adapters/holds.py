"""Hold rows: one per saga (its unique key is the business identity of HoldRoom)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from rooms.adapters import occupancy
from rooms.adapters.clock import from_column, to_column
from rooms.adapters.executor import Executor
from rooms.adapters.tables import holds, hotels, room_types, rooms
from rooms.domain.holds import Hold
from rooms.domain.model import HoldStatus

# What a booking takes from the change's hold it is moved onto.
_STAY_COLUMNS = (
    "room_type_id",
    "room_id",
    "check_in",
    "check_out",
    "guests",
    "prices",
    "total",
    "currency",
)


@dataclass(frozen=True)
class HeldRoomNames:
    hotel_name: str
    room_type_name: str
    room_number: str


async def find_by_saga(db: Executor, saga_id: str, for_update: bool = False) -> Hold | None:
    query = sa.select(holds).where(holds.c.saga_id == saga_id)
    if for_update:
        query = query.with_for_update()
    row = (await db.execute(query)).mappings().first()
    return None if row is None else _hold_of(row)


async def insert(db: Executor, hold: Hold, now: datetime) -> None:
    stamp = to_column(now)
    await db.execute(holds.insert().values(**_row_of(hold), created_at=stamp, updated_at=stamp))


async def insert_many(db: Executor, stored: Sequence[Hold], now: datetime) -> None:
    stamp = to_column(now)
    rows = [_row_of(hold) | {"created_at": stamp, "updated_at": stamp} for hold in stored]
    if rows:
        await db.execute(holds.insert(), rows)


async def hold_first_free(
    db: Executor,
    hold_in: Callable[[str], Hold],
    room_ids: Sequence[str],
    nights: Sequence[date],
    now: datetime,
    already_had: tuple[str, Collection[date]] | None = None,
) -> Hold | None:
    """Store the hold (`hold_in(room_id)`) in the first of `room_ids` whose every night of the
    stay is free, and return it; None, having stored nothing, when every room has one taken.

    The hold row goes first (the nights' foreign key needs it), then every night in one insert.
    A night another hold has refuses that insert (the transaction goes on: a constraint error
    undoes the failed statement only, on MySQL as on SQLite), any night of that room the hold
    got is deleted, and the row moves to the next room; with no room left it is deleted. No
    savepoint: a hold that finds its room at once costs two statements. A
    refusal of the hold row itself (its unique saga id: another copy of this saga's HoldRoom
    stored its hold first) is not a taken room, so it propagates; the inbox's retry then finds
    that hold.

    `already_had` (a room, nights): nights of that room the booking being changed already
    has; in that room the hold takes only the others.
    """
    if not room_ids:
        return None
    hold = hold_in(room_ids[0])
    await insert(db, hold, now)
    for index, room_id in enumerate(room_ids):
        if index:
            hold = hold_in(room_id)
            moved = holds.update().where(holds.c.hold_id == hold.hold_id)
            await db.execute(moved.values(room_id=room_id))
        wanted = nights
        if already_had is not None and already_had[0] == room_id:
            wanted = [night for night in nights if night not in already_had[1]]
        try:
            await occupancy.take(db, hold.hold_id, room_id, wanted)
        except IntegrityError:
            # Whatever nights of this room went in before the refused one (SQLite inserts row
            # by row) go out again: the hold keeps no night of a room it does not take.
            await occupancy.free_nights_of(db, hold.hold_id)
            continue
        return hold
    await db.execute(holds.delete().where(holds.c.hold_id == hold.hold_id))
    return None


async def set_status(db: Executor, hold_id: str, status: HoldStatus, now: datetime) -> None:
    await db.execute(
        holds.update()
        .where(holds.c.hold_id == hold_id)
        .values(status=status.value, updated_at=to_column(now))
    )


async def take_over_stay(db: Executor, hold_id: str, stay_of: Hold, now: datetime) -> None:
    """Rewrite hold `hold_id` to the room, stay, guests and price of `stay_of` (a booking moved
    onto a change's hold); its saga, hotel, status and expiry stay as they are."""
    row = _row_of(stay_of)
    values = {column: row[column] for column in _STAY_COLUMNS}
    await db.execute(
        holds.update().where(holds.c.hold_id == hold_id).values(**values, updated_at=to_column(now))
    )


async def expire_if_lapsed(db: Executor, hold_id: str, now: datetime) -> bool:
    """Mark a lapsed HELD hold EXPIRED; False if a confirm or release got there first."""
    result = await db.execute(
        holds.update()
        .where(
            holds.c.hold_id == hold_id,
            holds.c.status == HoldStatus.HELD.value,
            holds.c.expires_at <= to_column(now),
        )
        .values(status=HoldStatus.EXPIRED.value, updated_at=to_column(now))
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def lapsed_hold_ids(db: Executor, now: datetime, limit: int) -> list[str]:
    query = (
        sa.select(holds.c.hold_id)
        .where(holds.c.status == HoldStatus.HELD.value, holds.c.expires_at <= to_column(now))
        .order_by(holds.c.expires_at)
        .limit(limit)
    )
    return list((await db.execute(query)).scalars())


async def names_of(db: Executor, hold: Hold) -> HeldRoomNames:
    query = (
        sa.select(hotels.c.name, room_types.c.name, rooms.c.number)
        .select_from(rooms.join(room_types).join(hotels))
        .where(rooms.c.id == hold.room_id)
    )
    hotel_name, room_type_name, room_number = (await db.execute(query)).one()
    return HeldRoomNames(hotel_name, room_type_name, room_number)


def _row_of(hold: Hold) -> dict[str, Any]:
    return {
        "hold_id": hold.hold_id,
        "saga_id": hold.saga_id,
        "hotel_id": hold.hotel_id,
        "room_type_id": hold.room_type_id,
        "room_id": hold.room_id,
        "check_in": hold.check_in,
        "check_out": hold.check_out,
        "guests": hold.guests,
        "status": hold.status.value,
        "expires_at": to_column(hold.expires_at),
        "prices": [{"night": n.isoformat(), "price": str(p)} for n, p in hold.nightly_prices],
        "total": hold.total,
        "currency": hold.currency,
    }


def _hold_of(row: sa.RowMapping) -> Hold:
    return Hold(
        hold_id=row["hold_id"],
        saga_id=row["saga_id"],
        hotel_id=row["hotel_id"],
        room_type_id=row["room_type_id"],
        room_id=row["room_id"],
        check_in=row["check_in"],
        check_out=row["check_out"],
        guests=row["guests"],
        status=HoldStatus(row["status"]),
        expires_at=from_column(row["expires_at"]),
        nightly_prices=tuple(
            (date.fromisoformat(p["night"]), Decimal(p["price"])) for p in row["prices"]
        ),
        total=Decimal(row["total"]),
        currency=row["currency"],
    )
