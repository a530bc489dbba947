"""The rooms store's schema as SQLAlchemy Core tables (the migrations create them)."""

from __future__ import annotations

import sqlalchemy as sa

from infra.stores.sql_inbox import inbox_table

metadata = sa.MetaData()
MONEY = sa.Numeric(14, 2)

hotels = sa.Table(
    "hotels",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("address", sa.String(300), nullable=False),
    sa.Column("city", sa.String(100), nullable=False, index=True),
    sa.Column("country", sa.String(2), nullable=False, index=True),
    sa.Column("continent", sa.String(20), nullable=False),
    sa.Column("time_zone", sa.String(64), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("stars", sa.Integer, nullable=False),
    # What a voucher says of the hotel; the times are wall-clock times in its zone.
    sa.Column("phone", sa.String(40), nullable=False, server_default=""),
    sa.Column("check_in_time", sa.String(5), nullable=False, server_default="15:00"),
    sa.Column("check_out_time", sa.String(5), nullable=False, server_default="11:00"),
    # A booking is cancelled free of charge until this many hours before check-in.
    sa.Column("free_cancellation_hours", sa.Integer, nullable=False, server_default="48"),
)

room_types = sa.Table(
    "room_types",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("hotel_id", sa.String(64), sa.ForeignKey("hotels.id"), nullable=False, index=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("capacity", sa.Integer, nullable=False),
    sa.Column("beds", sa.String(100), nullable=False),
    sa.Column("amenities", sa.JSON, nullable=False),
)

rooms = sa.Table(
    "rooms",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column(
        "room_type_id", sa.String(64), sa.ForeignKey("room_types.id"), nullable=False, index=True
    ),
    sa.Column("number", sa.String(16), nullable=False),
    sa.Column("floor", sa.Integer, nullable=False),
    sa.UniqueConstraint("room_type_id", "number", name="uq_rooms_type_number"),
)

rates = sa.Table(
    "rates",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column(
        "room_type_id", sa.String(64), sa.ForeignKey("room_types.id"), nullable=False, index=True
    ),
    sa.Column("season", sa.String(60), nullable=False),
    sa.Column("start_month", sa.Integer, nullable=False),
    sa.Column("end_month", sa.Integer, nullable=False),
    sa.Column("weekday_price", MONEY, nullable=False),
    sa.Column("weekend_price", MONEY, nullable=False),
)

# Instants are naive DATETIME columns holding UTC (see rooms.adapters.clock).
holds = sa.Table(
    "holds",
    metadata,
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
    sa.Index("ix_holds_status_expires_at", "status", "expires_at"),
)

# The occupancy table: its primary key is what makes a night impossible to hold twice, and its
# foreign key what makes a night impossible to hold without a stored hold.
room_nights = sa.Table(
    "room_nights",
    metadata,
    sa.Column("room_id", sa.String(64), primary_key=True),
    sa.Column("night", sa.Date, primary_key=True),
    sa.Column(
        "hold_id",
        sa.String(64),
        sa.ForeignKey("holds.hold_id", name="fk_room_nights_hold_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
)

# A hotel's price for one night of a room type, over its seasonal rate.
night_rates = sa.Table(
    "night_rates",
    metadata,
    sa.Column("room_type_id", sa.String(64), sa.ForeignKey("room_types.id"), primary_key=True),
    sa.Column("night", sa.Date, primary_key=True),
    sa.Column("price", MONEY, nullable=False),
)

# Why a CLOSED hold (a room taken off sale by its hotel) exists, and who closed it.
closures = sa.Table(
    "closures",
    metadata,
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

inbox = inbox_table(metadata)
