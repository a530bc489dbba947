"""The saga store's schema as SQLAlchemy Core tables (the migrations create them)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

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
)
