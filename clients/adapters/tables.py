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
    sa.UniqueConstraint("email_key", name="uq_clients_email_key"),
    sa.CheckConstraint("status IN ('active', 'blocked')", name="ck_clients_status"),
    sa.Index("ix_clients_last_first", "last_name", "first_name"),
)

inbox = inbox_table(metadata)
