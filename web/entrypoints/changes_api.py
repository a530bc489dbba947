"""Changing a confirmed booking through the public API: its price first, then the change, then
its progress, as for a booking."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import StreamingResponse

from contracts.booking import StartChange
from contracts.envelope import Envelope
from contracts.topology import Service
from contracts.values import Stay
from infra.problems import Refusal
from web.auth import BookingHandler, CurrentUser, StreamUser
from web.bookings import IsoDate
from web.changes import (
    ChangeRequest,
    change_id_for,
    change_links,
    change_view,
    is_change_of,
    quote,
)
from web.edge import COMMON, CONFLICT, NOT_FOUND, PathId
from web.entrypoints.public_api import (
    Broker,
    IdempotencyKey,
    Services,
    followed_saga,
    recently_accepted,
    saga_events,
    saga_or_none,
    visible_saga,
)
from web.sse import STREAM_RESPONSE, event_stream
from web.upstream import call

router = APIRouter(prefix="/api/bookings/{booking_id}", responses=COMMON, tags=["changes"])


@router.get("/change-quote", responses=NOT_FOUND)
async def change_quote(
    user: BookingHandler,
    services: Services,
    booking_id: PathId,
    check_in: IsoDate,
    check_out: IsoDate,
    guests: Annotated[int | None, Query(ge=1, le=12)] = None,
) -> dict[str, Any]:
    """What the booking would cost on these dates in each room type of its hotel, and the
    difference with its price now: what the agent reads to the client before changing it."""
    booking = await visible_saga(user, services, booking_id)
    data = booking.get("data") or {}
    params = {
        "check_in": check_in.isoformat(),
        "check_out": check_out.isoformat(),
        "hotel_id": data.get("hotel_id"),
        "guests": guests or data.get("guests") or 1,
    }
    offers = (await call(services.rooms, "GET", "/availability", params=params)).json()
    return quote(booking, offers)


@router.post("/changes", status_code=status.HTTP_202_ACCEPTED, responses=NOT_FOUND | CONFLICT)
async def start_change(
    request: Request,
    user: BookingHandler,
    broker: Broker,
    services: Services,
    booking_id: PathId,
    body: ChangeRequest,
    key: IdempotencyKey,
) -> dict[str, Any]:
    """Change a confirmed booking: other dates, another room type of its hotel, or another
    number of guests. The booking stays exactly as it is unless the whole change succeeds."""
    booking = await visible_saga(user, services, booking_id)
    change_id = change_id_for(booking_id, key)
    existing = await saga_or_none(services, change_id)
    if existing is not None:
        if body.differs_from(existing, booking):
            raise Refusal(
                status.HTTP_422_UNPROCESSABLE_ENTITY,
                "change.key_reused",
                "This Idempotency-Key was already used for another change; use a new key for a "
                "new change.",
            )
        return _accepted(booking_id, change_id, existing["state"])
    _check_changeable(booking, body)
    data = booking.get("data") or {}
    wanted = body.wanted(booking)
    command = StartChange(
        idempotency_key=key,
        booking_saga_id=booking_id,
        agency_id=data["agency_id"],
        agent_id=user.username,
        client_id=data["client_id"],
        hotel_id=data["hotel_id"],
        room_type_id=wanted["room_type_id"],
        stay=Stay(check_in=body.check_in, check_out=body.check_out),
        guests=wanted["guests"],
    )
    try:
        await broker.send_command(
            Service.ORCHESTRATOR, command, Envelope.new(command.message_type, change_id)
        )
    except Exception as exc:
        raise Refusal(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "change.not_submitted",
            "The change could not be submitted (message broker unreachable); retry with the "
            "same Idempotency-Key.",
        ) from exc
    recently_accepted(request).add(change_id)
    return _accepted(booking_id, change_id, "PENDING")


def _check_changeable(booking: dict[str, Any], body: ChangeRequest) -> None:
    if booking["state"] != "CONFIRMED":
        raise Refusal(
            status.HTTP_409_CONFLICT,
            "change.not_confirmed",
            f"Only a confirmed booking can be changed; this one is {booking['state']}.",
            {"status": booking["state"]},
        )
    if (booking.get("data") or {}).get("locked_by"):
        raise Refusal(
            status.HTTP_409_CONFLICT,
            "change.under_way",
            "Another change of this booking is under way.",
        )
    if body.changes_nothing(booking):
        raise Refusal(
            status.HTTP_422_UNPROCESSABLE_ENTITY,
            "change.nothing_changed",
            "The change asks for the booking as it already is.",
        )


def _accepted(booking_id: str, change_id: str, state: str) -> dict[str, Any]:
    return {
        "change_id": change_id,
        "booking_id": booking_id,
        "status": state,
        "links": change_links(booking_id, change_id),
    }


@router.get("/changes/{change_id}", responses=NOT_FOUND)
async def read_change(
    user: CurrentUser, services: Services, booking_id: PathId, change_id: PathId
) -> dict[str, Any]:
    return change_view(await visible_saga(user, services, change_id, is_change_of(booking_id)))


async def _followed_change(
    request: Request, user: StreamUser, services: Services, booking_id: PathId, change_id: PathId
) -> dict[str, Any] | None:
    return await followed_saga(request, user, services, change_id, is_change_of(booking_id))


@router.get(
    "/changes/{change_id}/events",
    response_class=StreamingResponse,
    responses={**STREAM_RESPONSE, **NOT_FOUND},
)
async def change_events(
    request: Request,
    user: StreamUser,
    services: Services,
    booking_id: PathId,
    change_id: PathId,
    seen: Annotated[dict[str, Any] | None, Depends(_followed_change)],
) -> StreamingResponse:
    belongs = is_change_of(booking_id)
    return event_stream(saga_events(request, user, services, change_id, seen, change_view, belongs))
