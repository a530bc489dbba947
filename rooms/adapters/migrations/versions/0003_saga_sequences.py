"""Each saga's newest applied command, so an older one is never applied after it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saga_sequences",
        sa.Column("saga_id", sa.String(64), primary_key=True),
        sa.Column("sequence", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("saga_sequences")
