"""Hold rows: one per saga (its unique key is the business identity of HoldRoom).

The commands' statements go straight to the driver (`DriverTransaction`), written once for
MySQL and SQLite; only the closures' `insert_many` goes through SQLAlchemy Core.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError

from infra.stores.driver_sql import (
    DriverSql,
    DriverTransaction,
    Row,
    insert_statement,
    read_day,
    read_money,
)
from rooms.adapters import occupancy
from rooms.adapters.clock import to_column
from rooms.adapters.executor import Executor
from rooms.adapters.tables import holds
from rooms.domain.holds import Hold
from rooms.domain.model import HoldStatus

# Every column list is read from the table (tables.py), never repeated.
HOLD_COLUMNS = tuple(column.name for column in holds.columns)
HOLD_FIELDS = tuple(name for name in HOLD_COLUMNS if name not in ("created_at", "updated_at"))
SELECT_HOLD = f"SELECT {', '.join(HOLD_FIELDS)} FROM holds WHERE saga_id = %s"
INSERT_HOLD = insert_statement("holds", HOLD_COLUMNS)
# What a booking takes from the change's hold it is moved onto.
STAY_COLUMNS = (
    "room_type_id",
    "room_id",
    "check_in",
    "check_out",
    "guests",
    "prices",
    "total",
    "currency",
)
TAKE_OVER_STAY = (
    f"UPDATE holds SET {', '.join(f'{name} = %s' for name in STAY_COLUMNS)}, updated_at = %s "
    "WHERE hold_id = %s"
)
# A hold, and whether a hold other than it has a night of [%s, %s) in its room.
SELECT_HOLD_AND_CLASH = (
    f"SELECT {', '.join(f'h.{name}' for name in HOLD_FIELDS)}, EXISTS ("
    "SELECT 1 FROM room_nights n WHERE n.room_id = h.room_id AND n.night >= %s "
    "AND n.night < %s AND n.hold_id <> h.hold_id) FROM holds h WHERE h.saga_id = %s"
)
SELECT_NAMES = (
    "SELECT h.name, t.name, r.number FROM rooms r "
    "JOIN room_types t ON t.id = r.room_type_id JOIN hotels h ON h.id = t.hotel_id "
    "WHERE r.id = %s"
)


@dataclass(frozen=True)
class HeldRoomNames:
    hotel_name: str
    room_type_name: str
    room_number: str


async def find_by_saga(
    statements: DriverTransaction, saga_id: str, for_update: bool = False
) -> Hold | None:
    lock = " FOR UPDATE" if for_update and not statements.is_sqlite else ""
    found = await statements.rows(SELECT_HOLD + lock, (saga_id,))
    return _hold_of(found[0]) if found else None


async def find_with_clash(
    statements: DriverTransaction, saga_id: str, check_in: date, check_out: date
) -> tuple[Hold, bool] | None:
    """The hold of a saga, and whether another hold has a night of [check_in, check_out) in
    its room (one statement)."""
    params = (statements.param(check_in), statements.param(check_out), saga_id)
    found = await statements.rows(SELECT_HOLD_AND_CLASH, params)
    return (_hold_of(found[0]), bool(found[0][-1])) if found else None


async def insert(statements: DriverTransaction, hold: Hold, now: datetime) -> None:
    stamp = to_column(now)
    values = _row_of(hold) | {"created_at": stamp, "updated_at": stamp}
    await statements.execute(INSERT_HOLD, [statements.param(values[name]) for name in HOLD_COLUMNS])


async def insert_many(db: Executor, stored: Sequence[Hold], now: datetime) -> None:
    stamp = to_column(now)
    rows = [_row_of(hold) | {"created_at": stamp, "updated_at": stamp} for hold in stored]
    if rows:
        await db.execute(holds.insert(), rows)


async def hold_first_free(
    statements: DriverTransaction,
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
    await insert(statements, hold, now)
    for index, room_id in enumerate(room_ids):
        if index:
            hold = hold_in(room_id)
            await statements.execute(
                "UPDATE holds SET room_id = %s WHERE hold_id = %s", (room_id, hold.hold_id)
            )
        wanted = nights
        if already_had is not None and already_had[0] == room_id:
            wanted = [night for night in nights if night not in already_had[1]]
        try:
            await occupancy.take(statements, hold.hold_id, room_id, wanted)
        except IntegrityError:
            # Whatever nights of this room went in before the refused one (SQLite inserts row
            # by row) go out again: the hold keeps no night of a room it does not take.
            await occupancy.free_nights_of(statements, hold.hold_id)
            continue
        return hold
    await statements.execute("DELETE FROM holds WHERE hold_id = %s", (hold.hold_id,))
    return None


async def set_status(
    statements: DriverTransaction, hold_id: str, status: HoldStatus, now: datetime
) -> None:
    await statements.execute(
        "UPDATE holds SET status = %s, updated_at = %s WHERE hold_id = %s",
        (status.value, statements.param(now), hold_id),
    )


async def take_over_stay(
    statements: DriverTransaction, hold_id: str, stay_of: Hold, now: datetime
) -> None:
    """Rewrite hold `hold_id` to the room, stay, guests and price of `stay_of` (a booking moved
    onto a change's hold); its saga, hotel, status and expiry stay as they are."""
    row = _row_of(stay_of)
    values = [statements.param(row[name]) for name in STAY_COLUMNS]
    await statements.execute(TAKE_OVER_STAY, [*values, statements.param(now), hold_id])


async def expire_if_lapsed(statements: DriverTransaction, hold_id: str, now: datetime) -> bool:
    """Mark a lapsed HELD hold EXPIRED; False if a confirm or release got there first."""
    stamp = statements.param(now)
    matched = await statements.execute(
        "UPDATE holds SET status = %s, updated_at = %s "
        "WHERE hold_id = %s AND status = %s AND expires_at <= %s",
        (HoldStatus.EXPIRED.value, stamp, hold_id, HoldStatus.HELD.value, stamp),
    )
    return bool(matched)


async def lapsed_hold_ids(statements: DriverTransaction, now: datetime, limit: int) -> list[str]:
    found = await statements.rows(
        "SELECT hold_id FROM holds WHERE status = %s AND expires_at <= %s "
        "ORDER BY expires_at LIMIT %s",
        (HoldStatus.HELD.value, statements.param(now), limit),
    )
    return [hold_id for (hold_id,) in found]


async def names_of(statements: DriverTransaction, hold: Hold) -> HeldRoomNames:
    ((hotel_name, room_type_name, room_number),) = await statements.rows(
        SELECT_NAMES, (hold.room_id,)
    )
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


def _hold_of(row: Row) -> Hold:
    value = dict(zip(HOLD_FIELDS, row, strict=False))
    expires_at = DriverSql.read_instant(value["expires_at"])
    assert expires_at is not None
    return Hold(
        hold_id=value["hold_id"],
        saga_id=value["saga_id"],
        hotel_id=value["hotel_id"],
        room_type_id=value["room_type_id"],
        room_id=value["room_id"],
        check_in=read_day(value["check_in"]),
        check_out=read_day(value["check_out"]),
        guests=int(value["guests"]),
        status=HoldStatus(value["status"]),
        expires_at=expires_at,
        nightly_prices=tuple(
            (date.fromisoformat(p["night"]), Decimal(p["price"]))
            for p in DriverSql.read_json(value["prices"])
        ),
        total=read_money(value["total"]),
        currency=value["currency"],
    )
