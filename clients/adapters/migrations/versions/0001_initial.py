"""The clients table and the consumer's inbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _binary_string(length: int) -> sa.types.TypeEngine[str]:
    return sa.String(length).with_variant(
        mysql.VARCHAR(length, charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb"
    )


def _instant() -> sa.types.TypeEngine[datetime]:
    return sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "clients",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("first_name", sa.String(100), nullable=False),
        sa.Column("last_name", sa.String(100), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("email_key", _binary_string(254), nullable=False),
        sa.Column("phone", sa.String(16), nullable=False),
        sa.Column("nationality", sa.String(2), nullable=False),
        sa.Column("document_type", sa.String(32), nullable=True),
        sa.Column("document_number", sa.String(40), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("blocked_reason", sa.String(500), nullable=True),
        sa.Column("search_text", sa.String(500), nullable=False),
        sa.Column("created_at", _instant(), nullable=False),
        sa.Column("updated_at", _instant(), nullable=False),
        sa.UniqueConstraint("email_key", name="uq_clients_email_key"),
        sa.CheckConstraint("status IN ('active', 'blocked')", name="ck_clients_status"),
    )
    op.create_index("ix_clients_last_first", "clients", ["last_name", "first_name"])
    op.create_table(
        "inbox_messages",
        sa.Column("message_id", sa.String(64), primary_key=True),
        sa.Column("saga_id", sa.String(64), nullable=False),
        sa.Column("message_type", sa.String(128), nullable=False),
        sa.Column("reply_message_id", sa.String(64), nullable=False),
        sa.Column("reply_type", sa.String(128), nullable=False),
        sa.Column("reply_body", sa.Text(), nullable=False),
        sa.Column("reply_occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_inbox_messages_saga_id", "inbox_messages", ["saga_id"])


def downgrade() -> None:
    op.drop_table("inbox_messages")
    op.drop_table("clients")
