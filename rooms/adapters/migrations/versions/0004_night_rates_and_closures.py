"""Nightly rate overrides, and the reasons of closures (CLOSED holds owning room nights).

A closure needs no change to holds or room_nights: it is a hold row with the status CLOSED,
whose nights go through the same primary key as a guest's.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(14, 2)


def upgrade() -> None:
    op.create_table(
        "night_rates",
        sa.Column(
            "room_type_id",
            sa.String(64),
            sa.ForeignKey("room_types.id"),
            primary_key=True,
        ),
        sa.Column("night", sa.Date, primary_key=True),
        sa.Column("price", MONEY, nullable=False),
    )
    op.create_table(
        "closures",
        sa.Column(
            "hold_id",
            sa.String(64),
            sa.ForeignKey("holds.hold_id", name="fk_closures_hold_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("closed_by", sa.String(100), nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.execute(
        "DELETE FROM room_nights WHERE hold_id IN "
        "(SELECT hold_id FROM holds WHERE status = 'CLOSED')"
    )
    op.execute("DELETE FROM holds WHERE status = 'CLOSED'")
    op.drop_table("closures")
    op.drop_table("night_rates")
