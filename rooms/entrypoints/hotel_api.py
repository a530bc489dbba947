"""HTTP actions of hotel managers: nightly prices and closures of a hotel's room types.

Every path names the hotel, so whoever calls on a manager's behalf can check the manager's
hotels against it; a room type of another hotel, or a room of another type, is a 404.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import structlog
from fastapi import APIRouter, Path, Query, Request
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.envelope import utc_now
from infra.problems import Param
from rooms import closing
from rooms.adapters import hotel_rooms, night_rates
from rooms.domain.night_ranges import MANAGEMENT_MAX_NIGHTS
from rooms.domain.pricing import CENT
from rooms.entrypoints.api import engine_of
from rooms.entrypoints.errors import bad_range, conflict, not_found
from rooms.entrypoints.hotel_schemas import (
    ClosedOut,
    ClosureIn,
    LeftBookedOut,
    NightRateIn,
    NightRateOut,
    NightsOut,
    ReopenedOut,
)

router = APIRouter(tags=["hotel managers"])
log = structlog.get_logger(__name__)
Id = Annotated[str, Path(min_length=1, max_length=64)]
ROOM_TYPE = "/hotels/{hotel_id}/room-types/{room_type_id}"


def _check_range(start: date, end: date, where: str) -> None:
    if (problem := bad_range(start, end, MANAGEMENT_MAX_NIGHTS, where)) is not None:
        raise problem


async def _target(
    db: AsyncConnection, hotel_id: str, room_type_id: str, room_id: str | None
) -> closing.Target:
    """The room type (and room) to act on, if it is the hotel's; else a 404."""
    currency = await hotel_rooms.currency_of_type_in_hotel(db, hotel_id, room_type_id)
    if currency is None:
        raise not_found(
            "room_type.not_found",
            f"no room type of hotel {hotel_id!r} {room_type_id!r}",
            {"room_type_id": room_type_id, "hotel_id": hotel_id},
        )
    rooms = tuple(await hotel_rooms.rooms_of_types(db, [room_type_id]))
    if room_id is not None and room_id not in {room.room_id for room in rooms}:
        raise not_found(
            "room.not_found",
            f"no room of room type {room_type_id!r} {room_id!r}",
            {"room_id": room_id, "room_type_id": room_type_id},
        )
    return closing.Target(hotel_id, room_type_id, currency, rooms, room_id)


@router.put(f"{ROOM_TYPE}/night-rates", response_model=NightRateOut)
async def set_night_rates(
    request: Request, hotel_id: Id, room_type_id: Id, body: NightRateIn
) -> NightRateOut:
    _check_range(body.start, body.end, "body")
    price = body.price.quantize(CENT)
    async with engine_of(request).begin() as db:
        await _target(db, hotel_id, room_type_id, None)
        nights = await night_rates.set_price(db, room_type_id, body.start, body.end, price)
    log.info("night rates set", hotel_id=hotel_id, room_type_id=room_type_id, nights=nights)
    return NightRateOut(
        room_type_id=room_type_id, start=body.start, end=body.end, price=price, nights=nights
    )


@router.delete(f"{ROOM_TYPE}/night-rates", response_model=NightsOut)
async def remove_night_rates(
    request: Request, hotel_id: Id, room_type_id: Id, start: date, end: date
) -> NightsOut:
    _check_range(start, end, "query")
    async with engine_of(request).begin() as db:
        await _target(db, hotel_id, room_type_id, None)
        nights = await night_rates.remove(db, room_type_id, start, end)
    log.info("night rates removed", hotel_id=hotel_id, room_type_id=room_type_id, nights=nights)
    return NightsOut(nights=nights)


@router.post(f"{ROOM_TYPE}/closures", response_model=ClosedOut)
async def close_rooms(
    request: Request, hotel_id: Id, room_type_id: Id, body: ClosureIn
) -> ClosedOut:
    _check_range(body.start, body.end, "body")
    engine = engine_of(request)
    async with engine.connect() as db:
        target = await _target(db, hotel_id, room_type_id, body.room_id)
    try:
        closed = await closing.close(
            engine, target, body.start, body.end, body.reason, body.closed_by, utc_now()
        )
    except closing.BookedNights as exc:
        nights = [night.isoformat() for night in exc.nights]
        params: dict[str, Param] = {"room": exc.room_number, "nights": nights}
        raise conflict("closure.booked_nights", exc.detail, params) from None
    except closing.KeptChanging:
        raise conflict(
            "closure.kept_changing",
            "Guests kept booking these nights while they were being closed. Try again.",
        ) from None
    return ClosedOut(
        closed=closed.closed,
        already_closed=closed.already_closed,
        left_booked=[
            LeftBookedOut(room_id=left.room_id, number=left.number, nights=list(left.nights))
            for left in closed.left_booked
        ],
    )


@router.delete(f"{ROOM_TYPE}/closures", response_model=ReopenedOut)
async def reopen_rooms(
    request: Request,
    hotel_id: Id,
    room_type_id: Id,
    start: date,
    end: date,
    room_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
) -> ReopenedOut:
    _check_range(start, end, "query")
    engine = engine_of(request)
    async with engine.connect() as db:
        target = await _target(db, hotel_id, room_type_id, room_id)
    return ReopenedOut(reopened=await closing.reopen(engine, target, start, end))
