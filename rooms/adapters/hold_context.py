"""Everything a HoldRoom reads before it takes a room, in one statement: whether its saga
holds a room already, the room type with its hotel, seasonal rates and nightly overrides, and
the type's rooms, each with whether a night of the stay is taken.

One UNION ALL, a `kind` per part; each column holds one type of value in every part (NULL
where a part has none), so MySQL gives each column its own type back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from infra.stores.driver_sql import DriverTransaction, Row, read_day, read_money
from rooms.adapters.catalogue import SellableType
from rooms.adapters.occupancy import RoomsOfType
from rooms.domain.model import Hotel, Rate, RoomType

HELD, TYPE_AND_RATE, OVERRIDE, ROOM = 0, 1, 2, 3
_NONE = "NULL, NULL, NULL, NULL, NULL, NULL, NULL"  # hotel_id ... type_name
SELECT_HOLD_CONTEXT = f"""
SELECT 0 AS kind, hold_id AS id, {_NONE}, NULL AS capacity, NULL AS start_month,
    NULL AS end_month, NULL AS weekday_price, NULL AS weekend_price, NULL AS night,
    NULL AS price, NULL AS number, NULL AS taken
FROM holds WHERE saga_id = %s
UNION ALL
SELECT 1, r.id, h.id, h.name, h.city, h.country, h.time_zone, h.currency, t.name, t.capacity,
    r.start_month, r.end_month, r.weekday_price, r.weekend_price, NULL, NULL, NULL, NULL
FROM room_types t JOIN hotels h ON h.id = t.hotel_id LEFT JOIN rates r ON r.room_type_id = t.id
WHERE t.id = %s
UNION ALL
SELECT 2, NULL, {_NONE}, NULL, NULL, NULL, NULL, NULL, n.night, n.price, NULL, NULL
FROM night_rates n WHERE n.room_type_id = %s AND n.night >= %s AND n.night < %s
UNION ALL
SELECT 3, m.id, {_NONE}, NULL, NULL, NULL, NULL, NULL, NULL, NULL, m.number, EXISTS (
    SELECT 1 FROM room_nights o WHERE o.room_id = m.id AND o.night >= %s AND o.night < %s)
FROM rooms m WHERE m.room_type_id = %s
ORDER BY kind, id
"""


@dataclass(frozen=True)
class HoldContext:
    already_held: bool
    sellable: SellableType | None  # None: no such room type
    rooms: RoomsOfType


async def read_hold_context(
    statements: DriverTransaction,
    saga_id: str,
    room_type_id: str,
    check_in: date,
    check_out: date,
) -> HoldContext:
    """Rates come in id order, so ties between seasons break the same way every time."""
    first, last = statements.param(check_in), statements.param(check_out)
    params = (saga_id, room_type_id, room_type_id, first, last, first, last, room_type_id)
    found = await statements.rows(SELECT_HOLD_CONTEXT, params)
    types = [row for row in found if row[0] == TYPE_AND_RATE]
    rooms = [row for row in found if row[0] == ROOM]
    return HoldContext(
        already_held=any(row[0] == HELD for row in found),
        sellable=_sellable(room_type_id, types, found) if types else None,
        rooms=RoomsOfType(
            numbers={row[1]: row[16] for row in rooms},
            taken={row[1] for row in rooms if row[17]},
        ),
    )


def _sellable(room_type_id: str, types: list[Row], found: list[Row]) -> SellableType:
    row = types[0]
    hotel = Hotel(id=row[2], name=row[3], city=row[4], country=row[5], time_zone=row[6],
                  currency=row[7])  # fmt: skip
    room_type = RoomType(id=room_type_id, hotel_id=row[2], name=row[8], capacity=int(row[9]))
    rates = tuple(
        Rate(
            start_month=int(rate[10]),
            end_month=int(rate[11]),
            weekday_price=read_money(rate[12]),
            weekend_price=read_money(rate[13]),
        )
        for rate in types
        if rate[10] is not None
    )
    overrides: dict[date, Decimal] = {
        read_day(night[14]): read_money(night[15]) for night in found if night[0] == OVERRIDE
    }
    return SellableType(hotel, room_type, rates, overrides)
