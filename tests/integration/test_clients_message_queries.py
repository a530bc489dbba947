"""The clients service's message handlers on the driver, on MariaDB and on embedded SQLite:
VerifyClient's read, and the one link a confirmed booking records however often it comes."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from clients.adapters import repository, tables
from clients.adapters.seed import DEMO_CLIENTS
from clients.domain.model import block, register
from clients.domain.privacy import AgencyLink, LinkReason
from clients.handlers import handle_verify_client, record_confirmed_booking
from contracts.clients import ClientRejected, ClientVerified, VerifyClient
from contracts.envelope import Envelope, new_id
from contracts.events import BookingConfirmed
from contracts.values import Stay
from infra.stores.driver_sql import DriverSql
from tests.integration.test_clients_store import database_url, engine

pytestmark = pytest.mark.integration
__all__ = ["database_url", "engine"]  # each test runs on MariaDB and on SQLite

REGISTRAR = "agency-lome"


async def add_client(engine: AsyncEngine, blocked: bool = False) -> str:
    now = datetime.now(UTC)
    client_id = new_id()
    details = replace(DEMO_CLIENTS[0], email=f"{client_id}@example.org")
    client = register(client_id, details, now, REGISTRAR)
    sessions = async_sessionmaker(engine)
    async with sessions() as session, session.begin():
        await repository.add(session, client)
        if blocked:
            await repository.save(session, block(client, "disputed payment", now))
    return client.id


def confirmed(client_id: str, agency_id: str, booking_id: str | None = None) -> BookingConfirmed:
    return BookingConfirmed(
        booking_id=booking_id or new_id(),
        reservation_id=new_id(),
        confirmation_code="K7P2QX9M",
        client_id=client_id,
        agency_id=agency_id,
        hotel_id="paris-lumiere",
        room_type_id="paris-lumiere-double",
        stay=Stay(check_in=date(2027, 3, 1), check_out=date(2027, 3, 3)),
        total=Decimal("300.00"),
        currency="EUR",
    )


async def links(engine: AsyncEngine, client_id: str) -> list[AgencyLink]:
    async with async_sessionmaker(engine)() as session:
        return sorted(await repository.links_of(session, client_id), key=lambda link: link.since)


async def test_an_active_client_is_verified_a_blocked_or_unknown_one_rejected(
    engine: AsyncEngine,
) -> None:
    active, blocked, unknown = await add_client(engine), await add_client(engine, True), new_id()
    envelope = Envelope.new(VerifyClient.message_type, new_id())
    async with DriverSql(engine).reading() as statements:
        replies = [
            await handle_verify_client(VerifyClient(client_id=client_id), envelope, statements)
            for client_id in (active, blocked, unknown)
        ]
    assert replies == [
        ClientVerified(client_id=active),
        ClientRejected(client_id=blocked, reason="blocked"),
        ClientRejected(client_id=unknown, reason="unknown"),
    ]


async def test_a_repeated_confirmed_booking_records_one_link_the_first(
    engine: AsyncEngine,
) -> None:
    sql = DriverSql(engine)
    client_id = await add_client(engine)
    first = confirmed(client_id, "agency-tokyo", "b-1")
    before = datetime.now(UTC)
    assert await record_confirmed_booking(first, sql) == "linked"
    assert await record_confirmed_booking(first, sql) == "linked"  # redelivered
    assert await record_confirmed_booking(confirmed(client_id, "agency-tokyo", "b-2"), sql) == (
        "linked"
    )
    assert await record_confirmed_booking(confirmed(client_id, REGISTRAR), sql) == "linked"

    registered, booked = await links(engine, client_id)
    assert (registered.agency_id, registered.reason) == (REGISTRAR, LinkReason.REGISTERED)
    assert (booked.agency_id, booked.reason, booked.booking_id) == (
        "agency-tokyo",
        LinkReason.BOOKING,
        "b-1",
    )
    assert before <= booked.since <= datetime.now(UTC)


async def test_concurrent_copies_of_a_confirmed_booking_record_one_link(
    engine: AsyncEngine,
) -> None:
    sql = DriverSql(engine)
    client_ids = [await add_client(engine) for _ in range(3)]
    copies = [
        record_confirmed_booking(confirmed(client_id, "agency-tokyo", f"b-{n}"), sql)
        for client_id in client_ids
        for n in range(8)
    ]
    assert set(await asyncio.gather(*copies)) == {"linked"}
    for client_id in client_ids:
        booked = [link for link in await links(engine, client_id) if link.agency_id != REGISTRAR]
        assert len(booked) == 1
        assert booked[0].reason is LinkReason.BOOKING


async def test_a_confirmed_booking_for_an_unknown_client_links_nothing(
    engine: AsyncEngine,
) -> None:
    unknown = new_id()
    event = confirmed(unknown, "agency-tokyo")
    assert await record_confirmed_booking(event, DriverSql(engine)) == "unknown_client"
    async with engine.connect() as connection:
        count = sa.select(sa.func.count()).select_from(tables.client_agencies)
        assert (await connection.execute(count)).scalar_one() == 0
