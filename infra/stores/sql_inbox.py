"""The inbox on a SQL store: effect and inbox row commit in one transaction.

It also keeps each saga's order: `saga_sequences` holds the sequence of the newest command
applied per saga, its row locked for the transaction, so two replicas never apply commands of
one saga at once, and a command older than one applied is answered `CommandSuperseded` and
not applied (an old HoldRoom arriving after the ReleaseHold that undid it takes no room).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from contracts.base import Message, Reply
from contracts.booking import CommandSuperseded
from contracts.envelope import Envelope, utc_now
from infra.messaging.codec import Decoded, Outgoing
from infra.messaging.inbox import Handler, InboxResult, reply_outgoing
from infra.stores.driver_sql import (
    CONNECTION_ERRORS,
    DriverSql,
    DriverTransaction,
    insert_statement,
)

MAX_ATTEMPTS = 3
SEQUENCES = "saga_sequences"
# One name for every message's savepoint, never released: setting it again replaces it on
# MySQL and stacks a newer one on SQLite (ROLLBACK TO takes the newest), so each message costs
# one statement for its savepoint, and the commit ends them all.
SAVEPOINT = "SAVEPOINT inbox_message"
ROLLBACK_TO_SAVEPOINT = "ROLLBACK TO SAVEPOINT inbox_message"


@dataclass(frozen=True)
class SqlWork:
    """What a handler of the SQL inbox works on: the transaction of its message, both as
    SQLAlchemy's connection and as statements straight on that connection's driver (the same
    transaction either way, so a handler may use both)."""

    connection: AsyncConnection
    statements: DriverTransaction


def inbox_table(metadata: sa.MetaData) -> sa.Table:
    """The replies table; the inbox's other table, each saga's order, joins the metadata too."""
    sa.Table(
        SEQUENCES,
        metadata,
        sa.Column("saga_id", sa.String(64), primary_key=True),
        sa.Column("sequence", sa.BigInteger, nullable=False),
    )
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
    """Each handler gets its message's transaction as a `SqlWork`; the inbox's own statements
    (its reads and writes, the savepoints of a batch) go straight to the driver."""

    def __init__(self, engine: AsyncEngine, table: sa.Table) -> None:
        self._engine = engine
        self._sql = DriverSql(engine)
        self._columns = [column.name for column in table.columns]
        self._reply_columns = (
            "SELECT saga_id, reply_message_id, reply_type, reply_body, reply_occurred_at, "
            f"message_id FROM {table.name} WHERE message_id"
        )
        self._find_reply = f"{self._reply_columns} = %s"
        self._insert_reply = insert_statement(table.name, self._columns)
        lock = "" if self._sql.is_sqlite else " FOR UPDATE"  # SQLite has one writer at a time
        self._find_sequence = f"SELECT sequence FROM {SEQUENCES} WHERE saga_id = %s{lock}"
        self._insert_sequence = insert_statement(SEQUENCES, ("saga_id", "sequence"))
        self._update_sequence = f"UPDATE {SEQUENCES} SET sequence = %s WHERE saga_id = %s"

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
            reply = await self._apply(SqlWork(connection, statements), decoded, handler)
            outgoing = reply_outgoing(envelope, reply)
            await statements.execute(self._insert_reply, self._row(envelope, outgoing))
        return InboxResult(outgoing, duplicate=False)

    async def process_batch(
        self, items: Sequence[Decoded], handlers: Mapping[type[Message], Handler]
    ) -> list[InboxResult | Exception]:
        """Every message of a batch in one transaction: the stored replies of all of them in
        one query; each new one's effect under its own savepoint (a business failure or a bug
        undoes that message alone, which is returned as its exception for the caller to handle
        on its own); their inbox rows in one multi-row insert; one commit."""
        results: list[InboxResult | Exception] = []
        async with self._engine.begin() as connection:
            statements = await self._sql.within(connection)
            work = SqlWork(connection, statements)
            ids = list(dict.fromkeys(item.envelope.message_id for item in items))
            marks = ", ".join(["%s"] * len(ids))
            found = await statements.rows(f"{self._reply_columns} IN ({marks})", ids)
            stored = {row[5]: self._stored_reply(row[5], row) for row in found}
            taken: dict[str, Outgoing] = {}  # the replies of this batch, should a copy follow
            rows: list[list[Any]] = []
            for decoded in items:
                envelope = decoded.envelope
                earlier = stored.get(envelope.message_id) or taken.get(envelope.message_id)
                if earlier is not None:
                    results.append(InboxResult(earlier, duplicate=True))
                    continue
                handler = handlers[type(decoded.message)]
                await statements.execute(SAVEPOINT)
                try:
                    reply = await self._apply(work, decoded, handler)
                except CONNECTION_ERRORS:
                    raise  # the store is gone: the whole batch is retried
                except Exception as exc:  # this message alone; the caller deals with it
                    # Should the rollback itself fail, that fails the whole batch.
                    await statements.execute(ROLLBACK_TO_SAVEPOINT)
                    results.append(exc)
                    continue
                outgoing = reply_outgoing(envelope, reply)
                taken[envelope.message_id] = outgoing
                rows.append(self._row(envelope, outgoing))
                results.append(InboxResult(outgoing, duplicate=False))
            if rows:
                await statements.execute_many(self._insert_reply, rows)
        return results

    async def _apply(self, work: SqlWork, decoded: Decoded, handler: Handler) -> Reply:
        envelope = decoded.envelope
        applied = await self._take_turn(work.statements, envelope)
        if applied is not None:
            return CommandSuperseded(
                command_type=envelope.message_type,
                sequence=envelope.sequence or 0,
                applied_sequence=applied,
            )
        return await handler(decoded.message, envelope, work)

    async def _take_turn(self, statements: DriverTransaction, envelope: Envelope) -> int | None:
        """Record this command as the saga's newest; the newer sequence already applied, if any.

        A first command of a saga that races another copy loses on the primary key, and the
        inbox's retry then finds the winner's row (and waits on its lock).
        """
        if envelope.sequence is None:  # a command from before commands were ordered
            return None
        found = await statements.rows(self._find_sequence, (envelope.saga_id,))
        if not found:
            await statements.execute(self._insert_sequence, (envelope.saga_id, envelope.sequence))
            return None
        applied = int(found[0][0])
        if applied > envelope.sequence:
            return applied
        if applied < envelope.sequence:
            await statements.execute(self._update_sequence, (envelope.sequence, envelope.saga_id))
        return None

    def _stored_reply(self, message_id: str, row: Sequence[Any]) -> Outgoing:
        saga_id, reply_message_id, reply_type, reply_body, reply_occurred_at = row[:5]
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
