"""Hotel managers' work on MariaDB: nightly prices, closed rooms and the calendar.

Managers act over the rooms HTTP API; guests' holds go through the rooms inbox with the
service's own handlers, as its consumer applies them. What is asserted is what a manager and
a guest rely on: the price a search shows and a hold charges, and that a closed night is
never sold nor a sold night closed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.base import Command, Reply
from contracts.envelope import Envelope, new_id
from contracts.registry import model_for
from contracts.rooms import (
    BookingReleased,
    ConfirmHold,
    HoldConfirmed,
    HoldExpired,
    HoldReleased,
    HoldRoom,
    ReleaseBooking,
    ReleaseHold,
    RoomHeld,
    RoomUnavailable,
)
from contracts.topology import Topology
from contracts.values import Stay
from infra.messaging.codec import Decoded
from infra.stores.sql_inbox import SqlInbox
from rooms.adapters.tables import closures, holds, hotels, inbox, rates, room_nights, room_types
from rooms.adapters.tables import rooms as room_rows
from rooms.domain.model import Rate
from rooms.domain.pricing import nights_of, price_of_night
from rooms.entrypoints.app import create_app
from rooms.handlers import HoldPolicy, command_handlers
from rooms.settings import RoomsSettings
from rooms.sweeper import expire_lapsed_holds
from tests.support.service_auth import internal_client

pytestmark = pytest.mark.integration

HOTEL, OTHER_HOTEL = "mgr-hotel", "mgr-other"
DOUBLE, SUITE, FAMILY = "mgr-double", "mgr-suite", "mgr-family"  # FAMILY has no rate at all
ROOMS = {"mgr-double-101": "101", "mgr-double-102": "102", "mgr-double-103": "103"}
R101, R102, R103 = ROOMS
SUITE_ROOM, FAMILY_ROOM = "mgr-suite-901", "mgr-family-501"
DOUBLE_RATE = Rate(1, 12, Decimal("100"), Decimal("130"))
SUITE_RATE = Rate(1, 12, Decimal("300"), Decimal("360"))
START = date.today() + timedelta(days=50)
HANDLERS = command_handlers(HoldPolicy())
DEADLOCK_ATTEMPTS = 5
Night = tuple[str, date]


def day(offset: int) -> date:
    return START + timedelta(days=offset)


@dataclass
class Service:
    engine: AsyncEngine
    http: httpx.AsyncClient

    async def send(self, command: Command, saga_id: str) -> Reply:
        """One command under `saga_id` and a new message id, through the rooms inbox; a
        deadlock (a hold racing a closure) is tried again, as the consumer does."""
        envelope = Envelope.new(command.message_type, saga_id)
        for _ in range(DEADLOCK_ATTEMPTS - 1):
            with contextlib.suppress(OperationalError):
                return await self._apply(envelope, command)
        return await self._apply(envelope, command)

    async def _apply(self, envelope: Envelope, command: Command) -> Reply:
        result = await SqlInbox(self.engine, inbox).process(
            Decoded(envelope, command), HANDLERS[type(command)]
        )
        body = result.reply.body
        reply = model_for(result.reply.envelope.message_type).model_validate_json(body)
        assert isinstance(reply, Reply)
        return reply

    async def hold(
        self, first: int, last: int, saga_id: str | None = None, **how: Any
    ) -> RoomHeld | RoomUnavailable:
        """A guest's hold on the nights day(first)..day(last - 1)."""
        how.setdefault("room_type_id", DOUBLE)
        stay = Stay(check_in=day(first), check_out=day(last))
        command = HoldRoom(hotel_id=HOTEL, stay=stay, guests=1, **how)
        reply = await self.send(command, saga_id or new_id())
        assert isinstance(reply, RoomHeld | RoomUnavailable), reply
        return reply

    async def book(self, first: int, last: int, **how: Any) -> tuple[str, RoomHeld]:
        saga_id = new_id()
        held = await self.hold(first, last, saga_id=saga_id, **how)
        assert isinstance(held, RoomHeld), held
        assert await self.send(ConfirmHold(), saga_id) == HoldConfirmed(hold_id=held.hold_id)
        return saga_id, held

    async def search(self, first: int, last: int, room_type_id: str = DOUBLE) -> dict[str, Any]:
        stay = {"check_in": day(first).isoformat(), "check_out": day(last).isoformat()}
        found = await self.http.get("/availability", params={"hotel_id": HOTEL, **stay})
        assert found.status_code == 200, found.text
        offers = [o for o in found.json() if o["room_type_id"] == room_type_id]
        return offers[0] if offers else {"available": 0}

    async def close(self, first: int, last: int, **body: Any) -> httpx.Response:
        body = {"start": day(first).isoformat(), "end": day(last).isoformat(), **body}
        body.setdefault("reason", "maintenance")
        return await self.http.post(f"/hotels/{HOTEL}/room-types/{DOUBLE}/closures", json=body)

    async def reopen(self, first: int, last: int, **params: str) -> httpx.Response:
        params = {"start": day(first).isoformat(), "end": day(last).isoformat(), **params}
        return await self.http.delete(
            f"/hotels/{HOTEL}/room-types/{DOUBLE}/closures", params=params
        )

    async def nights(self) -> dict[Night, tuple[str, str]]:
        """Every taken night: (room, night) -> (its hold, that hold's status)."""
        query = sa.select(
            room_nights.c.room_id, room_nights.c.night, holds.c.hold_id, holds.c.status
        ).select_from(room_nights.join(holds))
        async with self.engine.connect() as connection:
            return {(r, n): (h, s) for r, n, h, s in await connection.execute(query)}

    async def closed_nights(self) -> set[Night]:
        return {key for key, (_, status) in (await self.nights()).items() if status == "CLOSED"}

    async def count(self, table: sa.Table) -> int:
        async with self.engine.connect() as connection:
            query = sa.select(sa.func.count()).select_from(table)
            return int((await connection.execute(query)).scalar_one())


@pytest.fixture
async def svc(amqp_url: str, topology: Topology, sql_database_url: str) -> AsyncIterator[Service]:
    settings = RoomsSettings(
        amqp_url=amqp_url, booking_namespace=topology.namespace, rooms_db_url=sql_database_url
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        await add_catalogue(app.state.engine)
        transport = httpx.ASGITransport(app=app)
        async with internal_client("rooms", transport=transport, base_url="http://rooms") as http:
            yield Service(app.state.engine, http)


async def add_catalogue(engine: AsyncEngine) -> None:
    hotel = {
        "address": "1 rue du Test",
        "city": "Lyon",
        "country": "FR",
        "continent": "Europe",
        "time_zone": "Europe/Paris",
        "currency": "EUR",
        "stars": 4,
    }
    kinds = {"capacity": 2, "beds": "1 queen", "amenities": []}
    async with engine.begin() as connection:
        await connection.execute(
            hotels.insert(),
            [
                {"id": HOTEL, "name": "Test Lyon", **hotel},
                {"id": OTHER_HOTEL, "name": "Other", **hotel},
            ],
        )
        await connection.execute(
            room_types.insert(),
            [
                {"id": DOUBLE, "hotel_id": HOTEL, "name": "Double", **kinds},
                {"id": SUITE, "hotel_id": HOTEL, "name": "Suite", **kinds},
                {"id": FAMILY, "hotel_id": HOTEL, "name": "Family", **kinds},
                {"id": "mgr-other-double", "hotel_id": OTHER_HOTEL, "name": "Double", **kinds},
            ],
        )
        rooms = [(room_id, DOUBLE, number) for room_id, number in ROOMS.items()]
        rooms += [(SUITE_ROOM, SUITE, "901"), (FAMILY_ROOM, FAMILY, "501")]
        await connection.execute(
            room_rows.insert(),
            [{"id": r, "room_type_id": t, "number": n, "floor": int(n[0])} for r, t, n in rooms],
        )
        await connection.execute(
            rates.insert(),
            [
                {
                    "id": f"rate-{room_type}",
                    "room_type_id": room_type,
                    "season": "year",
                    "start_month": rate.start_month,
                    "end_month": rate.end_month,
                    "weekday_price": rate.weekday_price,
                    "weekend_price": rate.weekend_price,
                }
                for room_type, rate in ((DOUBLE, DOUBLE_RATE), (SUITE, SUITE_RATE))
            ],
        )


def prices(offer_or_hold: dict[str, Any] | RoomHeld) -> dict[date, Decimal]:
    if isinstance(offer_or_hold, RoomHeld):
        return {p.night: p.price for p in offer_or_hold.nightly_prices}
    return {
        date.fromisoformat(p["night"]): Decimal(p["price"]) for p in offer_or_hold["nightly_prices"]
    }


async def test_an_override_prices_searches_and_new_holds_at_once_until_it_is_removed(
    svc: Service,
) -> None:
    seasonal = prices(await svc.search(0, 3))
    path = f"/hotels/{HOTEL}/room-types/{DOUBLE}/night-rates"

    put = await svc.http.put(
        path, json={"start": day(1).isoformat(), "end": day(2).isoformat(), "price": "210"}
    )
    offer = await svc.search(0, 3)
    held = await svc.hold(0, 3)
    removed = await svc.http.delete(
        path, params={"start": day(0).isoformat(), "end": day(3).isoformat()}
    )
    after = await svc.search(0, 3)
    held_after = await svc.hold(0, 3)

    assert put.status_code == 200, put.text
    assert put.json() == {
        "room_type_id": DOUBLE,
        "start": day(1).isoformat(),
        "end": day(2).isoformat(),
        "price": "210.00",
        "nights": 1,
    }
    overridden = seasonal | {day(1): Decimal("210.00")}
    assert seasonal[day(1)] != Decimal("210.00")
    assert prices(offer) == overridden and Decimal(offer["total"]) == sum(overridden.values())
    assert isinstance(held, RoomHeld) and prices(held) == overridden
    assert held.total == sum(overridden.values())
    assert removed.status_code == 200 and removed.json() == {"nights": 1}
    assert prices(after) == seasonal
    assert isinstance(held_after, RoomHeld) and prices(held_after) == seasonal
    # The suite's prices are its own.
    assert prices(await svc.search(0, 3, SUITE)) == {
        n: price_of_night([SUITE_RATE], n) for n in nights_of(day(0), day(3))
    }


async def test_closing_one_room_takes_it_off_sale_for_those_nights_only(svc: Service) -> None:
    before = [(await svc.search(*stay))["available"] for stay in ((0, 2), (1, 3), (2, 4))]

    closed = await svc.close(0, 2, room_id=R102, reason="new carpet", closed_by="M. Dupont")
    again = await svc.close(0, 2, room_id=R102, reason="new carpet")
    after = [(await svc.search(*stay))["available"] for stay in ((0, 2), (1, 3), (2, 4))]

    assert before == [3, 3, 3]
    assert closed.status_code == 200, closed.text
    assert closed.json() == {"closed": 2, "already_closed": 0, "left_booked": []}
    assert again.json() == {"closed": 0, "already_closed": 2, "left_booked": []}
    assert after == [2, 2, 3]
    assert await svc.closed_nights() == {(R102, day(0)), (R102, day(1))}
    assert (await svc.search(0, 2, SUITE))["available"] == 1


async def test_closing_a_booked_night_of_a_room_is_refused_and_changes_nothing(
    svc: Service,
) -> None:
    await svc.book(5, 7, room_id=R102)
    before = await svc.nights()

    refused = await svc.close(4, 8, room_id=R102)

    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        f"Room 102 is booked on {day(5)} and {day(6)}: a sold night cannot be closed. "
        "Choose other nights or another room."
    )
    assert await svc.nights() == before
    assert await svc.count(closures) == 0


async def test_closing_a_room_type_leaves_booked_nights_and_reports_them(svc: Service) -> None:
    held = await svc.hold(1, 2, room_id=R101)  # a hold not yet confirmed is someone's too
    await svc.book(0, 2, room_type_id=SUITE)

    closed = await svc.close(0, 3, reason="stop-sell")
    again = await svc.close(0, 3, reason="stop-sell")
    suite = await svc.http.post(
        f"/hotels/{HOTEL}/room-types/{SUITE}/closures",
        json={"start": day(0).isoformat(), "end": day(2).isoformat(), "reason": "stop-sell"},
    )

    left = [{"room_id": R101, "number": "101", "nights": [day(1).isoformat()]}]
    assert isinstance(held, RoomHeld)
    assert closed.json() == {"closed": 3 * 3 - 1, "already_closed": 0, "left_booked": left}
    assert again.json() == {"closed": 0, "already_closed": 8, "left_booked": left}
    assert suite.status_code == 200
    assert suite.json()["closed"] == 0 and len(suite.json()["left_booked"][0]["nights"]) == 2
    nights = await svc.nights()
    assert nights[(R101, day(1))] == (held.hold_id, "HELD")
    assert {key for key, (_, status) in nights.items() if status == "CLOSED"} == {
        (room, night) for room in ROOMS for night in nights_of(day(0), day(3))
    } - {(R101, day(1))}


async def test_a_hold_never_takes_a_closed_night_even_racing_the_closure(svc: Service) -> None:
    # Three guests, each holding the four nights one after the other, would fill the three
    # rooms; the type is closed for those nights once a first hold is answered, while the
    # guests go on.
    answered = asyncio.Event()

    async def guest() -> list[RoomHeld | RoomUnavailable]:
        replies = []
        for night in range(4):
            replies.append(await svc.hold(night, night + 1))
            answered.set()
        return replies

    guests = [asyncio.create_task(guest()) for _ in range(3)]
    await answered.wait()
    closed = await svc.close(0, 4, reason="stop-sell")
    replies = [reply for replies in await asyncio.gather(*guests) for reply in replies]
    nights = await svc.nights()
    afterwards = [await svc.hold(1, 2), await svc.hold(1, 2, room_id=R103)]

    assert closed.status_code == 200, closed.text
    report = closed.json()
    held = [reply for reply in replies if isinstance(reply, RoomHeld)]
    assert held, "the first hold answered before the closure was asked for"
    # Every night of every room is now either a guest's (as its reply says) or closed.
    assert len(nights) == len(ROOMS) * 4
    assert len(held) + sum(isinstance(r, RoomUnavailable) for r in replies) == len(replies)
    for reply in held:
        assert nights[(reply.room_id, reply.stay.check_in)] == (reply.hold_id, "HELD")
    assert sum(status == "HELD" for _, status in nights.values()) == len(held)
    # A hold either had its night before the closure read the range (left booked) or found
    # it closed: none got in between, none took a closed night.
    assert sum(len(left["nights"]) for left in report["left_booked"]) == len(held)
    assert report["closed"] == len(ROOMS) * 4 - len(held)
    assert all(isinstance(r, RoomUnavailable) and r.reason == "no_room_free" for r in afterwards)


async def test_a_change_of_a_booking_never_moves_onto_a_closed_night(svc: Service) -> None:
    booking_saga, booked = await svc.book(0, 2, room_id=R101)
    assert (await svc.close(2, 3, room_id=R101)).status_code == 200

    extended = await svc.hold(0, 3, instead_of=booking_saga)
    in_its_room = await svc.hold(0, 3, instead_of=booking_saga, room_id=R101)

    assert isinstance(extended, RoomHeld) and extended.room_id != R101
    assert isinstance(in_its_room, RoomUnavailable) and in_its_room.reason == "no_room_free"
    assert await svc.closed_nights() == {(R101, day(2))}
    assert (await svc.nights())[(R101, day(0))] == (booked.hold_id, "CONFIRMED")


async def test_reopening_restores_sale_and_never_frees_a_booked_night(svc: Service) -> None:
    _, booked = await svc.book(1, 2, room_id=R101)
    await svc.close(0, 3, reason="stop-sell")
    closed_rooms = (await svc.search(1, 2))["available"]

    other_room = await svc.reopen(1, 2, room_id=R101)
    middle = await svc.reopen(1, 2)
    on_sale = (await svc.search(1, 2))["available"]
    rest = await svc.reopen(0, 3)

    assert closed_rooms == 0
    assert other_room.json() == {"reopened": 0}
    assert middle.json() == {"reopened": 2}
    assert on_sale == 2
    assert rest.json() == {"reopened": 6}
    assert (await svc.search(0, 3))["available"] == 2
    assert await svc.nights() == {(R101, day(1)): (booked.hold_id, "CONFIRMED")}
    assert await svc.count(closures) == 0
    assert await svc.count(holds) == 1  # closures left with no night are gone


async def test_sweeps_releases_and_confirms_never_free_a_closure(svc: Service) -> None:
    await svc.close(0, 2, room_id=R102, reason="leak")
    closed = await svc.closed_nights()
    async with svc.engine.connect() as connection:
        closure_saga = (await connection.execute(sa.select(holds.c.saga_id))).scalar_one()

    swept = await expire_lapsed_holds(svc.engine, datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC))
    released = await svc.send(ReleaseHold(reason="test"), closure_saga)
    cancelled = await svc.send(ReleaseBooking(booking_saga_id=closure_saga), new_id())
    confirmed = await svc.send(ConfirmHold(), closure_saga)

    assert swept == 0
    assert isinstance(released, HoldReleased) and released.hold_id is not None
    assert cancelled == BookingReleased(booking_saga_id=closure_saga)
    assert isinstance(confirmed, HoldExpired) and "closure" in confirmed.detail
    assert await svc.closed_nights() == closed == {(R102, day(0)), (R102, day(1))}


async def test_the_calendar_shows_prices_and_rooms_free_booked_and_closed(svc: Service) -> None:
    await svc.book(1, 3, room_id=R101)
    await svc.hold(2, 3, room_id=R102)
    await svc.close(0, 2, room_id=R103, reason="paint")
    path = f"/hotels/{HOTEL}/room-types/{{}}/night-rates"
    body = {"start": day(3).isoformat(), "end": day(4).isoformat(), "price": "250.5"}
    for room_type in (DOUBLE, FAMILY):
        assert (await svc.http.put(path.format(room_type), json=body)).status_code == 200

    found = await svc.http.get(
        f"/hotels/{HOTEL}/calendar", params={"start": day(0).isoformat(), "end": day(4).isoformat()}
    )

    assert found.status_code == 200, found.text
    calendar = found.json()
    assert {k: calendar[k] for k in ("hotel_id", "currency", "time_zone", "start", "end")} == {
        "hotel_id": HOTEL,
        "currency": "EUR",
        "time_zone": "Europe/Paris",
        "start": day(0).isoformat(),
        "end": day(4).isoformat(),
    }
    by_type = {t["room_type_id"]: t for t in calendar["room_types"]}
    assert set(by_type) == {DOUBLE, SUITE, FAMILY}
    double = by_type[DOUBLE]
    assert [r["number"] for r in double["rooms"]] == ["101", "102", "103"]
    booked = {day(1): 1, day(2): 2}
    closed = {day(0): 1, day(1): 1}
    for figures, night in zip(double["nights"], nights_of(day(0), day(4)), strict=True):
        price = Decimal("250.50") if night == day(3) else price_of_night([DOUBLE_RATE], night)
        assert figures == {
            "night": night.isoformat(),
            "price": str(price),
            "overridden": night == day(3),
            "priced": True,
            "rooms": 3,
            "booked": booked.get(night, 0),
            "closed": closed.get(night, 0),
            "free": 3 - booked.get(night, 0) - closed.get(night, 0),
        }
    assert double["closed"] == [
        {
            "room_id": R103,
            "number": "103",
            "reason": "paint",
            "nights": [day(0).isoformat(), day(1).isoformat()],
        }
    ]
    assert double["booked"] == [
        {"room_id": R101, "number": "101", "nights": [day(1).isoformat(), day(2).isoformat()]},
        {"room_id": R102, "number": "102", "nights": [day(2).isoformat()]},
    ], "which room is booked on which night: the rooms a manager must not close"
    family = [(n["priced"], n["price"], n["free"]) for n in by_type[FAMILY]["nights"]]
    assert family == [(False, None, 1)] * 3 + [(True, "250.50", 1)]
    assert by_type[SUITE]["closed"] == [] and by_type[SUITE]["nights"][0]["free"] == 1


BAD_BODIES: list[tuple[str, dict[str, Any], str]] = [
    ("night-rates", {"price": "0"}, "price"),
    ("night-rates", {"price": "-3"}, "price"),
    ("night-rates", {"price": "1.234"}, "decimal"),
    ("night-rates", {"price": "cheap"}, "price"),
    ("night-rates", {"price": "10", "end": day(0).isoformat()}, "must be after"),
    ("night-rates", {"price": "10", "end": day(367).isoformat()}, "at most 366 nights"),
    ("night-rates", {"price": "10", "colour": "red"}, "colour"),
    ("closures", {"reason": ""}, "reason"),
    ("closures", {"reason": "   "}, "reason"),
    ("closures", {"reason": "x" * 201}, "reason"),
    ("closures", {}, "reason"),
    ("closures", {"reason": "r", "start": "2027-02-30"}, "start"),
    ("closures", {"reason": "r", "end": day(-1).isoformat()}, "must be after"),
]


async def test_bad_requests_are_422s_with_the_reason(svc: Service) -> None:
    base = f"/hotels/{HOTEL}/room-types/{DOUBLE}"
    stay = {"start": day(0).isoformat(), "end": day(1).isoformat()}
    for action, body, expected in BAD_BODIES:
        call = svc.http.put if action == "night-rates" else svc.http.post
        response = await call(f"{base}/{action}", json=stay | body)
        assert response.status_code == 422, (action, body, response.text)
        assert expected in response.text, (action, body, response.text)
    for query, expected in [
        ({"start": day(0).isoformat()}, "end"),
        ({**stay, "end": day(63).isoformat()}, "at most 62 nights"),
        ({**stay, "end": day(0).isoformat()}, "must be after"),
    ]:
        response = await svc.http.get(f"/hotels/{HOTEL}/calendar", params=query)
        assert response.status_code == 422 and expected in response.text, query
    for action in ("night-rates", "closures"):
        response = await svc.http.delete(f"{base}/{action}", params={"start": stay["start"]})
        assert response.status_code == 422 and "end" in response.text, action
    assert await svc.count(closures) == 0


async def test_room_types_and_rooms_out_of_the_hotels_scope_are_404s(svc: Service) -> None:
    stay = {"start": day(0).isoformat(), "end": day(1).isoformat()}
    other = f"/hotels/{OTHER_HOTEL}/room-types/{DOUBLE}"
    calls = [
        svc.http.put(f"{other}/night-rates", json={**stay, "price": "10"}),
        svc.http.delete(f"{other}/night-rates", params=stay),
        svc.http.post(f"{other}/closures", json={**stay, "reason": "r"}),
        svc.http.delete(f"{other}/closures", params=stay),
        svc.http.post(f"/hotels/{HOTEL}/room-types/nope/closures", json={**stay, "reason": "r"}),
        svc.close(0, 1, room_id=SUITE_ROOM),
        svc.reopen(0, 1, room_id="nope"),
        svc.http.get("/hotels/nope/calendar", params=stay),
    ]
    for response in [await call for call in calls]:
        assert response.status_code == 404, response.text
    assert await svc.count(closures) == 0
    assert (await svc.search(0, 1))["nightly_prices"][0]["price"] != "10.00"
