"""HTTP queries: availability across the group, hotel and room-type details."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.envelope import utc_now
from rooms.adapters import admin, catalogue
from rooms.adapters.tables import hotels, rates, room_types, rooms
from rooms.domain.destinations import Place
from rooms.entrypoints.errors import not_found, stay_refused
from rooms.entrypoints.schemas import AvailabilityOut, NightlyPriceOut
from rooms.queries import (
    AvailabilityQuery,
    Found,
    StayRefused,
    UnknownDestination,
    refusal_of_dates,
    search,
)

router = APIRouter(tags=["catalogue"])


def engine_of(request: Request) -> AsyncEngine:
    engine: AsyncEngine = request.app.state.engine
    return engine


def public(row: dict[str, Any]) -> dict[str, Any]:
    """A catalogue row for JSON: money as exact decimal strings, never floats."""
    return {key: str(v) if isinstance(v, Decimal) else v for key, v in row.items()}


@router.get("/availability", response_model=list[AvailabilityOut])
async def availability(
    request: Request,
    check_in: date,
    check_out: date,
    destination: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            description="A city or a country (its ISO code, or its name in English or French), "
            "without regard to accents or case.",
        ),
    ] = None,
    city: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    country: Annotated[
        str | None, Query(min_length=2, max_length=100, description="An ISO code or a name.")
    ] = None,
    hotel_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    guests: Annotated[int, Query(ge=1, le=12)] = 1,
    max_price: Annotated[Decimal | None, Query(gt=0, max_digits=14, decimal_places=2)] = None,
    sort: Literal["price"] | None = None,
) -> list[AvailabilityOut]:
    max_nights = request.app.state.settings.max_stay_nights
    if (rejected := refusal_of_dates(check_in, check_out, max_nights)) is not None:
        raise stay_refused(rejected)
    query = AvailabilityQuery(
        where=catalogue.SearchFilter(hotel_id, min_capacity=guests),
        place=Place(destination, city, country),
        check_in=check_in,
        check_out=check_out,
        max_price=max_price,
        sort_by_price=sort == "price",
    )
    async with engine_of(request).connect() as connection:
        try:
            found = await search(connection, query, utc_now(), max_nights)
        except StayRefused as exc:
            raise stay_refused(exc.rejected) from None
        except UnknownDestination as exc:
            raise not_found(
                "search.unknown_destination", str(exc), {"destination": exc.destination}
            ) from None
    return [_availability_out(f) for f in found]


def _availability_out(found: Found) -> AvailabilityOut:
    hotel, room_type, offer = found.sellable.hotel, found.sellable.room_type, found.offer
    return AvailabilityOut(
        hotel_id=hotel.id,
        hotel_name=hotel.name,
        city=hotel.city,
        country=hotel.country,
        room_type_id=room_type.id,
        room_type=room_type.name,
        capacity=room_type.capacity,
        available=offer.available,
        currency=hotel.currency,
        nightly_prices=[NightlyPriceOut(night=n, price=p) for n, p in offer.quote.nightly_prices],
        total=offer.quote.total,
    )


@router.get("/hotels")
async def list_hotels(
    request: Request,
    city: Annotated[str | None, Query(max_length=100)] = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
    continent: Annotated[str | None, Query(max_length=20)] = None,
) -> list[dict[str, Any]]:
    async with engine_of(request).connect() as connection:
        found = await admin.list_where(
            connection, hotels, {"city": city, "country": country, "continent": continent}
        )
    return [public(hotel) for hotel in found]


@router.get("/hotels/{hotel_id}")
async def hotel_details(request: Request, hotel_id: str) -> dict[str, Any]:
    async with engine_of(request).connect() as connection:
        hotel = await admin.get(connection, hotels, hotel_id)
        if hotel is None:
            raise not_found("hotel.not_found", f"no hotel {hotel_id!r}", {"hotel_id": hotel_id})
        types = await admin.list_where(connection, room_types, {"hotel_id": hotel_id})
    return public(hotel) | {"room_types": [public(t) for t in types]}


@router.get("/room-types/{room_type_id}")
async def room_type_details(request: Request, room_type_id: str) -> dict[str, Any]:
    async with engine_of(request).connect() as connection:
        room_type = await admin.get(connection, room_types, room_type_id)
        if room_type is None:
            raise not_found(
                "room_type.not_found",
                f"no room type {room_type_id!r}",
                {"room_type_id": room_type_id},
            )
        of_type = {"room_type_id": room_type_id}
        type_rooms = await admin.list_where(connection, rooms, of_type)
        type_rates = await admin.list_where(connection, rates, of_type)
    return public(room_type) | {
        "rooms": [public(r) for r in type_rooms],
        "rates": [public(r) for r in type_rates],
    }
