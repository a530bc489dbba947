"""The accounts store's schema as SQLAlchemy Core tables (the migrations create them): the
group's people, and the booking requests each agency's Idempotency-Keys named.

Instants are naive DATETIME columns holding UTC.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()
NAME = sa.String(64)

agencies = sa.Table(
    "agencies",
    metadata,
    sa.Column("agency_id", NAME, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("city", sa.String(100), nullable=False),
    sa.Column("country", sa.String(2), nullable=False),
    sa.Column("time_zone", sa.String(64), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    # `agency` (people book through the apps) or `partner` (a system, over the broker).
    sa.Column("kind", sa.String(16), nullable=False, server_default="agency"),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("username", NAME, primary_key=True),
    sa.Column("display_name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("agency_id", NAME, sa.ForeignKey("agencies.agency_id"), nullable=True, index=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("created_by", NAME, nullable=True),
    sa.Column("password_changed_at", sa.DateTime, nullable=False),
)

# The hotels a hotel manager runs (hotels live in the rooms service: ids only).
user_hotels = sa.Table(
    "user_hotels",
    metadata,
    sa.Column("username", NAME, sa.ForeignKey("users.username"), primary_key=True),
    sa.Column("hotel_id", NAME, primary_key=True),
)

# One row per sign-in: its id is the token's `jti`. Sign-out, a password change and disabling
# the account mark it revoked; a token whose session is revoked or missing is refused.
sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("session_id", NAME, primary_key=True),
    sa.Column("username", NAME, sa.ForeignKey("users.username"), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False, index=True),
    sa.Column("revoked_at", sa.DateTime, nullable=True),
)

# The request each Idempotency-Key named, by the booking id the key derives (agency and key):
# a key reused with another request is refused without asking the orchestrator.
booking_requests = sa.Table(
    "booking_requests",
    metadata,
    sa.Column("booking_id", NAME, primary_key=True),
    sa.Column("request", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)
