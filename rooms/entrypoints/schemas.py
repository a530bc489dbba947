"""HTTP bodies of the rooms API: what operators send and what searches return."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from contracts.values import CurrencyCode, EntityId, Money
from rooms.domain.model import Continent

CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]
Month = Annotated[int, Field(ge=1, le=12)]
Name = Annotated[str, Field(min_length=1, max_length=200)]


def _known_time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise PydanticCustomError(
            "time_zone_unknown", "'{time_zone}' is not an IANA time zone", {"time_zone": value}
        ) from None
    return value


TimeZoneName = Annotated[str, Field(max_length=64), AfterValidator(_known_time_zone)]
# A wall-clock time in the hotel's zone, "15:00".
ClockTime = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", examples=["15:00"])]
# As the hotel writes it, with its country's calling code: "+33 1 42 60 18 18".
Phone = Annotated[str, Field(pattern=r"^(\+[0-9][0-9 ().-]{5,38})?$", max_length=40)]
CancellationHours = Annotated[int, Field(ge=0, le=24 * 30)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HotelIn(Body):
    id: EntityId | None = None
    name: Name
    address: Annotated[str, Field(min_length=1, max_length=300)]
    city: Annotated[str, Field(min_length=1, max_length=100)]
    country: CountryCode
    continent: Continent
    time_zone: TimeZoneName
    currency: CurrencyCode
    stars: Annotated[int, Field(ge=1, le=5)]
    phone: Phone = ""
    check_in_time: ClockTime = "15:00"
    check_out_time: ClockTime = "11:00"
    free_cancellation_hours: CancellationHours = 48


class HotelPatch(Body):
    name: Name | None = None
    address: Annotated[str, Field(min_length=1, max_length=300)] | None = None
    city: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    country: CountryCode | None = None
    continent: Continent | None = None
    time_zone: TimeZoneName | None = None
    currency: CurrencyCode | None = None
    stars: Annotated[int, Field(ge=1, le=5)] | None = None
    phone: Phone | None = None
    check_in_time: ClockTime | None = None
    check_out_time: ClockTime | None = None
    free_cancellation_hours: CancellationHours | None = None


class RoomTypeIn(Body):
    id: EntityId | None = None
    hotel_id: EntityId
    name: Annotated[str, Field(min_length=1, max_length=100)]
    capacity: Annotated[int, Field(ge=1, le=12)]
    beds: Annotated[str, Field(min_length=1, max_length=100)]
    amenities: list[Annotated[str, Field(min_length=1, max_length=40)]] = []


class RoomTypePatch(Body):
    name: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    capacity: Annotated[int, Field(ge=1, le=12)] | None = None
    beds: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    amenities: list[Annotated[str, Field(min_length=1, max_length=40)]] | None = None


class RoomIn(Body):
    id: EntityId | None = None
    room_type_id: EntityId
    number: Annotated[str, Field(min_length=1, max_length=16)]
    floor: Annotated[int, Field(ge=-5, le=200)]


class RoomPatch(Body):
    number: Annotated[str, Field(min_length=1, max_length=16)] | None = None
    floor: Annotated[int, Field(ge=-5, le=200)] | None = None


class RateIn(Body):
    id: EntityId | None = None
    room_type_id: EntityId
    season: Annotated[str, Field(min_length=1, max_length=60)]
    start_month: Month
    end_month: Month
    weekday_price: Money
    weekend_price: Money


class RatePatch(Body):
    season: Annotated[str, Field(min_length=1, max_length=60)] | None = None
    start_month: Month | None = None
    end_month: Month | None = None
    weekday_price: Money | None = None
    weekend_price: Money | None = None


class NightlyPriceOut(BaseModel):
    night: date
    price: Decimal


class AvailabilityOut(BaseModel):
    hotel_id: str
    hotel_name: str
    city: str
    country: str
    room_type_id: str
    room_type: str
    capacity: int
    available: int
    currency: str
    nightly_prices: list[NightlyPriceOut]
    total: Decimal
