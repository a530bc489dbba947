"""Every room-night belongs to a hold: a foreign key from room_nights.hold_id to holds.

Nights left behind by a hold that was never stored, or by one no longer live, are given back
first (they are what the key now makes impossible).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

FOREIGN_KEY = "fk_room_nights_hold_id"


def upgrade() -> None:
    op.execute(
        "DELETE FROM room_nights WHERE hold_id NOT IN "
        "(SELECT hold_id FROM holds WHERE status IN ('HELD', 'CONFIRMED'))"
    )
    with op.batch_alter_table("room_nights") as batch:
        batch.create_foreign_key(FOREIGN_KEY, "holds", ["hold_id"], ["hold_id"], ondelete="CASCADE")


def downgrade() -> None:
    with op.batch_alter_table("room_nights") as batch:
        batch.drop_constraint(FOREIGN_KEY, type_="foreignkey")
