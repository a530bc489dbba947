"""A room type's calendar: per night, its price and how many rooms are free, booked, closed."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from rooms.domain.model import Rate
from rooms.domain.pricing import NO_OVERRIDES, night_price


@dataclass(frozen=True)
class Occupied:
    """A night of a room some hold owns; `closure_reason` is set when that hold is a closure."""

    room_id: str
    night: date
    closure_reason: str | None


@dataclass(frozen=True)
class NightFigures:
    night: date
    price: Decimal | None
    overridden: bool
    rooms: int
    free: int
    booked: int
    closed: int


@dataclass(frozen=True)
class ClosedRun:
    """The nights in the range one room is closed for, for one reason."""

    room_id: str
    nights: tuple[date, ...]
    reason: str


@dataclass(frozen=True)
class BookedRun:
    """The nights in the range one room is held or sold for bookings: not to be closed."""

    room_id: str
    nights: tuple[date, ...]


def night_figures(
    room_ids: Sequence[str],
    nights: Sequence[date],
    occupied: Iterable[Occupied],
    rates: Sequence[Rate],
    overrides: Mapping[date, Decimal] = NO_OVERRIDES,
) -> list[NightFigures]:
    ours = set(room_ids)
    booked: Counter[date] = Counter()
    closed: Counter[date] = Counter()
    for row in occupied:
        if row.room_id in ours:
            (booked if row.closure_reason is None else closed)[row.night] += 1
    figures = []
    for night in nights:
        priced = night_price(rates, night, overrides)
        free = len(ours) - booked[night] - closed[night]
        figures.append(
            NightFigures(
                night=night,
                price=priced.price,
                overridden=priced.overridden,
                rooms=len(ours),
                free=free,
                booked=booked[night],
                closed=closed[night],
            )
        )
    return figures


def closed_runs(room_ids: Sequence[str], occupied: Iterable[Occupied]) -> list[ClosedRun]:
    """Closed nights grouped by room and reason, rooms in the order given."""
    grouped: defaultdict[tuple[str, str], list[date]] = defaultdict(list)
    for row in occupied:
        if row.closure_reason is not None:
            grouped[(row.room_id, row.closure_reason)].append(row.night)
    order = {room_id: index for index, room_id in enumerate(room_ids)}
    return [
        ClosedRun(room_id, tuple(sorted(nights)), reason)
        for (room_id, reason), nights in sorted(
            grouped.items(), key=lambda item: (order.get(item[0][0], len(order)), item[0][1])
        )
        if room_id in order
    ]


def booked_runs(room_ids: Sequence[str], occupied: Iterable[Occupied]) -> list[BookedRun]:
    """Booked nights grouped by room, rooms in the order given."""
    grouped: defaultdict[str, list[date]] = defaultdict(list)
    for row in occupied:
        if row.closure_reason is None:
            grouped[row.room_id].append(row.night)
    return [
        BookedRun(room_id, tuple(sorted(grouped[room_id])))
        for room_id in room_ids
        if room_id in grouped
    ]
