"""What a booking's voucher says of its hotel: a phone number, the check-in and check-out times
(in the hotel's zone), and how long before check-in a booking is cancelled free of charge.

Hotels that were there before get the usual times and 48 hours, and no phone until their
operator (or the demo seed) gives one.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hotels") as batch:
        batch.add_column(sa.Column("phone", sa.String(40), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("check_in_time", sa.String(5), nullable=False, server_default="15:00")
        )
        batch.add_column(
            sa.Column("check_out_time", sa.String(5), nullable=False, server_default="11:00")
        )
        batch.add_column(
            sa.Column("free_cancellation_hours", sa.Integer, nullable=False, server_default="48")
        )


def downgrade() -> None:
    with op.batch_alter_table("hotels") as batch:
        for name in ("free_cancellation_hours", "check_out_time", "check_in_time", "phone"):
            batch.drop_column(name)
