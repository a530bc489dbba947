"""The bookings search: the confirmation code and the stay's dates as columns computed from each
saga's `data`, indexed, so that finding a booking by its code or its dates is an indexed query
while the saga store writes `data` as before (a computed column is never written).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# name, length, JSON path in `data`
COLUMNS = (
    ("confirmation_code", 32, "$.confirmation_code"),
    ("stay_check_in", 10, "$.stay.check_in"),
    ("stay_check_out", 10, "$.stay.check_out"),
)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name, length, path in COLUMNS:
        # Cut to the column's length: MySQL and MariaDB refuse to write a row whose computed
        # value does not fit, and a search column must never make a saga's write fail.
        text = (
            f"json_extract(data, '{path}')"
            if sqlite
            else f"LEFT(JSON_VALUE(data, '{path}'), {length})"
        )
        # VIRTUAL: added at once to a table of any size, and SQLite adds no other kind.
        computed = sa.Computed(sa.text(text), persisted=False)
        op.add_column("sagas", sa.Column(name, sa.String(length), computed, nullable=True))
        op.create_index(f"ix_sagas_{name}", "sagas", [name])


def downgrade() -> None:
    for name, _, _ in reversed(COLUMNS):
        op.drop_index(f"ix_sagas_{name}", "sagas")
        with op.batch_alter_table("sagas") as batch:
            batch.drop_column(name)
