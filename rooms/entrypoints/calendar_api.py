"""HTTP query of hotel managers: a hotel's calendar of prices, free, booked and closed rooms."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Request

from rooms.calendar import HotelCalendar, TypeCalendar, hotel_calendar
from rooms.domain.night_ranges import CALENDAR_MAX_NIGHTS
from rooms.entrypoints.api import engine_of
from rooms.entrypoints.errors import bad_range, not_found
from rooms.entrypoints.hotel_schemas import (
    BookedRoomOut,
    CalendarNightOut,
    CalendarOut,
    CalendarRoomOut,
    CalendarTypeOut,
    ClosedRoomOut,
)

router = APIRouter(tags=["hotel managers"])
HotelId = Annotated[str, Path(min_length=1, max_length=64)]


@router.get("/hotels/{hotel_id}/calendar", response_model=CalendarOut)
async def calendar(request: Request, hotel_id: HotelId, start: date, end: date) -> CalendarOut:
    if (problem := bad_range(start, end, CALENDAR_MAX_NIGHTS, "query")) is not None:
        raise problem
    async with engine_of(request).connect() as connection:
        found = await hotel_calendar(connection, hotel_id, start, end)
    if found is None:
        raise not_found("hotel.not_found", f"no hotel {hotel_id!r}", {"hotel_id": hotel_id})
    return _calendar_out(found)


def _calendar_out(found: HotelCalendar) -> CalendarOut:
    return CalendarOut(
        hotel_id=found.hotel.id,
        hotel_name=found.hotel.name,
        currency=found.hotel.currency,
        time_zone=found.hotel.time_zone,
        start=found.start,
        end=found.end,
        room_types=[_type_out(of_type) for of_type in found.room_types],
    )


def _type_out(of_type: TypeCalendar) -> CalendarTypeOut:
    number_of = {room.room_id: room.number for room in of_type.rooms}
    return CalendarTypeOut(
        room_type_id=of_type.room_type.id,
        name=of_type.room_type.name,
        capacity=of_type.room_type.capacity,
        rooms=[
            CalendarRoomOut(room_id=r.room_id, number=r.number, floor=r.floor)
            for r in of_type.rooms
        ],
        nights=[
            CalendarNightOut(
                night=n.night,
                price=n.price,
                overridden=n.overridden,
                priced=n.price is not None,
                rooms=n.rooms,
                free=n.free,
                booked=n.booked,
                closed=n.closed,
            )
            for n in of_type.nights
        ],
        closed=[
            ClosedRoomOut(
                room_id=run.room_id,
                number=number_of[run.room_id],
                nights=list(run.nights),
                reason=run.reason,
            )
            for run in of_type.closed
        ],
        booked=[
            BookedRoomOut(
                room_id=run.room_id, number=number_of[run.room_id], nights=list(run.nights)
            )
            for run in of_type.booked
        ],
    )
