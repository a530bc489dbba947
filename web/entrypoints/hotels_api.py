"""Hotel managers' work, through the authenticated API: their hotels, each hotel's calendar of
nights (rate, free, booked and closed rooms), rates for a range of nights, and closing or
reopening a room or a room type. Checked here against the person's hotels, then done by the
rooms service, which owns every fact about rooms and refuses to close a booked night."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field

from infra.problems import Refusal
from web.accounts.roles import User, may_run_hotel
from web.auth import current_user, forbidden
from web.edge import COMMON, CONFLICT, NOT_FOUND, PathId
from web.upstream import Upstreams, call, url_path

router = APIRouter(prefix="/api", tags=["hotels"], responses=COMMON | NOT_FOUND | CONFLICT)
NO_SUCH_HOTEL = "No such hotel among those you run."


async def hotel_runner(request: Request, user: Annotated[User, Depends(current_user)]) -> User:
    if not (user.is_operator or user.manages_hotels):
        raise forbidden("auth.hotel_runners_only", "Hotel managers and operators only.")
    return user


HotelRunner = Annotated[User, Depends(hotel_runner)]


class Nights(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: date
    end: date


class RateChange(Nights):
    price: Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]


class Closing(Nights):
    room_id: str | None = Field(default=None, min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=200)


def _rooms(request: Request) -> httpx.AsyncClient:
    services: Upstreams = request.app.state.upstreams
    return services.rooms


def _check(user: User, hotel_id: str) -> None:
    if not may_run_hotel(user, hotel_id):
        raise Refusal(
            status.HTTP_404_NOT_FOUND, "hotel.not_yours", NO_SUCH_HOTEL, {"hotel_id": hotel_id}
        )


async def _hotels(request: Request) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (await call(_rooms(request), "GET", "/hotels")).json()
    return found


async def known_hotels(request: Request) -> set[str]:
    return {hotel["id"] for hotel in await _hotels(request)}


@router.get("/managed-hotels")
async def managed_hotels(request: Request, user: HotelRunner) -> dict[str, Any]:
    """The hotels this person runs (every hotel, for an operator)."""
    keys = ("name", "city", "country", "currency", "time_zone")
    return {
        "items": [
            {"hotel_id": hotel["id"], **{key: hotel[key] for key in keys}}
            for hotel in await _hotels(request)
            if may_run_hotel(user, hotel["id"])
        ]
    }


@router.get("/hotels/{hotel_id}/calendar")
async def calendar(
    request: Request, user: HotelRunner, hotel_id: PathId, start: date, end: date
) -> Any:
    """Each room type's nights from `start` to `end` (excluded): rate, free, booked and closed
    rooms, and the closed rooms with their reason."""
    _check(user, hotel_id)
    params = {"start": start.isoformat(), "end": end.isoformat()}
    path = url_path("hotels", hotel_id, "calendar")
    return (await call(_rooms(request), "GET", path, params=params)).json()


@router.put("/hotels/{hotel_id}/room-types/{room_type_id}/night-rates")
async def set_rate(
    request: Request, user: HotelRunner, hotel_id: PathId, room_type_id: PathId, body: RateChange
) -> Any:
    """One price for every night from `start` to `end` (excluded); searches and new holds
    charge it at once."""
    _check(user, hotel_id)
    path = url_path("hotels", hotel_id, "room-types", room_type_id, "night-rates")
    return (await call(_rooms(request), "PUT", path, json=body.model_dump(mode="json"))).json()


@router.delete("/hotels/{hotel_id}/room-types/{room_type_id}/night-rates")
async def reset_rate(
    request: Request,
    user: HotelRunner,
    hotel_id: PathId,
    room_type_id: PathId,
    start: date,
    end: date,
) -> Any:
    """Back to the seasonal rate for the nights from `start` to `end` (excluded)."""
    _check(user, hotel_id)
    path = url_path("hotels", hotel_id, "room-types", room_type_id, "night-rates")
    params = {"start": start.isoformat(), "end": end.isoformat()}
    return (await call(_rooms(request), "DELETE", path, params=params)).json()


@router.post(
    "/hotels/{hotel_id}/room-types/{room_type_id}/closures",
    responses={409: {"description": "A booked night of this room cannot be closed."}},
)
async def close(
    request: Request, user: HotelRunner, hotel_id: PathId, room_type_id: PathId, body: Closing
) -> Any:
    """Close one room (maintenance: refused, with the reason, if a night is booked) or, without
    `room_id`, the whole room type (stop-sell: booked nights stay and are listed)."""
    _check(user, hotel_id)
    path = url_path("hotels", hotel_id, "room-types", room_type_id, "closures")
    closing = body.model_dump(mode="json", exclude_none=True) | {"closed_by": user.username}
    return (await call(_rooms(request), "POST", path, json=closing)).json()


@router.delete("/hotels/{hotel_id}/room-types/{room_type_id}/closures")
async def reopen(
    request: Request,
    user: HotelRunner,
    hotel_id: PathId,
    room_type_id: PathId,
    start: date,
    end: date,
    room_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
) -> Any:
    """Reopen the closed nights from `start` to `end` (excluded), of one room or the type."""
    _check(user, hotel_id)
    path = url_path("hotels", hotel_id, "room-types", room_type_id, "closures")
    params = {"start": start.isoformat(), "end": end.isoformat()}
    if room_id:
        params["room_id"] = room_id
    return (await call(_rooms(request), "DELETE", path, params=params)).json()
