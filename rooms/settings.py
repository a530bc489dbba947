"""Settings of the rooms service, from environment variables."""

from __future__ import annotations

from pydantic import Field

from infra.settings import CommonSettings


class RoomsSettings(CommonSettings):
    rooms_db_url: str = "sqlite+aiosqlite:///.run/rooms.db"
    http_port: int = 5001
    hold_expiry_seconds: float = Field(default=15 * 60, gt=0)
    sweep_interval_seconds: float = Field(default=30.0, gt=0)
    max_stay_nights: int = Field(default=30, ge=1, le=365)
    seed_demo_data: bool = False
    db_pool_size: int = Field(default=10, ge=1, le=200)
