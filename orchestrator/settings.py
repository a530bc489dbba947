"""Settings of the orchestrator, from environment variables."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from infra.settings import CommonSettings
from orchestrator.domain.definition import DefinitionRegistry, Retry


class OrchestratorSettings(CommonSettings):
    sagas_db_url: str = "sqlite+aiosqlite:///.run/sagas.db"
    http_port: int = 5004
    db_pool_size: int = Field(default=10, ge=1, le=200)
    # Each step has its own deadline and retry (orchestrator/domain/booking.py). Setting any of
    # these puts every step on one deadline and retry instead, the others at these defaults:
    # tests and fault drills use short ones, the bench a long one.
    step_deadline_seconds: float | None = Field(default=None, gt=0)
    retry_max_attempts: int | None = Field(default=None, ge=1, le=20)
    retry_first_delay_seconds: float | None = Field(default=None, ge=0)
    retry_max_delay_seconds: float | None = Field(default=None, ge=0)
    sweep_interval_seconds: float = Field(default=0.5, gt=0)
    relay_interval_seconds: float = Field(default=1.0, gt=0)

    def timed(self, registry: DefinitionRegistry) -> DefinitionRegistry:
        """The definitions with the deployment's one deadline and retry, where it sets one."""
        overrides = (
            self.step_deadline_seconds,
            self.retry_max_attempts,
            self.retry_first_delay_seconds,
            self.retry_max_delay_seconds,
        )
        if all(value is None for value in overrides):
            return registry
        default = Retry()
        retry = Retry(
            attempts=self.retry_max_attempts or default.attempts,
            first_delay=_seconds(self.retry_first_delay_seconds, default.first_delay),
            max_delay=_seconds(self.retry_max_delay_seconds, default.max_delay),
        )
        return registry.timed(_seconds(self.step_deadline_seconds, DEFAULT_DEADLINE), retry)


DEFAULT_DEADLINE = timedelta(seconds=10)


def _seconds(value: float | None, default: timedelta) -> timedelta:
    return default if value is None else timedelta(seconds=value)
