"""Shared by the reservations tests: a valid `WriteReservation`, the store, the running service.

(It holds no tests; it is named like the reservations test files so it stays with them.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from motor.motor_asyncio import AsyncIOMotorDatabase

from contracts.envelope import Envelope, new_id
from contracts.reservations import WriteReservation
from contracts.values import NightlyPrice, Stay
from infra.stores.mongo import database, make_client
from reservations.adapters.repository import ReservationRepository
from reservations.entrypoints.app import create_app
from reservations.settings import ReservationsSettings
from tests.support.servers import Server
from tests.support.service_auth import internal_client

NIGHTLY = (Decimal("120.50"), Decimal("99.99"), Decimal("130.00"))


def write_command(
    check_in: date = date(2027, 3, 10),
    prices: tuple[Decimal, ...] = NIGHTLY,
    client_id: str = "client-1",
    hotel_id: str = "hotel-lome",
    **overrides: Any,
) -> WriteReservation:
    fields: dict[str, Any] = {
        "client_id": client_id,
        "agency_id": "agency-1",
        "hotel_id": hotel_id,
        "hotel_name": "Hôtel du Golfe, Lomé",
        "room_type_id": "rt-double",
        "room_type_name": "Double",
        "room_id": "room-204",
        "room_number": "204",
        "stay": Stay(check_in=check_in, check_out=check_in + timedelta(days=len(prices))),
        "guests": 2,
        "nightly_prices": [
            NightlyPrice(night=check_in + timedelta(days=i), price=price)
            for i, price in enumerate(prices)
        ],
        "total": sum(prices, Decimal(0)),
        "currency": "XOF",
    }
    return WriteReservation(**(fields | overrides))


def envelope_for(message_type: str, saga_id: str | None = None) -> Envelope:
    return Envelope.new(message_type, saga_id or new_id())


@pytest.fixture
async def store(
    mongodb_server: Server, mongo_database_name: str
) -> AsyncIterator[AsyncIOMotorDatabase[dict[str, Any]]]:
    client = make_client(mongodb_server.url)
    store = database(client, mongo_database_name)
    await ReservationRepository(store).ensure_indexes()
    yield store
    client.close()


@dataclass(frozen=True)
class RunningService:
    http: httpx.AsyncClient
    settings: ReservationsSettings


@pytest.fixture
async def service(
    amqp_url: str, namespace: str, mongodb_server: Server, mongo_database_name: str
) -> AsyncIterator[RunningService]:
    """The real reservations service on the test's namespace and database, lifespan running."""
    settings = ReservationsSettings(
        amqp_url=amqp_url,
        booking_namespace=namespace,
        reservations_mongo_url=mongodb_server.url,
        reservations_mongo_database=mongo_database_name,
        log_level="WARNING",
        prefetch_count=16,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with internal_client(
            "reservations", transport=transport, base_url="http://svc"
        ) as http:
            yield RunningService(http, settings)
