"""The message handlers' statements, straight on the driver (`infra.stores.driver_sql`): the
VerifyClient read and the link a confirmed booking records. They run once or twice per booking,
where SQLAlchemy's work around each statement cost more than the statement; the HTTP API's
queries stay on SQLAlchemy (`repository`).

Client ids are the only parameters the handlers read by, and driver errors carry none.
"""

from __future__ import annotations

from datetime import datetime

from clients.adapters.tables import client_agencies
from clients.domain.model import ClientStatus
from clients.domain.privacy import LinkReason
from infra.stores.driver_sql import DriverTransaction

SELECT_STATUS = "SELECT status FROM clients WHERE id = %s"
LINK_COLUMNS = tuple(column.name for column in client_agencies.columns)
# The link, written only if the client exists: one statement, no read before it.
INSERT_LINK = (
    f"INSERT INTO client_agencies ({', '.join(LINK_COLUMNS)}) "
    f"SELECT {', '.join(['%s'] * len(LINK_COLUMNS))} FROM clients WHERE id = %s"
)
# An agency already linked keeps its first link, and the insert that finds it is no error: a
# redelivered or concurrent copy of the event waits on the first one's key and then changes
# nothing, with no savepoint to undo a failed insert.
KEEP_FIRST_LINK = {
    True: " ON CONFLICT DO NOTHING",
    False: " ON DUPLICATE KEY UPDATE client_id = client_id",
}


async def status_of(statements: DriverTransaction, client_id: str) -> ClientStatus | None:
    found = await statements.rows(SELECT_STATUS, (client_id,))
    return ClientStatus(found[0][0]) if found else None


async def link_booking(
    statements: DriverTransaction, client_id: str, agency_id: str, booking_id: str, at: datetime
) -> bool:
    """Record that the agency holds a confirmed booking for the client; False when the client
    is unknown. Idempotent: an agency already linked keeps its first link."""
    values = {
        "client_id": client_id,
        "agency_id": agency_id,
        "reason": LinkReason.BOOKING.value,
        "booking_id": booking_id,
        "since": statements.param(at),
    }
    insert = INSERT_LINK + KEEP_FIRST_LINK[statements.is_sqlite]
    if await statements.execute(insert, [*(values[name] for name in LINK_COLUMNS), client_id]):
        return True
    # Nothing written: the agency was linked already (MySQL counts that row, SQLite does not),
    # or there is no such client.
    return await status_of(statements, client_id) is not None
