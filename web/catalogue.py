"""The rooms service's catalogue as the web apps need it: a hotel's details and its room types'
names, read over HTTP and kept by this process for a few minutes.

A booking that failed before its room was held has only ids; its list line and its page name
the hotel and the room type from here. A hotel's details change rarely (an operator's edit),
so a few minutes' delay before every process shows the new ones is fine.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from typing import Any

import httpx
from fastapi import HTTPException, Request, status

from web.upstream import call, url_path

CATALOGUE_SECONDS = 300.0
MAX_HOTELS_KEPT = 10_000  # ids never seen in the catalogue are kept too (as unknown)


class HotelCatalogue:
    def __init__(
        self,
        rooms: httpx.AsyncClient,
        seconds: float = CATALOGUE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rooms, self._seconds, self._clock = rooms, seconds, clock
        self._kept: dict[str, tuple[float, dict[str, Any] | None]] = {}

    async def hotel(self, hotel_id: str) -> dict[str, Any] | None:
        """The hotel as the rooms service describes it, with its `room_types`; None for an id
        the catalogue does not have."""
        kept = self._kept.get(hotel_id)
        if kept is not None and kept[0] > self._clock():
            return kept[1]
        path = url_path("hotels", hotel_id)
        answered = frozenset({status.HTTP_404_NOT_FOUND, status.HTTP_422_UNPROCESSABLE_CONTENT})
        try:
            response = await call(self._rooms, "GET", path, answered)
        except HTTPException:
            return None  # the rooms service is away: names are missing, nothing else fails
        found = response.json() if response.status_code == status.HTTP_200_OK else None
        if len(self._kept) >= MAX_HOTELS_KEPT:
            self._kept.clear()
        self._kept[hotel_id] = (self._clock() + self._seconds, found)
        return found

    async def hotels(self, hotel_ids: Iterable[str]) -> dict[str, dict[str, Any] | None]:
        """Several hotels, those not kept read at the same time."""
        ids = sorted(set(hotel_ids))
        found = await asyncio.gather(*(self.hotel(hotel_id) for hotel_id in ids))
        return dict(zip(ids, found, strict=True))


async def catalogue(request: Request) -> HotelCatalogue:
    """The process's catalogue (a FastAPI dependency), made on first use."""
    state = request.app.state
    if not hasattr(state, "catalogue"):
        state.catalogue = HotelCatalogue(state.upstreams.rooms)
    return state.catalogue  # type: ignore[no-any-return]


def room_type_name(hotel: dict[str, Any] | None, room_type_id: str | None) -> str | None:
    for room_type in (hotel or {}).get("room_types") or ():
        if room_type.get("id") == room_type_id:
            return str(room_type["name"])
    return None


def named(view: dict[str, Any], hotel: dict[str, Any] | None) -> dict[str, Any]:
    """A booking's view with its hotel's and room type's names, from the catalogue where the
    booking itself has none (it failed before its room was held)."""
    return view | {
        "hotel_name": view.get("hotel_name") or (hotel or {}).get("name"),
        "room_type": view.get("room_type") or room_type_name(hotel, view.get("room_type_id")),
    }


def hotel_card(hotel: dict[str, Any] | None) -> dict[str, Any] | None:
    """What a booking's page shows of its hotel."""
    if hotel is None:
        return None
    fields = ("id", "name", "address", "city", "country", "phone", "time_zone", "currency")
    return {name: hotel.get(name) for name in fields} | {
        "check_in_time": hotel.get("check_in_time"),
        "check_out_time": hotel.get("check_out_time"),
        "free_cancellation_hours": hotel.get("free_cancellation_hours"),
    }
