"""The dead letters operators page through: each taken off its dead-letter queue once, kept here.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# MEDIUMBLOB on MySQL: each part of a body is at most 1 MiB, under any max_allowed_packet.
BODY_PART = sa.LargeBinary(length=2**24 - 1)


def upgrade() -> None:
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
        sa.Column("queue", sa.String(255), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False, index=True),
        sa.Column("message_id", sa.String(255), nullable=True),
        sa.Column("message_type", sa.String(255), nullable=True),
        sa.Column("saga_id", sa.String(255), nullable=True),
        sa.Column("reason", sa.String(1000), nullable=True),
        sa.Column("deliveries", sa.Integer, nullable=False),
        sa.Column("properties", sa.JSON, nullable=False),
        sa.Column("headers", sa.JSON, nullable=False),
        sa.Column("body_size", sa.BigInteger, nullable=False),
        sa.Column("body_preview", sa.Text, nullable=False),
        sa.Column("kept_at", sa.DateTime, nullable=False),
        sa.Column("handled_at", sa.DateTime, nullable=True),
        sa.Column("handled_by", sa.String(64), nullable=True),
    )
    op.create_index("dead_letters_by_queue", "dead_letters", ["queue", "status", "id"])
    op.create_table(
        "dead_letter_bodies",
        sa.Column(
            "dead_letter_id",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            sa.ForeignKey("dead_letters.id"),
            primary_key=True,
        ),
        sa.Column("part", sa.Integer, primary_key=True),
        sa.Column("data", BODY_PART, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("dead_letter_bodies")
    op.drop_index("dead_letters_by_queue", table_name="dead_letters")
    op.drop_table("dead_letters")
