"""The public API on port 5000: the paths and fields other systems rely on."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, status
from fastapi.responses import StreamingResponse
from fastapi.sse import ServerSentEvent
from pydantic_core import to_json

from contracts.sagas import TERMINAL_STATES
from infra.messaging.publisher import Publisher
from infra.problems import Refusal
from infra.tracing import tag_saga
from web.accounts.roles import User, may_hold_personal_data, may_see_booking
from web.auth import Booker, BookingHandler, CurrentUser, StreamUser
from web.booking_details import booking_page
from web.booking_search import BookingSearch, clients_named, orchestrator_query
from web.bookings import (
    BookingRequest,
    CancelRequest,
    RecentlyAccepted,
    booking_view,
    links,
)
from web.catalogue import HotelCatalogue, catalogue
from web.catalogue import named as named_view
from web.edge import COMMON, CONFLICT, ID_PATTERN, KNOWN_CLIENT, MAX_OFFSET, NOT_FOUND, PathId
from web.progress import ProgressHub
from web.settings import WebSettings
from web.sse import STREAM_RESPONSE, event_stream
from web.submissions import submit_booking, submit_cancellation
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
Hotels = Annotated[HotelCatalogue, Depends(catalogue)]


@router.get("/availability", tags=["search"], responses=NOT_FOUND)
async def availability(
    user: CurrentUser,
    services: Services,
    check_in: str,
    check_out: str,
    guests: Annotated[int, Query(ge=1, le=12)] = 1,
    destination: Annotated[
        str | None,
        Query(
            max_length=100,
            description="A city or a country (ISO code, or name in English or French), "
            "without regard to accents or case. A place with no hotel of the group is answered "
            "404 `search.unknown_destination`; one whose hotels are full, with no results.",
        ),
    ] = None,
    city: str | None = None,
    country: str | None = None,
    hotel_id: str | None = None,
    max_price: str | None = None,
) -> dict[str, Any]:
    params = {
        "check_in": check_in,
        "check_out": check_out,
        "guests": guests,
        "destination": destination,
        "city": city,
        "country": country,
        "hotel_id": hotel_id,
        "max_price": max_price,
    }
    params = {name: value for name, value in params.items() if value not in (None, "")}
    response = await call(services.rooms, "GET", "/availability", params=params)
    return {"results": response.json()}


@router.get("/hotels", tags=["search"])
async def group_hotels(_user: CurrentUser, services: Services) -> dict[str, Any]:
    """The group's hotels (id, name, city, country, time zone, currency), for choosing one in a
    search of bookings."""
    response = await call(services.rooms, "GET", "/hotels")
    fields = ("id", "name", "city", "country", "time_zone", "currency")
    hotels = [{field: hotel.get(field) for field in fields} for hotel in response.json()]
    return {"items": sorted(hotels, key=lambda hotel: (str(hotel["name"]), str(hotel["id"])))}


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
    # A 409 (`client.known`) passes on with the known client's `client_id`.
    response = await call(services.clients, "POST", "/clients", json=body, headers=user.acting())
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
    requests = request.app.state.booking_requests
    booking_id = await submit_booking(broker, requests, user.agency, user.username, key, body)
    tag_saga(booking_id)  # this request's span, the first of the saga's trace
    # Accepted, not yet read back: the saga is stored when the orchestrator takes the command,
    # and its events stream (or a read) gives the state from then on, for a retry too.
    recently_accepted(request).add(booking_id)
    return {"booking_id": booking_id, "status": "PENDING", "links": links(booking_id)}


@router.get("/bookings", tags=["bookings"])
async def list_bookings(
    user: CurrentUser,
    services: Services,
    hotels: Hotels,
    code: Annotated[str | None, Query(max_length=40, description="a confirmation code")] = None,
    client: Annotated[
        str | None, Query(min_length=1, max_length=200, description="words of the client's name")
    ] = None,
    client_id: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
    hotel_id: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
    stay_from: Annotated[date | None, Query(description="stays overlapping from this day")] = None,
    stay_to: Annotated[date | None, Query(description="... to this one, not included")] = None,
    status_filter: Annotated[str | None, Query(alias="status", max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    """The bookings this person may see, newest first: an agent's own, an agency manager's
    agency's, a hotel manager's hotels' (with the guest's name, no client id), all for an
    operator; found by confirmation code, client's name (among the agency's clients), hotel,
    stay dates (stays overlapping [stay_from, stay_to)) and status. Each names its client (or,
    to a hotel manager, its guest), its hotel and its room type."""
    search = BookingSearch(code, client, client_id, hotel_id, stay_from, stay_to, status_filter)
    named = await clients_named(user, services, client) if client else None
    query = orchestrator_query(user, search, named)
    if query is None:
        return {"items": [], "total": 0, "limit": limit, "offset": offset}
    params = query | {"limit": limit, "offset": offset}
    page = (await call(services.orchestrator, "GET", "/sagas", params=params)).json()
    views = [booking_view(saga) for saga in page["items"]]
    found = await hotels.hotels(v["hotel_id"] for v in views if v.get("hotel_id"))
    views = [named_view(view, found.get(view.get("hotel_id") or "")) for view in views]
    return {**page, "items": await shown_to(user, services, views)}


@router.get("/bookings/{booking_id}", tags=["bookings"], responses=NOT_FOUND)
async def read_booking(
    user: CurrentUser, services: Services, hotels: Hotels, booking_id: PathId
) -> dict[str, Any]:
    """The booking with its client's (or guest's) name, its nightly prices, its hotel, its
    cancellation terms and its history, each line a code the apps say in their language."""
    return await booking_details(user, services, hotels, booking_id)


async def booking_details(
    user: User, services: Upstreams, hotels: HotelCatalogue, booking_id: str
) -> dict[str, Any]:
    """A booking's page as `user` may see it (404 for one they may not)."""
    answered = frozenset({status.HTTP_404_NOT_FOUND})
    path = url_path("sagas", booking_id)
    response = await call(services.orchestrator, "GET", path, answered)
    saga = response.json() if response.status_code == status.HTTP_200_OK else None
    if saga is None or not is_booking(saga):
        raise no_such_booking()
    _check_visible(user, saga)
    hotel = await hotels.hotel(saga["data"]["hotel_id"])
    [view] = await shown_to(user, services, [named_view(booking_view(saga), hotel)])
    return booking_page(view, saga, hotel, datetime.now(UTC))


async def shown_to(
    user: User, services: Upstreams, views: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Bookings as `user` may see them, each with its client's name (one call to the clients
    service as that person): `client_name` for those who may hold personal data; to a hotel
    manager, `guest_name` in place of the client's id, and no agency staff's login."""
    client_ids = {view["client_id"] for view in views if view.get("client_id")}
    names = await _client_names(user, services, client_ids)
    if may_hold_personal_data(user):
        return [view | {"client_name": names.get(view.get("client_id") or "")} for view in views]
    return [
        view
        | {"client_id": None, "agent_id": None}
        | {"guest_name": names.get(view.get("client_id") or "")}
        for view in views
    ]


async def _client_names(user: User, services: Upstreams, client_ids: set[str]) -> dict[str, str]:
    """The clients' names by id, as the clients service shows them to `user`. An id that is not
    a client's (a booking for an unknown client failed) has no name."""
    ids = sorted(c for c in client_ids if _is_uuid(c))
    if not ids:
        return {}
    response = await call(
        services.clients, "GET", "/clients/names", params={"id": ids}, headers=user.acting()
    )
    return {str(k): str(v) for k, v in response.json().items()}


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


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
    reason = (body or CancelRequest()).reason
    await submit_cancellation(broker, saga, user.username, reason)
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
            raise no_such_booking()
    if not (_visible(user, saga) and belongs(saga)):
        raise no_such_booking()
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
    response_class=StreamingResponse,
    tags=["bookings"],
    responses={**STREAM_RESPONSE, **NOT_FOUND},
)
async def booking_events(
    request: Request,
    user: StreamUser,
    services: Services,
    booking_id: PathId,
    seen: FollowedBooking,
) -> StreamingResponse:
    return event_stream(
        saga_events(request, user, services, booking_id, seen, events_view(user), is_booking)
    )


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
            yield ServerSentEvent(event="not_found", data=no_such_booking().body())
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
        raise no_such_booking()
    _check_visible(user, saga)
    return saga


def recently_accepted(request: Request) -> RecentlyAccepted:
    state = request.app.state
    if not hasattr(state, "recently_accepted"):
        settings: WebSettings = state.settings
        state.recently_accepted = RecentlyAccepted(settings.booking_appears_within_seconds)
    return state.recently_accepted  # type: ignore[no-any-return]


def _visible(user: User, saga: dict[str, Any]) -> bool:
    return may_see_booking(user, saga.get("data") or {})


def _check_visible(user: User, saga: dict[str, Any]) -> None:
    if not _visible(user, saga):
        raise no_such_booking()


def no_such_booking() -> Refusal:
    return Refusal(status.HTTP_404_NOT_FOUND, "booking.not_found", NO_SUCH)


async def _json_body(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError as exc:
        raise Refusal(
            status.HTTP_422_UNPROCESSABLE_ENTITY, "request.not_json", "The body must be JSON."
        ) from exc
