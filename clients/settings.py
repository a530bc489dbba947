"""Settings of the clients service, from the environment (`CLIENTS_DB_URL`, ...)."""

from __future__ import annotations

from pydantic import Field

from infra.settings import CommonSettings


class ClientsSettings(CommonSettings):
    clients_db_url: str = "sqlite+aiosqlite:///.run/clients.db"
    http_port: int = Field(default=5002, ge=1, le=65535)
    seed_demo_data: bool = False
