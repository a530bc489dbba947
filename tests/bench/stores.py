"""Databases every system starts from: the demo group in a rooms database, the bench's clients
in a clients database, created with the services' own migrations and seed code."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker

from clients.adapters import repository
from clients.adapters.database import open_store as open_clients_store
from clients.domain.model import ClientDetails, register
from infra.stores.sql import drop_database
from rooms.adapters.seed import seed as seed_rooms
from rooms.adapters.store import open_store as open_rooms_store

DROP_NIGHT_TO_HOLD_KEY = "ALTER TABLE room_nights DROP FOREIGN KEY fk_room_nights_hold_id"
BENCH_CLIENTS = uuid.UUID("0b3f58f1-3c3d-4a5e-9d8c-5a1d6b2e7c40")


def bench_client_ids(count: int) -> list[str]:
    return [str(uuid.uuid5(BENCH_CLIENTS, f"client-{n}")) for n in range(count)]


def database_url(server_url: str, name: str) -> str:
    """`mysql+asyncmy://root@host:3306/` and a name -> that database's URL."""
    return server_url.rstrip("/") + "/" + name


async def prepare_rooms_database(url: str, nights_need_a_hold: bool = True) -> None:
    """The rooms schema and catalogue. The baselines keep no hold rows (a night names its
    booking directly), so for them the key from a night to its hold is dropped."""
    engine = await open_rooms_store(url)
    try:
        await seed_rooms(engine)
        if not nights_need_a_hold:
            async with engine.begin() as connection:
                await connection.execute(sa.text(DROP_NIGHT_TO_HOLD_KEY))
    finally:
        await engine.dispose()


async def prepare_clients_database(url: str, client_ids: Sequence[str]) -> None:
    engine = await open_clients_store(url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    now = datetime.now(UTC)
    try:
        async with sessions() as session, session.begin():
            for n, client_id in enumerate(client_ids):
                details = ClientDetails(
                    "Bench", f"Traveller{n}", f"traveller{n}@example.org", "+22890000000", "TG"
                )
                await repository.add(session, register(client_id, details, now))
    finally:
        await engine.dispose()


async def drop_databases(urls: Iterable[str]) -> None:
    for url in urls:
        await drop_database(url)
