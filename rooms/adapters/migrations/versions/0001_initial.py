"""The catalogue, holds, room-night occupancy and the inbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

MONEY = sa.Numeric(14, 2)


def upgrade() -> None:
    _catalogue()
    _holds()
    op.create_table(
        "inbox_messages",
        sa.Column("message_id", sa.String(64), primary_key=True),
        sa.Column("saga_id", sa.String(64), nullable=False, index=True),
        sa.Column("message_type", sa.String(128), nullable=False),
        sa.Column("reply_message_id", sa.String(64), nullable=False),
        sa.Column("reply_type", sa.String(128), nullable=False),
        sa.Column("reply_body", sa.Text, nullable=False),
        sa.Column("reply_occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
    )


def _catalogue() -> None:
    op.create_table(
        "hotels",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("city", sa.String(100), nullable=False, index=True),
        sa.Column("country", sa.String(2), nullable=False, index=True),
        sa.Column("continent", sa.String(20), nullable=False),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("stars", sa.Integer, nullable=False),
    )
    op.create_table(
        "room_types",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column(
            "hotel_id", sa.String(64), sa.ForeignKey("hotels.id"), nullable=False, index=True
        ),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("beds", sa.String(100), nullable=False),
        sa.Column("amenities", sa.JSON, nullable=False),
    )
    op.create_table(
        "rooms",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column(
            "room_type_id",
            sa.String(64),
            sa.ForeignKey("room_types.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("number", sa.String(16), nullable=False),
        sa.Column("floor", sa.Integer, nullable=False),
        sa.UniqueConstraint("room_type_id", "number", name="uq_rooms_type_number"),
    )
    op.create_table(
        "rates",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column(
            "room_type_id",
            sa.String(64),
            sa.ForeignKey("room_types.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("season", sa.String(60), nullable=False),
        sa.Column("start_month", sa.Integer, nullable=False),
        sa.Column("end_month", sa.Integer, nullable=False),
        sa.Column("weekday_price", MONEY, nullable=False),
        sa.Column("weekend_price", MONEY, nullable=False),
    )


def _holds() -> None:
    op.create_table(
        "holds",
        sa.Column("hold_id", sa.String(64), primary_key=True),
        sa.Column("saga_id", sa.String(64), nullable=False, unique=True),
        sa.Column("hotel_id", sa.String(64), nullable=False),
        sa.Column("room_type_id", sa.String(64), nullable=False),
        sa.Column("room_id", sa.String(64), nullable=False, index=True),
        sa.Column("check_in", sa.Date, nullable=False),
        sa.Column("check_out", sa.Date, nullable=False),
        sa.Column("guests", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("prices", sa.JSON, nullable=False),
        sa.Column("total", MONEY, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_holds_status_expires_at", "holds", ["status", "expires_at"])
    op.create_table(
        "room_nights",
        sa.Column("room_id", sa.String(64), primary_key=True),
        sa.Column("night", sa.Date, primary_key=True),
        sa.Column("hold_id", sa.String(64), nullable=False, index=True),
    )


def downgrade() -> None:
    for table in ("inbox_messages", "room_nights", "holds", "rates", "rooms", "room_types"):
        op.drop_table(table)
    op.drop_table("hotels")
