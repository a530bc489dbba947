"""The clients store's schema as SQLAlchemy Core tables (the migrations create the same)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from infra.stores.sql_inbox import inbox_table

EMAIL_LENGTH = 254


class UtcDateTime(sa.TypeDecorator[datetime]):
    """An aware UTC instant stored in a plain DATETIME (MySQL and SQLite keep no zone)."""

    impl = sa.DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine[datetime]:
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(sa.DateTime())

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("refusing a naive datetime: instants are stored as UTC")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def binary_string(length: int) -> sa.types.TypeEngine[str]:
    """MySQL's default collation folds case and accents; keys we compare exactly must not."""
    return sa.String(length).with_variant(
        mysql.VARCHAR(length, charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb"
    )


metadata = sa.MetaData()

clients = sa.Table(
    "clients",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("first_name", sa.String(100), nullable=False),
    sa.Column("last_name", sa.String(100), nullable=False),
    sa.Column("email", sa.String(EMAIL_LENGTH), nullable=False),
    sa.Column("email_key", binary_string(EMAIL_LENGTH), nullable=False),
    sa.Column("phone", sa.String(16), nullable=False),
    sa.Column("nationality", sa.String(2), nullable=False),
    sa.Column("document_type", sa.String(32), nullable=True),
    sa.Column("document_number", sa.String(40), nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("blocked_reason", sa.String(500), nullable=True),
    sa.Column("search_text", sa.String(500), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("registered_by_agency", sa.String(64), nullable=True),
    sa.Column("name_text", sa.String(300), nullable=False),
    sa.UniqueConstraint("registered_by_agency", "email_key", name="uq_clients_agency_email_key"),
    sa.CheckConstraint("status IN ('active', 'blocked')", name="ck_clients_status"),
    sa.Index("ix_clients_last_first", "last_name", "first_name"),
    sa.Index("ix_clients_email_key", "email_key"),
)

# An agency that registered the client or holds a confirmed booking for them.
client_agencies = sa.Table(
    "client_agencies",
    metadata,
    sa.Column(
        "client_id",
        sa.String(36),
        sa.ForeignKey("clients.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("agency_id", sa.String(64), primary_key=True),
    sa.Column("reason", sa.String(16), nullable=False),
    sa.Column("booking_id", sa.String(64), nullable=True),
    sa.Column("since", UtcDateTime(), nullable=False),
    sa.CheckConstraint("reason IN ('registered', 'booking')", name="ck_client_agencies_reason"),
    sa.Index("ix_client_agencies_agency", "agency_id"),
)

# Every read of a client's full personal data: who, when, which client, why.
personal_data_reads = sa.Table(
    "personal_data_reads",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column("read_at", UtcDateTime(), nullable=False),
    sa.Column("client_id", sa.String(36), nullable=False),
    sa.Column("reader", sa.String(128), nullable=False),
    sa.Column("reader_role", sa.String(32), nullable=False),
    sa.Column("reader_agency", sa.String(64), nullable=False),
    sa.Column("reason", sa.String(200), nullable=False),
    sa.Index("ix_personal_data_reads_client", "client_id", "id"),
    sa.Index("ix_personal_data_reads_reader", "reader", "id"),
)

inbox = inbox_table(metadata)
