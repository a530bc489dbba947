"""Agencies, users and their hotels, and sign-in sessions.

Revision ID: 0001
Revises:
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

NAME = sa.String(64)


def upgrade() -> None:
    op.create_table(
        "agencies",
        sa.Column("agency_id", NAME, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("city", sa.String(100), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("username", NAME, primary_key=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column(
            "agency_id", NAME, sa.ForeignKey("agencies.agency_id"), nullable=True, index=True
        ),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", NAME, nullable=True),
        sa.Column("password_changed_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "user_hotels",
        sa.Column("username", NAME, sa.ForeignKey("users.username"), primary_key=True),
        sa.Column("hotel_id", NAME, primary_key=True),
    )
    op.create_table(
        "sessions",
        sa.Column("session_id", NAME, primary_key=True),
        sa.Column("username", NAME, sa.ForeignKey("users.username"), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False, index=True),
        sa.Column("revoked_at", sa.DateTime, nullable=True),
    )


def downgrade() -> None:
    for table in ("sessions", "user_hotels", "users", "agencies"):
        op.drop_table(table)
