"""The inbox on a SQL store: effect and inbox row commit in one transaction."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from contracts.envelope import Envelope, utc_now
from infra.messaging.codec import Decoded, Outgoing
from infra.messaging.inbox import Handler, InboxResult, reply_outgoing

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
    def __init__(self, engine: AsyncEngine, table: sa.Table) -> None:
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._table = table

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
        async with self._sessions() as session, session.begin():
            stored = await self._find(session, envelope.message_id)
            if stored is not None:
                return InboxResult(stored, duplicate=True)
            reply = await handler(decoded.message, envelope, session)
            outgoing = reply_outgoing(envelope, reply)
            await session.execute(self._table.insert().values(**_row(envelope, outgoing)))
        return InboxResult(outgoing, duplicate=False)

    async def _find(self, session: AsyncSession, message_id: str) -> Outgoing | None:
        row = (
            (
                await session.execute(
                    sa.select(self._table).where(self._table.c.message_id == message_id)
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        reply_envelope = Envelope(
            message_id=row["reply_message_id"],
            saga_id=row["saga_id"],
            causation_id=row["message_id"],
            message_type=row["reply_type"],
            occurred_at=_aware(row["reply_occurred_at"]),
        )
        return Outgoing(reply_envelope, row["reply_body"].encode())


def _row(envelope: Envelope, outgoing: Outgoing) -> dict[str, object]:
    return {
        "message_id": envelope.message_id,
        "saga_id": envelope.saga_id,
        "message_type": envelope.message_type,
        "reply_message_id": outgoing.envelope.message_id,
        "reply_type": outgoing.envelope.message_type,
        "reply_body": outgoing.body.decode(),
        "reply_occurred_at": outgoing.envelope.occurred_at,
        "processed_at": utc_now(),
    }


def _aware(value: datetime) -> datetime:
    # MySQL and SQLite DATETIME columns return naive values; every instant we store is UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)
