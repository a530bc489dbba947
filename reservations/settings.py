"""The reservations service's settings, from environment variables with safe local defaults."""

from __future__ import annotations

from pydantic import Field

from infra.settings import CommonSettings


class ReservationsSettings(CommonSettings):
    reservations_mongo_url: str = "mongodb://127.0.0.1:27017/"
    reservations_mongo_database: str = Field(
        default="reservations", min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_-]+$"
    )
    http_port: int = Field(default=5003, ge=1, le=65535)
