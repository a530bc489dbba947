"""Settings every service shares; each service extends them in its own settings module."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    amqp_url: str = Field(default="amqp://guest:guest@127.0.0.1:5672/")
    booking_namespace: str = Field(default="", max_length=40, pattern=r"^[a-z0-9_-]*$")
    log_level: str = "INFO"
    log_json: bool | None = None
    http_host: str = "127.0.0.1"
    prefetch_count: int = Field(default=32, ge=1, le=1000)
