"""Which agencies know each client, and every read of a client's full personal data.

- `clients.registered_by_agency`: the agency that registered the client (NULL for clients
  registered before agencies were recorded). An address is unique within one agency's
  clients, no longer across the group, so registering a client never tells an agency that
  another agency already knows that address.
- `clients.name_text`: the folded names alone, which is what an agency may search among
  clients it does not know (an address finds only clients the agency knows).
- `client_agencies`: an agency that registered the client or holds a confirmed booking for
  them may read their full details.
- `personal_data_reads`: who read which client's full details, when and why.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import unicodedata
from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _instant() -> sa.types.TypeEngine[datetime]:
    return sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def upgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        batch.add_column(sa.Column("registered_by_agency", sa.String(64), nullable=True))
        batch.add_column(sa.Column("name_text", sa.String(300), nullable=True))
        batch.drop_constraint("uq_clients_email_key", type_="unique")
        batch.create_unique_constraint(
            "uq_clients_agency_email_key", ["registered_by_agency", "email_key"]
        )
        batch.create_index("ix_clients_email_key", ["email_key"])
    clients = sa.table(
        "clients",
        sa.column("id", sa.String),
        sa.column("first_name", sa.String),
        sa.column("last_name", sa.String),
        sa.column("name_text", sa.String),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(clients.c.id, clients.c.first_name, clients.c.last_name))
    for client_id, first_name, last_name in rows.all():
        name_text = f"{_fold(first_name)} {_fold(last_name)}"
        connection.execute(
            clients.update().where(clients.c.id == client_id).values(name_text=name_text)
        )
    with op.batch_alter_table("clients") as batch:
        batch.alter_column("name_text", existing_type=sa.String(300), nullable=False)
    op.create_table(
        "client_agencies",
        sa.Column(
            "client_id",
            sa.String(36),
            sa.ForeignKey("clients.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("agency_id", sa.String(64), primary_key=True),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("booking_id", sa.String(64), nullable=True),
        sa.Column("since", _instant(), nullable=False),
        sa.CheckConstraint("reason IN ('registered', 'booking')", name="ck_client_agencies_reason"),
    )
    op.create_index("ix_client_agencies_agency", "client_agencies", ["agency_id"])
    op.create_table(
        "personal_data_reads",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
        sa.Column("read_at", _instant(), nullable=False),
        sa.Column("client_id", sa.String(36), nullable=False),
        sa.Column("reader", sa.String(128), nullable=False),
        sa.Column("reader_role", sa.String(32), nullable=False),
        sa.Column("reader_agency", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
    )
    op.create_index("ix_personal_data_reads_client", "personal_data_reads", ["client_id", "id"])
    op.create_index("ix_personal_data_reads_reader", "personal_data_reads", ["reader", "id"])


def downgrade() -> None:
    op.drop_table("personal_data_reads")
    op.drop_table("client_agencies")
    with op.batch_alter_table("clients") as batch:
        batch.drop_index("ix_clients_email_key")
        batch.drop_constraint("uq_clients_agency_email_key", type_="unique")
        batch.create_unique_constraint("uq_clients_email_key", ["email_key"])
        batch.drop_column("name_text")
        batch.drop_column("registered_by_agency")
