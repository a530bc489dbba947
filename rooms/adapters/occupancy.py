"""Room-night occupancy rows `(room_id, night)`: the key that forbids double-booking."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from rooms.adapters.executor import Executor
from rooms.adapters.tables import room_nights, rooms


@dataclass(frozen=True)
class RoomsOfType:
    numbers: dict[str, str]
    taken: set[str]


async def rooms_of_type(
    db: Executor, room_type_id: str, check_in: date, check_out: date
) -> RoomsOfType:
    """Every room of a type (id -> number) and those taken on a night of [check_in, check_out)."""
    taken_on_a_night = (
        sa.select(room_nights.c.room_id)
        .where(
            room_nights.c.room_id == rooms.c.id,
            room_nights.c.night >= check_in,
            room_nights.c.night < check_out,
        )
        .exists()
    )
    query = (
        sa.select(rooms.c.id, rooms.c.number, taken_on_a_night.label("taken"))
        .where(rooms.c.room_type_id == room_type_id)
        .order_by(rooms.c.id)
    )
    found = (await db.execute(query)).all()
    return RoomsOfType(
        numbers={room_id: number for room_id, number, _ in found},
        taken={room_id for room_id, _, taken in found if taken},
    )


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


async def take(db: Executor, hold_id: str, room_id: str, nights: Sequence[date]) -> None:
    """Insert every night of the stay in one room for a stored hold (the foreign key refuses a
    night whose hold has no row). Raises IntegrityError when another hold has one of the
    nights; the caller's savepoint then undoes the attempt, rows already inserted included."""
    rows = [{"room_id": room_id, "night": night, "hold_id": hold_id} for night in nights]
    if rows:
        await db.execute(room_nights.insert(), rows)


async def free_nights_of(
    db: Executor, hold_id: str, keeping: tuple[str, Collection[date]] | None = None
) -> int:
    """Free the nights of a hold; `keeping` (a room, nights) those it goes on having."""
    query = room_nights.delete().where(room_nights.c.hold_id == hold_id)
    if keeping is not None and keeping[1]:
        room_id, nights = keeping
        kept = sa.and_(room_nights.c.room_id == room_id, room_nights.c.night.in_(list(nights)))
        query = query.where(sa.not_(kept))
    result = await db.execute(query)
    return int(result.rowcount)  # type: ignore[attr-defined]


async def taken_by_others(
    db: Executor, room_id: str, check_in: date, check_out: date, hold_id: str
) -> bool:
    """Whether a hold other than `hold_id` has a night of [check_in, check_out) in the room."""
    query = sa.select(
        sa.select(room_nights.c.room_id)
        .where(
            room_nights.c.room_id == room_id,
            room_nights.c.night >= check_in,
            room_nights.c.night < check_out,
            room_nights.c.hold_id != hold_id,
        )
        .exists()
    )
    return bool((await db.execute(query)).scalar())


async def hand_over_nights(db: Executor, from_hold_id: str, to_hold_id: str) -> int:
    """Give every night `from_hold_id` has to `to_hold_id` (the same rooms and nights, so no
    night can clash); returns how many nights changed hands."""
    result = await db.execute(
        room_nights.update().where(room_nights.c.hold_id == from_hold_id).values(hold_id=to_hold_id)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
