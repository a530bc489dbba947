"""The public API on port 5000: the paths and fields other systems rely on."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, status
from fastapi.responses import JSONResponse
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic_core import to_json

from contracts.booking import CancelBooking, StartBooking
from contracts.envelope import Envelope
from contracts.sagas import TERMINAL_STATES
from contracts.topology import Service
from contracts.values import Stay
from infra.messaging.publisher import Publisher
from web.accounts.roles import User, booking_scope, may_hold_personal_data, may_see_booking
from web.auth import Booker, BookingHandler, CurrentUser, StreamUser
from web.booking_requests import BookingRequests, differing
from web.bookings import (
    BookingRequest,
    CancelRequest,
    RecentlyAccepted,
    booking_id_for,
    booking_view,
    links,
)
from web.edge import COMMON, CONFLICT, KNOWN_CLIENT, MAX_OFFSET, NOT_FOUND, PathId
from web.progress import ProgressHub
from web.settings import WebSettings
from web.upstream import Upstreams, call, url_path

router = APIRouter(prefix="/api", responses=COMMON)
# An events stream for a booking this process did not just accept, and that the orchestrator
# does not know, waits this long for it to appear, then answers 404.
UNKNOWN_BOOKING_WAIT_SECONDS = 2.0
NO_SUCH = "No booking with this id."
IdempotencyKey = Annotated[
    str, Header(alias="Idempotency-Key", min_length=8, max_length=64, pattern=r"^[\x21-\x7e]+$")
]


# Dependencies are coroutines: FastAPI runs a plain function in its thread pool, a thread
# hand-off on every request.
async def upstreams(request: Request) -> Upstreams:
    return request.app.state.upstreams  # type: ignore[no-any-return]


async def publisher(request: Request) -> Publisher:
    return request.app.state.publisher  # type: ignore[no-any-return]


Services = Annotated[Upstreams, Depends(upstreams)]
Broker = Annotated[Publisher, Depends(publisher)]


@router.get("/availability", tags=["search"])
async def availability(
    user: CurrentUser,
    services: Services,
    check_in: str,
    check_out: str,
    guests: Annotated[int, Query(ge=1, le=12)] = 1,
    city: str | None = None,
    country: str | None = None,
    hotel_id: str | None = None,
    max_price: str | None = None,
) -> dict[str, Any]:
    params = {
        "check_in": check_in,
        "check_out": check_out,
        "guests": guests,
        "city": city,
        "country": country,
        "hotel_id": hotel_id,
        "max_price": max_price,
    }
    params = {name: value for name, value in params.items() if value is not None}
    response = await call(services.rooms, "GET", "/availability", params=params)
    return {"results": response.json()}


@router.post(
    "/clients",
    status_code=status.HTTP_201_CREATED,
    tags=["clients"],
    responses=KNOWN_CLIENT,
)
async def create_client(user: Booker, services: Services, request: Request) -> Any:
    """Register a client for the agency. An address the agency already knows is answered 409
    with that client's id; any other address, even one another agency holds, is registered."""
    body = await _json_body(request)
    response = await call(
        services.clients,
        "POST",
        "/clients",
        answered=frozenset({status.HTTP_409_CONFLICT}),
        json=body,
        headers=user.acting(),
    )
    if response.status_code == status.HTTP_409_CONFLICT:
        return JSONResponse(response.json(), status_code=status.HTTP_409_CONFLICT)
    return response.json()


@router.get("/clients", tags=["clients"])
async def search_clients(
    user: Booker,
    services: Services,
    q: Annotated[str, Query(max_length=200)] = "",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Any:
    """Clients whose names (or, among the agency's own clients, address) hold every word of
    `q`, with their contact data masked."""
    params = {"q": q, "limit": limit, "offset": offset}
    response = await call(services.clients, "GET", "/clients", params=params, headers=user.acting())
    return response.json()


@router.get("/clients/{client_id}", tags=["clients"], responses=NOT_FOUND)
async def read_client(user: Booker, services: Services, client_id: PathId) -> Any:
    """The client in full (`access: full`, and the read is recorded) where the agency
    registered them or holds a confirmed booking for them; otherwise masked."""
    path = url_path("clients", client_id)
    return (await call(services.clients, "GET", path, headers=user.acting())).json()


@router.post("/bookings", status_code=status.HTTP_202_ACCEPTED, tags=["bookings"])
async def start_booking(
    request: Request,
    user: Booker,
    broker: Broker,
    services: Services,
    body: BookingRequest,
    key: IdempotencyKey,
) -> dict[str, Any]:
    booking_id = booking_id_for(user.agency, key)
    await _same_request_as_before(request, booking_id, body)
    command = StartBooking(
        idempotency_key=key,
        agency_id=user.agency,
        agent_id=user.username,
        client_id=body.client_id,
        hotel_id=body.hotel_id,
        room_type_id=body.room_type_id,
        stay=Stay(check_in=body.check_in, check_out=body.check_out),
        guests=body.guests,
    )
    try:
        await broker.send_command(
            Service.ORCHESTRATOR, command, Envelope.new(command.message_type, booking_id)
        )
    except Exception as exc:  # the agent must know the booking was not taken
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail="The booking could not be submitted (message broker unreachable); "
            "retry with the same Idempotency-Key.",
        ) from exc
    # Accepted, not yet read back: the saga is stored when the orchestrator takes the command,
    # and its events stream (or a read) gives the state from then on, for a retry too.
    recently_accepted(request).add(booking_id)
    return {"booking_id": booking_id, "status": "PENDING", "links": links(booking_id)}


@router.get("/bookings", tags=["bookings"])
async def list_bookings(
    user: CurrentUser,
    services: Services,
    client_id: str | None = None,
    status_filter: Annotated[str | None, Query(alias="status", max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    """The bookings this person may see, newest first: an agent's own, an agency manager's
    agency's, a hotel manager's hotels' (with the guest's name, no client id), all for an
    operator."""
    params: dict[str, Any] = {"limit": limit, "offset": offset, "kind": "booking"}
    if client_id and may_hold_personal_data(user):
        params["client_id"] = client_id
    if status_filter:
        params["state"] = status_filter.upper()
    params |= booking_scope(user)
    page = (await call(services.orchestrator, "GET", "/sagas", params=params)).json()
    views = [booking_view(saga) for saga in page["items"]]
    return {**page, "items": await shown_to(user, services, views)}


@router.get("/bookings/{booking_id}", tags=["bookings"], responses=NOT_FOUND)
async def read_booking(user: CurrentUser, services: Services, booking_id: PathId) -> dict[str, Any]:
    views = [booking_view(await visible_saga(user, services, booking_id))]
    return (await shown_to(user, services, views))[0]


async def shown_to(
    user: User, services: Upstreams, views: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Bookings as `user` may see them: to a hotel manager, the guest's name in place of the
    client's id (asked of the clients service as that person, who is shown names only), and no
    agency staff's login."""
    if may_hold_personal_data(user):
        return views
    client_ids = sorted({view["client_id"] for view in views if view.get("client_id")})
    found = await asyncio.gather(*(_guest_name(user, services, c) for c in client_ids))
    names = dict(zip(client_ids, found, strict=True))
    return [
        view
        | {"client_id": None, "agent_id": None}
        | {"guest_name": names.get(view.get("client_id") or "")}
        for view in views
    ]


async def _guest_name(user: User, services: Upstreams, client_id: str) -> str | None:
    path = url_path("clients", client_id)
    # A booking for a client id that never existed failed; it has no guest to name.
    answered = frozenset({status.HTTP_404_NOT_FOUND, status.HTTP_422_UNPROCESSABLE_ENTITY})
    response = await call(services.clients, "GET", path, answered, headers=user.acting())
    if response.status_code != status.HTTP_200_OK:
        return None
    client = response.json()
    return f"{client.get('first_name', '')} {client.get('last_name', '')}".strip() or None


def events_view(user: User) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A booking's view for its events stream: without the client's id where `user` may not
    hold it (the guest's name is in the list and the booking's read)."""
    if may_hold_personal_data(user):
        return booking_view
    return lambda saga: booking_view(saga) | {"client_id": None, "agent_id": None}


@router.post(
    "/bookings/{booking_id}/cancel",
    status_code=status.HTTP_202_ACCEPTED,
    tags=["bookings"],
    responses=NOT_FOUND | CONFLICT,
)
async def cancel_booking(
    user: BookingHandler,
    broker: Broker,
    services: Services,
    booking_id: PathId,
    body: CancelRequest | None = None,
) -> dict[str, Any]:
    saga = await visible_saga(user, services, booking_id)
    if saga["state"] not in ("CONFIRMED", "CANCELLING", "CANCELLED"):
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            detail=f"Only a confirmed booking can be cancelled; this one is {saga['state']}.",
        )
    if (saga.get("data") or {}).get("locked_by"):
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            detail="A change of this booking is under way; cancel it once the change has ended.",
        )
    reason = (body or CancelRequest()).reason
    command = CancelBooking(booking_saga_id=booking_id, requested_by=user.username, reason=reason)
    try:
        await broker.send_command(
            Service.ORCHESTRATOR, command, Envelope.new(command.message_type, booking_id)
        )
    except Exception as exc:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail="The cancellation could not be submitted (message broker unreachable).",
        ) from exc
    return {"booking_id": booking_id, "status": "CANCELLING", "links": links(booking_id)}


async def followed_saga(
    request: Request,
    user: User,
    services: Upstreams,
    saga_id: str,
    belongs: Callable[[dict[str, Any]], bool],
) -> dict[str, Any] | None:
    """The saga an events stream follows, checked before the stream opens: 404 at once for
    another agency's saga (or one `belongs` refuses), and for an id the orchestrator does not
    know unless this process accepted it lately (then the stream waits for it to be stored);
    any other unknown id gets a short wait, for a saga accepted by another replica of this
    app a moment ago.

    The saga is read from the newest progress event when one came lately (each carries the
    saga as stored), so following a booking just submitted costs no read of the orchestrator.
    """
    hub: ProgressHub = request.app.state.progress
    saga = hub.latest(saga_id)
    if saga is None and saga_id in recently_accepted(request):
        return None  # stored any moment now: the stream waits for its first step
    if saga is None:
        saga = await saga_or_none(services, saga_id)
    if saga is None:
        appears_by = time.monotonic() + UNKNOWN_BOOKING_WAIT_SECONDS
        async with hub.follow(saga_id) as progress:
            saga = hub.latest(saga_id) or await saga_or_none(services, saga_id)
            while saga is None and (left := appears_by - time.monotonic()) > 0:
                with contextlib.suppress(TimeoutError):
                    event = await asyncio.wait_for(progress.get(), min(left, 0.5))
                    saga = event.saga or await saga_or_none(services, saga_id)
        if saga is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NO_SUCH)
    if not (_visible(user, saga) and belongs(saga)):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NO_SUCH)
    return saga


def is_booking(saga: dict[str, Any]) -> bool:
    return bool(saga.get("kind", "booking") == "booking")


async def _followed_booking(
    request: Request, user: StreamUser, services: Services, booking_id: PathId
) -> dict[str, Any] | None:
    return await followed_saga(request, user, services, booking_id, is_booking)


FollowedBooking = Annotated[dict[str, Any] | None, Depends(_followed_booking)]


@router.get(
    "/bookings/{booking_id}/events",
    response_class=EventSourceResponse,
    tags=["bookings"],
    responses=NOT_FOUND,
)
async def booking_events(
    request: Request,
    user: StreamUser,
    services: Services,
    booking_id: PathId,
    seen: FollowedBooking,
) -> AsyncIterator[ServerSentEvent]:
    async for event in saga_events(
        request, user, services, booking_id, seen, events_view(user), is_booking
    ):
        yield event


async def saga_events(
    request: Request,
    user: User,
    services: Upstreams,
    saga_id: str,
    seen: dict[str, Any] | None,
    view: Callable[[dict[str, Any]], dict[str, Any]],
    belongs: Callable[[dict[str, Any]], bool],
) -> AsyncIterator[ServerSentEvent]:
    """A saga's events stream: its state (`view`) now, each step as it happens, its state at
    the end."""
    hub: ProgressHub = request.app.state.progress
    settings: WebSettings = request.app.state.settings
    keepalive = settings.sse_keepalive_seconds
    if seen is not None and seen["state"] in TERMINAL_STATES:
        yield _state(view(seen))  # nothing more will come
        return
    async with hub.follow(saga_id) as progress:  # follow first, so no step falls in a gap
        saga = _newer(hub.latest(saga_id), seen)
        if saga is None and saga_id not in recently_accepted(request):
            saga = await saga_or_none(services, saga_id)
        # A saga accepted a moment ago (202) may still be queued for the orchestrator; its
        # first progress event, which carries the saga as stored, says it is there. The stream
        # waits for it, kept alive, for as long as an accepted saga can take to be taken up.
        appears_by = time.monotonic() + settings.booking_appears_within_seconds
        while saga is None and (left := appears_by - time.monotonic()) > 0:
            try:
                event = await asyncio.wait_for(progress.get(), min(keepalive, left))
            except TimeoutError:
                saga = await _stored_if_reachable(services, saga_id)
                if saga is None:
                    yield ServerSentEvent(comment="keep-alive")
                continue
            # The event itself is not lost: the saga it carries already shows that step.
            saga = event.saga or await saga_or_none(services, saga_id)
        if saga is None or not (_visible(user, saga) and belongs(saga)):
            # the stream is open: no 404 any more
            yield ServerSentEvent(event="not_found", data={"detail": NO_SUCH})
            return
        yield _state(view(saga))
        if saga["state"] in TERMINAL_STATES:
            return
        shown_until = datetime.fromisoformat(saga["updated_at"])
        while True:
            try:
                event = await asyncio.wait_for(progress.get(), keepalive)
            except TimeoutError:
                # Progress events are transient: one the broker lost must not leave the agent
                # waiting for ever, so a quiet stream reads the stored saga.
                stored = await _stored_if_reachable(services, saga_id)
                if stored is None or stored["revision"] <= saga["revision"]:
                    yield ServerSentEvent(comment="keep-alive")
                    continue
                saga, shown_until = stored, datetime.fromisoformat(stored["updated_at"])
                yield _state(view(saga))
                if saga["state"] in TERMINAL_STATES:
                    return
                continue
            if event.at <= shown_until:
                continue  # a step the opening state already shows
            yield ServerSentEvent(event="step", raw_data=event.model_dump_json(exclude={"saga"}))
            saga = _newer(event.saga, saga) or saga
            if event.terminal:
                final = event.saga or await saga_or_none(services, saga_id)
                if final is not None:
                    yield _state(view(final))
                return


def _state(view: dict[str, Any]) -> ServerSentEvent:
    """A state event, its JSON written at once in Rust (FastAPI's encoder would walk it)."""
    return ServerSentEvent(event="state", raw_data=to_json(view).decode())


def _newer(one: dict[str, Any] | None, other: dict[str, Any] | None) -> dict[str, Any] | None:
    """The later of two snapshots of a saga (by revision), or whichever there is."""
    if one is None or other is None:
        return one or other
    return one if one.get("revision", 0) >= other.get("revision", 0) else other


async def saga_or_none(services: Upstreams, booking_id: str) -> dict[str, Any] | None:
    try:
        # The operators' history is not part of a booking's view; not reading it halves the work.
        response = await call(
            services.orchestrator, "GET", url_path("sagas", booking_id), params={"history": "false"}
        )
        return response.json()  # type: ignore[no-any-return]
    except HTTPException as exc:
        if exc.status_code == status.HTTP_404_NOT_FOUND:
            return None
        raise


async def _stored_if_reachable(services: Upstreams, booking_id: str) -> dict[str, Any] | None:
    """The stored saga, or None when it is not there or the orchestrator cannot be read."""
    try:
        return await saga_or_none(services, booking_id)
    except HTTPException:
        return None


async def visible_saga(
    user: User,
    services: Upstreams,
    saga_id: str,
    belongs: Callable[[dict[str, Any]], bool] = is_booking,
) -> dict[str, Any]:
    """The saga, if this user may see it and `belongs` takes it; else 404."""
    saga = await saga_or_none(services, saga_id)
    if saga is None or not belongs(saga):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NO_SUCH)
    _check_visible(user, saga)
    return saga


def recently_accepted(request: Request) -> RecentlyAccepted:
    state = request.app.state
    if not hasattr(state, "recently_accepted"):
        settings: WebSettings = state.settings
        state.recently_accepted = RecentlyAccepted(settings.booking_appears_within_seconds)
    return state.recently_accepted  # type: ignore[no-any-return]


async def _same_request_as_before(request: Request, booking_id: str, body: BookingRequest) -> None:
    """An Idempotency-Key names one request: reused with another body, it is refused (422, as
    the IETF Idempotency-Key draft says) rather than answered with the first booking."""
    asked = body.model_dump(mode="json")
    requests: BookingRequests = request.app.state.booking_requests
    differs = differing(await requests.first(booking_id, asked), asked)
    if differs:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_ENTITY,
            detail="This Idempotency-Key was already used for another request (it differs in "
            f"{', '.join(differs)}); use a new key for a new booking.",
        )


def _visible(user: User, saga: dict[str, Any]) -> bool:
    return may_see_booking(user, saga.get("data") or {})


def _check_visible(user: User, saga: dict[str, Any]) -> None:
    if not _visible(user, saga):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NO_SUCH)


async def _json_body(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError as exc:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_ENTITY, detail="The body must be JSON."
        ) from exc
