"""The request each Idempotency-Key named, kept in web's own store.

A booking's id derives from its agency and key, so a retried request names the same saga and
the orchestrator never starts it twice. What the orchestrator cannot tell is a key reused with
another request: that is refused here (422), by one insert on the booking path and a read only
when the key was seen before, never an HTTP call to the orchestrator. The insert goes straight
to the driver (`infra.stores.driver_sql`): it is on every booking's path.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from infra.stores.driver_sql import DriverSql, insert_statement
from web.accounts.store import now_utc

INSERT = insert_statement("booking_requests", ("booking_id", "request", "created_at"))
FIRST = "SELECT request FROM booking_requests WHERE booking_id = %s"


class BookingRequests:
    def __init__(self, engine: AsyncEngine) -> None:
        self._sql = DriverSql(engine)

    async def first(self, booking_id: str, request: dict[str, Any]) -> dict[str, Any]:
        """The request first made under this booking id: `request` itself, stored now, unless
        another was stored before."""
        try:
            async with self._sql.transaction() as statements:
                row = (booking_id, self._sql.json(request), self._sql.instant(now_utc()))
                await statements.execute(INSERT, row)
            return request
        except IntegrityError:
            pass
        async with self._sql.transaction() as statements:
            (found,) = await statements.rows(FIRST, (booking_id,))
        stored: dict[str, Any] = self._sql.read_json(found[0])
        return stored


def differing(first: dict[str, Any], again: dict[str, Any]) -> list[str]:
    """The fields in which a request differs from the one first made under its key."""
    return [name for name, value in again.items() if first.get(name) != value]
