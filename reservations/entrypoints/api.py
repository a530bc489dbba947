"""HTTP queries over reservations (reads only: writes arrive as commands)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request

from reservations.adapters.repository import ReservationQuery, ReservationRepository
from reservations.domain.confirmation_code import LENGTH, normalise_code
from reservations.domain.model import ReservationStatus
from reservations.entrypoints.views import ReservationPage, ReservationView

MAX_PAGE_SIZE = 200
MAX_OFFSET = 1_000_000
CODE_PATTERN = re.compile(rf"^[A-Z2-9]{{{LENGTH}}}$")
Identifier = Annotated[str | None, Query(min_length=1, max_length=64)]

router = APIRouter(prefix="/reservations", tags=["reservations"])


def _repository(request: Request) -> ReservationRepository:
    repository: ReservationRepository = request.app.state.repository
    return repository


@router.get("/by-code/{code}")
async def reservation_by_code(code: str, request: Request) -> ReservationView:
    confirmation_code = normalise_code(code)
    if not CODE_PATTERN.match(confirmation_code):
        raise HTTPException(
            422, f"a confirmation code is {LENGTH} letters and digits (2-9), e.g. K7M3QX9B"
        )
    reservation = await _repository(request).by_code(confirmation_code)
    if reservation is None:
        raise HTTPException(404, f"no reservation has the confirmation code {confirmation_code}")
    return ReservationView.of(reservation)


@router.get("/{reservation_id}")
async def reservation_by_id(reservation_id: str, request: Request) -> ReservationView:
    reservation = await _repository(request).by_id(reservation_id)
    if reservation is None:
        raise HTTPException(404, "no reservation has this id")
    return ReservationView.of(reservation)


@router.get("")
async def list_reservations(
    request: Request,
    client_id: Identifier = None,
    hotel_id: Identifier = None,
    status: ReservationStatus | None = None,
    check_in_from: date | None = None,
    check_in_to: date | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> ReservationPage:
    if check_in_from and check_in_to and check_in_from > check_in_to:
        raise HTTPException(422, "check_in_from must not be after check_in_to")
    query = ReservationQuery(client_id, hotel_id, status, check_in_from, check_in_to)
    page = await _repository(request).search(query, limit, offset)
    return ReservationPage(
        items=[ReservationView.of(reservation) for reservation in page.items],
        total=page.total,
        limit=limit,
        offset=offset,
    )
