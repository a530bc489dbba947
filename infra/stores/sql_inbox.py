"""The inbox on a SQL store: effect and inbox row commit in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.envelope import Envelope, utc_now
from infra.messaging.codec import Decoded, Outgoing
from infra.messaging.inbox import Handler, InboxResult, reply_outgoing
from infra.stores.driver_sql import DriverSql, insert_statement

MAX_ATTEMPTS = 3


def inbox_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "inbox_messages",
        metadata,
        sa.Column("message_id", sa.String(64), primary_key=True),
        sa.Column("saga_id", sa.String(64), nullable=False, index=True),
        sa.Column("message_type", sa.String(128), nullable=False),
        sa.Column("reply_message_id", sa.String(64), nullable=False),
        sa.Column("reply_type", sa.String(128), nullable=False),
        sa.Column("reply_body", sa.Text, nullable=False),
        sa.Column("reply_occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
    )


class SqlInbox:
    """The handler runs on the transaction's SQLAlchemy connection; the inbox's own read and
    write, the same two statements for every message, go straight to the driver."""

    def __init__(self, engine: AsyncEngine, table: sa.Table) -> None:
        self._engine = engine
        self._sql = DriverSql(engine)
        self._columns = [column.name for column in table.columns]
        self._find_reply = (
            "SELECT saga_id, reply_message_id, reply_type, reply_body, reply_occurred_at "
            f"FROM {table.name} WHERE message_id = %s"
        )
        self._insert_reply = insert_statement(table.name, self._columns)

    async def process(self, decoded: Decoded, handler: Handler) -> InboxResult:
        # A concurrent copy of the same message (or of the same business step) loses on a
        # unique key and rolls back whole; the next attempt then finds the winner's outcome.
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return await self._process_once(decoded, handler)
            except IntegrityError:
                if attempt == MAX_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    async def _process_once(self, decoded: Decoded, handler: Handler) -> InboxResult:
        envelope = decoded.envelope
        async with self._engine.begin() as connection:
            statements = await self._sql.within(connection)
            stored = await statements.rows(self._find_reply, (envelope.message_id,))
            if stored:
                return InboxResult(self._stored_reply(envelope.message_id, stored[0]), True)
            reply = await handler(decoded.message, envelope, connection)
            outgoing = reply_outgoing(envelope, reply)
            await statements.execute(self._insert_reply, self._row(envelope, outgoing))
        return InboxResult(outgoing, duplicate=False)

    def _stored_reply(self, message_id: str, row: Sequence[Any]) -> Outgoing:
        saga_id, reply_message_id, reply_type, reply_body, reply_occurred_at = row
        occurred_at = self._sql.read_instant(reply_occurred_at)
        assert occurred_at is not None
        reply_envelope = Envelope(
            message_id=reply_message_id,
            saga_id=saga_id,
            causation_id=message_id,
            message_type=reply_type,
            occurred_at=occurred_at,
        )
        return Outgoing(reply_envelope, reply_body.encode())

    def _row(self, envelope: Envelope, outgoing: Outgoing) -> list[Any]:
        values = {
            "message_id": envelope.message_id,
            "saga_id": envelope.saga_id,
            "message_type": envelope.message_type,
            "reply_message_id": outgoing.envelope.message_id,
            "reply_type": outgoing.envelope.message_type,
            "reply_body": outgoing.body.decode(),
            "reply_occurred_at": self._sql.instant(outgoing.envelope.occurred_at),
            "processed_at": self._sql.instant(utc_now()),
        }
        return [values[name] for name in self._columns]
