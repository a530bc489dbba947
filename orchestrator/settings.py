"""Settings of the orchestrator, from environment variables."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from infra.settings import CommonSettings
from orchestrator.domain.definition import RetryPolicy


class OrchestratorSettings(CommonSettings):
    sagas_db_url: str = "sqlite+aiosqlite:///.run/sagas.db"
    http_port: int = 5004
    db_pool_size: int = Field(default=10, ge=1, le=200)
    step_deadline_seconds: float = Field(default=10.0, gt=0)
    retry_max_attempts: int = Field(default=3, ge=1, le=20)
    retry_first_delay_seconds: float = Field(default=0.5, ge=0)
    retry_max_delay_seconds: float = Field(default=10.0, ge=0)
    sweep_interval_seconds: float = Field(default=0.5, gt=0)
    relay_interval_seconds: float = Field(default=1.0, gt=0)

    @property
    def step_deadline(self) -> timedelta:
        return timedelta(seconds=self.step_deadline_seconds)

    @property
    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(
            max_attempts=self.retry_max_attempts,
            first_delay=timedelta(seconds=self.retry_first_delay_seconds),
            max_delay=timedelta(seconds=self.retry_max_delay_seconds),
        )
