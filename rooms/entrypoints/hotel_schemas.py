"""HTTP bodies of what hotel managers do: nightly prices, closures and the calendar."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from contracts.values import EntityId
from rooms.entrypoints.schemas import Body

Price = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Who = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class NightRateIn(Body):
    start: date
    end: date = Field(description="the first night not included")
    price: Price


class NightRateOut(BaseModel):
    room_type_id: str
    start: date
    end: date
    price: Decimal
    nights: int


class NightsOut(BaseModel):
    nights: int


class ClosureIn(Body):
    start: date
    end: date = Field(description="the first night not included")
    room_id: EntityId | None = Field(None, description="one room; every room of the type if unset")
    reason: Reason
    closed_by: Who | None = None


class LeftBookedOut(BaseModel):
    room_id: str
    number: str
    nights: list[date]


class ClosedOut(BaseModel):
    closed: int
    already_closed: int
    left_booked: list[LeftBookedOut]


class ReopenedOut(BaseModel):
    reopened: int


class CalendarRoomOut(BaseModel):
    room_id: str
    number: str
    floor: int


class CalendarNightOut(BaseModel):
    night: date
    price: Decimal | None
    overridden: bool
    priced: bool
    rooms: int
    free: int
    booked: int
    closed: int


class ClosedRoomOut(BaseModel):
    room_id: str
    number: str
    nights: list[date]
    reason: str


class BookedRoomOut(BaseModel):
    room_id: str
    number: str
    nights: list[date]


class CalendarTypeOut(BaseModel):
    room_type_id: str
    name: str
    capacity: int
    rooms: list[CalendarRoomOut]
    nights: list[CalendarNightOut]
    closed: list[ClosedRoomOut]
    booked: list[BookedRoomOut]


class CalendarOut(BaseModel):
    hotel_id: str
    hotel_name: str
    currency: str
    time_zone: str
    start: date
    end: date
    room_types: list[CalendarTypeOut]
