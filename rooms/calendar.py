"""A hotel's calendar over a range of nights: per room type, prices and rooms free, booked
and closed, in a handful of queries whatever the length of the range."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncConnection

from rooms.adapters import catalogue, closures, hotel_rooms, night_rates
from rooms.adapters.hotel_rooms import Room
from rooms.domain.calendar import (
    BookedRun,
    ClosedRun,
    NightFigures,
    booked_runs,
    closed_runs,
    night_figures,
)
from rooms.domain.model import Hotel, RoomType
from rooms.domain.pricing import NO_OVERRIDES, nights_of


@dataclass(frozen=True)
class TypeCalendar:
    room_type: RoomType
    rooms: tuple[Room, ...]
    nights: tuple[NightFigures, ...]
    closed: tuple[ClosedRun, ...]
    booked: tuple[BookedRun, ...]


@dataclass(frozen=True)
class HotelCalendar:
    hotel: Hotel
    start: date
    end: date
    room_types: tuple[TypeCalendar, ...]


async def hotel_calendar(
    db: AsyncConnection, hotel_id: str, start: date, end: date
) -> HotelCalendar | None:
    """None when there is no such hotel."""
    hotel = await hotel_rooms.hotel(db, hotel_id)
    if hotel is None:
        return None
    types = await hotel_rooms.types_of_hotel(db, hotel_id)
    type_ids = [room_type.id for room_type in types]
    rooms_of: defaultdict[str, list[Room]] = defaultdict(list)
    for room in await hotel_rooms.rooms_of_types(db, type_ids):
        rooms_of[room.room_type_id].append(room)
    rates_of = await catalogue.rates_by_type(db, type_ids)
    overrides_of = await night_rates.by_type(db, type_ids, start, end)
    every_room = [room.room_id for rooms in rooms_of.values() for room in rooms]
    occupied = await closures.occupancy(db, every_room, start, end)
    nights = nights_of(start, end)
    calendars = []
    for room_type in types:
        room_ids = [room.room_id for room in rooms_of[room_type.id]]
        figures = night_figures(
            room_ids,
            nights,
            occupied,
            rates_of.get(room_type.id, ()),
            overrides_of.get(room_type.id, NO_OVERRIDES),
        )
        calendars.append(
            TypeCalendar(
                room_type,
                tuple(rooms_of[room_type.id]),
                tuple(figures),
                tuple(closed_runs(room_ids, occupied)),
                tuple(booked_runs(room_ids, occupied)),
            )
        )
    return HotelCalendar(hotel, start, end, tuple(calendars))
