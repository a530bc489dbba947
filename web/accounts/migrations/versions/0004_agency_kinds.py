"""Agencies of two kinds: `agency` (people book through the apps) and `partner` (a system books
over the broker, through the partner channel).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every agency there is was made for people: the default says so for the existing rows.
    with op.batch_alter_table("agencies") as table:
        table.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="agency"))


def downgrade() -> None:
    with op.batch_alter_table("agencies") as table:
        table.drop_column("kind")
