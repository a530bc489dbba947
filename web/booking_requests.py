"""The request each Idempotency-Key named, kept in web's own store.

A booking's id derives from its agency and key, so a retried request names the same saga and
the orchestrator never starts it twice. What the orchestrator cannot tell is a key reused with
another request: that is refused here (422), by one insert on the booking path and a read only
when the key was seen before, never an HTTP call to the orchestrator.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from web.accounts.store import now_utc
from web.accounts.tables import booking_requests


class BookingRequests:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def first(self, booking_id: str, request: dict[str, Any]) -> dict[str, Any]:
        """The request first made under this booking id: `request` itself, stored now, unless
        another was stored before."""
        try:
            async with self.engine.begin() as connection:
                await connection.execute(
                    booking_requests.insert().values(
                        booking_id=booking_id, request=request, created_at=now_utc()
                    )
                )
            return request
        except IntegrityError:
            pass
        query = sa.select(booking_requests.c.request).where(
            booking_requests.c.booking_id == booking_id
        )
        async with self.engine.connect() as connection:
            stored: dict[str, Any] = (await connection.execute(query)).scalar_one()
        return stored


def differing(first: dict[str, Any], again: dict[str, Any]) -> list[str]:
    """The fields in which a request differs from the one first made under its key."""
    return [name for name, value in again.items() if first.get(name) != value]
