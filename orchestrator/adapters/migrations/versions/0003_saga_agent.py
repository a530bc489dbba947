"""Each saga names the agent who started it, so an agent's bookings list is one indexed query.

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


def upgrade() -> None:
    op.add_column("sagas", sa.Column("agent_id", sa.String(64), nullable=True))
    op.create_index("ix_sagas_agent_id", "sagas", ["agent_id"])
    if op.get_bind().dialect.name == "sqlite":
        op.execute("UPDATE sagas SET agent_id = json_extract(data, '$.agent_id')")
    else:
        op.execute("UPDATE sagas SET agent_id = JSON_UNQUOTE(JSON_EXTRACT(data, '$.agent_id'))")


def downgrade() -> None:
    op.drop_index("ix_sagas_agent_id", "sagas")
    with op.batch_alter_table("sagas") as batch:
        batch.drop_column("agent_id")
