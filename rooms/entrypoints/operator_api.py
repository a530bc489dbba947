"""Operator actions: create and update hotels, room types, rooms and rates."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request, status
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError

from rooms.adapters import admin
from rooms.adapters.tables import hotels, rates, room_types, rooms
from rooms.entrypoints.api import engine_of, public
from rooms.entrypoints.errors import conflict, not_found, unprocessable
from rooms.entrypoints.schemas import (
    HotelIn,
    HotelPatch,
    RateIn,
    RatePatch,
    RoomIn,
    RoomPatch,
    RoomTypeIn,
    RoomTypePatch,
)

router = APIRouter(tags=["operators"])
CREATED = status.HTTP_201_CREATED


async def _create(
    request: Request, table: sa.Table, body: BaseModel, parent: tuple[str, sa.Table] | None
) -> dict[str, Any]:
    values = body.model_dump(mode="python")
    values["id"] = values.get("id") or str(uuid.uuid4())
    async with engine_of(request).begin() as connection:
        if parent is not None:
            column, parent_table = parent
            if await admin.get(connection, parent_table, values[column]) is None:
                raise unprocessable(
                    ("body", column),
                    "unknown_parent",
                    f"no {parent_table.name} {values[column]!r}",
                    {"parent": parent_table.name, "id": values[column]},
                )
        try:
            await admin.insert(connection, table, values)
        except IntegrityError:
            raise conflict(
                "catalogue.clash",
                f"{table.name} {values['id']!r} clashes with an existing row",
                {"table": table.name, "id": values["id"]},
            ) from None
        created = await admin.get(connection, table, values["id"])
    assert created is not None
    return public(created)


async def _update(
    request: Request, table: sa.Table, row_id: str, body: BaseModel
) -> dict[str, Any]:
    values = body.model_dump(mode="python", exclude_unset=True)
    async with engine_of(request).begin() as connection:
        try:
            found = await admin.update(connection, table, row_id, values)
        except IntegrityError:
            raise conflict(
                "catalogue.clash",
                f"the change to {table.name} {row_id!r} clashes",
                {"table": table.name, "id": row_id},
            ) from None
        if not found:
            what = table.name.rstrip("s").replace("_", " ")
            raise not_found(
                "catalogue.not_found", f"no {what} {row_id!r}", {"table": table.name, "id": row_id}
            )
        updated = await admin.get(connection, table, row_id)
    assert updated is not None
    return public(updated)


@router.post("/hotels", status_code=CREATED)
async def create_hotel(request: Request, body: HotelIn) -> dict[str, Any]:
    return await _create(request, hotels, body, parent=None)


@router.patch("/hotels/{hotel_id}")
async def update_hotel(request: Request, hotel_id: str, body: HotelPatch) -> dict[str, Any]:
    return await _update(request, hotels, hotel_id, body)


@router.post("/room-types", status_code=CREATED)
async def create_room_type(request: Request, body: RoomTypeIn) -> dict[str, Any]:
    return await _create(request, room_types, body, parent=("hotel_id", hotels))


@router.patch("/room-types/{room_type_id}")
async def update_room_type(
    request: Request, room_type_id: str, body: RoomTypePatch
) -> dict[str, Any]:
    return await _update(request, room_types, room_type_id, body)


@router.post("/rooms", status_code=CREATED)
async def create_room(request: Request, body: RoomIn) -> dict[str, Any]:
    return await _create(request, rooms, body, parent=("room_type_id", room_types))


@router.patch("/rooms/{room_id}")
async def update_room(request: Request, room_id: str, body: RoomPatch) -> dict[str, Any]:
    return await _update(request, rooms, room_id, body)


@router.post("/rates", status_code=CREATED)
async def create_rate(request: Request, body: RateIn) -> dict[str, Any]:
    return await _create(request, rates, body, parent=("room_type_id", room_types))


@router.patch("/rates/{rate_id}")
async def update_rate(request: Request, rate_id: str, body: RatePatch) -> dict[str, Any]:
    return await _update(request, rates, rate_id, body)
