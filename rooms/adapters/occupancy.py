"""Room-night occupancy rows `(room_id, night)`: the key that forbids double-booking.

The commands' statements go straight to the driver (`DriverTransaction`); the search's read
goes through SQLAlchemy Core.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from infra.stores.driver_sql import DriverTransaction, insert_statement
from rooms.adapters.executor import Executor
from rooms.adapters.tables import room_nights

INSERT_NIGHT = insert_statement("room_nights", ("room_id", "night", "hold_id"))


@dataclass(frozen=True)
class RoomsOfType:
    numbers: dict[str, str]
    taken: set[str]


async def occupied_room_ids(
    db: Executor, room_ids: Collection[str], check_in: date, check_out: date
) -> set[str]:
    """Rooms among `room_ids` taken on at least one night of [check_in, check_out)."""
    if not room_ids:
        return set()
    query = (
        sa.select(room_nights.c.room_id)
        .where(
            room_nights.c.room_id.in_(room_ids),
            room_nights.c.night >= check_in,
            room_nights.c.night < check_out,
        )
        .distinct()
    )
    return set((await db.execute(query)).scalars())


async def take(
    statements: DriverTransaction, hold_id: str, room_id: str, nights: Sequence[date]
) -> None:
    """Insert every night of the stay in one room for a stored hold (the foreign key refuses a
    night whose hold has no row). Raises IntegrityError when another hold has one of the
    nights: on MySQL the one multi-row insert is refused whole, on SQLite the rows before the
    refused one stay in (the caller deletes them)."""
    rows = [(room_id, statements.param(night), hold_id) for night in nights]
    if rows:
        await statements.execute_many(INSERT_NIGHT, rows)


async def free_nights_of(
    statements: DriverTransaction,
    hold_id: str,
    keeping: tuple[str, Collection[date]] | None = None,
) -> int:
    """Free the nights of a hold; `keeping` (a room, nights) those it goes on having."""
    if keeping is None or not keeping[1]:
        return await statements.execute("DELETE FROM room_nights WHERE hold_id = %s", (hold_id,))
    room_id, nights = keeping
    marks = ", ".join(["%s"] * len(nights))
    return await statements.execute(
        f"DELETE FROM room_nights WHERE hold_id = %s AND NOT (room_id = %s AND night IN ({marks}))",
        (hold_id, room_id, *(statements.param(night) for night in nights)),
    )


async def hand_over_nights(
    statements: DriverTransaction, from_hold_id: str, to_hold_id: str
) -> int:
    """Give every night `from_hold_id` has to `to_hold_id` (the same rooms and nights, so no
    night can clash); returns how many nights changed hands."""
    return await statements.execute(
        "UPDATE room_nights SET hold_id = %s WHERE hold_id = %s", (to_hold_id, from_hold_id)
    )
