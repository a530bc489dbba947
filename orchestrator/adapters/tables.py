"""The saga store's schema as SQLAlchemy Core tables (the migrations create them)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler

metadata = sa.MetaData()

# Instants are naive UTC to the microsecond: MySQL's plain DATETIME would round deadlines to
# the second.
INSTANT = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
HISTORY_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
ID = sa.String(64)

sagas = sa.Table(
    "sagas",
    metadata,
    sa.Column("saga_id", ID, primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("definition_version", sa.Integer, nullable=False),
    sa.Column("state", sa.String(20), nullable=False, index=True),
    sa.Column("phase", sa.String(20), nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("steps", sa.JSON, nullable=False),
    sa.Column("compensations", sa.JSON, nullable=True),
    sa.Column("seen_message_ids", sa.JSON, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("idempotency_key", sa.String(64), nullable=False),
    sa.Column("agency_id", ID, nullable=False, index=True),
    sa.Column("agent_id", ID, nullable=True, index=True),
    sa.Column("client_id", ID, nullable=False, index=True),
    sa.Column("hotel_id", ID, nullable=False, index=True),
    sa.Column("created_at", INSTANT, nullable=False, index=True),
    sa.Column("updated_at", INSTANT, nullable=False),
    sa.Column("next_deadline_at", INSTANT, nullable=True, index=True),
    sa.Column("failure_reason", sa.String(500), nullable=True),
    sa.UniqueConstraint("agency_id", "idempotency_key", name="uq_sagas_agency_idempotency_key"),
)


class data_text(sa.sql.expression.FunctionElement[str]):  # noqa: N801 (an SQL function)
    """`data_text('$.path', length)`: the text at a path of the `data` JSON column, or NULL.

    Cut to `length` on MySQL and MariaDB, which refuse to write a row whose computed value
    does not fit its column: a search column must never make a saga's write fail."""

    type = sa.String()
    name = "data_text"
    inherit_cache = True


def _arguments(element: data_text, compiler: SQLCompiler, **kw: Any) -> list[str]:
    return [compiler.process(argument, **kw) for argument in element.clauses]


@compiles(data_text)
def _json_value(element: data_text, compiler: SQLCompiler, **kw: Any) -> str:
    path, length = _arguments(element, compiler, **kw)
    return f"LEFT(JSON_VALUE(data, {path}), {length})"  # MySQL 8, MariaDB


@compiles(data_text, "sqlite")
def _json_extract(element: data_text, compiler: SQLCompiler, **kw: Any) -> str:
    path, _ = _arguments(element, compiler, **kw)
    return f"json_extract(data, {path})"


def _from_data(name: str, length: int, path: str) -> sa.Column[str]:
    # VIRTUAL: computed when read, and indexable on MySQL, MariaDB and SQLite alike (SQLite adds
    # no STORED column to an existing table).
    expression = data_text(sa.literal_column(f"'{path}'"), sa.literal_column(str(length)))
    return sa.Column(name, sa.String(length), sa.Computed(expression, persisted=False), index=True)


# The bookings search reads `sagas` with the columns the database computes from `data`
# (migration 0004). The saga store writes every column of `sagas` by name, and a computed
# column must never be written, so they live on this copy of the table, for the read side only.
saga_search = sagas.to_metadata(sa.MetaData())
for _column in (
    _from_data("confirmation_code", 32, "$.confirmation_code"),
    _from_data("stay_check_in", 10, "$.stay.check_in"),  # YYYY-MM-DD: text order is date order
    _from_data("stay_check_out", 10, "$.stay.check_out"),
):
    saga_search.append_column(_column)

saga_history = sa.Table(
    "saga_history",
    metadata,
    sa.Column("id", HISTORY_ID, primary_key=True, autoincrement=True),
    sa.Column("saga_id", ID, nullable=False, index=True),
    sa.Column("at", INSTANT, nullable=False),
    sa.Column("direction", sa.String(10), nullable=False),
    sa.Column("message_type", sa.String(128), nullable=False),
    sa.Column("message_id", ID, nullable=True),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("attempt", sa.Integer, nullable=True),
    sa.Column("note", sa.String(500), nullable=True),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("message_id", ID, primary_key=True),
    sa.Column("saga_id", ID, nullable=False, index=True),
    sa.Column("exchange", sa.String(16), nullable=False),  # commands, events or public
    sa.Column("routing_key", sa.String(128), nullable=False),
    sa.Column("message_type", sa.String(128), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("causation_id", ID, nullable=True),
    sa.Column("occurred_at", INSTANT, nullable=False),
    sa.Column("sequence", sa.BigInteger, nullable=True),  # a command's place in its saga
    sa.Column("created_at", INSTANT, nullable=False),
    sa.Column("sent_at", INSTANT, nullable=True, index=True),
    # The trace context of its cause (infra/tracing.py), when the orchestrator traces.
    sa.Column("traceparent", sa.String(64), nullable=True),
)
