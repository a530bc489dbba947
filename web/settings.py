"""Settings of the web apps."""

from __future__ import annotations

import secrets
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import NoDecode

from infra.settings import CommonSettings
from web.accounts.demo import DEMO_PASSWORDS

MIN_TOKEN_SECRET_BYTES = 32


class WebSettings(CommonSettings):
    agents_port: int = 5000
    dashboard_port: int = 5005
    rooms_url: str = "http://127.0.0.1:5001"
    clients_url: str = "http://127.0.0.1:5002"
    reservations_url: str = "http://127.0.0.1:5003"
    orchestrator_url: str = "http://127.0.0.1:5004"
    # Replicas of a service, comma-separated (`ORCHESTRATOR_URLS=http://a:5004,http://b:5004`);
    # unset, the single `*_URL` above. A replica that fails is skipped for a few seconds.
    rooms_urls: Annotated[list[str], NoDecode] = []
    clients_urls: Annotated[list[str], NoDecode] = []
    reservations_urls: Annotated[list[str], NoDecode] = []
    orchestrator_urls: Annotated[list[str], NoDecode] = []
    upstream_replica_down_seconds: float = Field(default=5.0, ge=0)
    upstream_timeout_seconds: float = 10.0
    # Tokens signed with this secret; `make up` hands one to both web processes. The default is
    # a fresh random secret per process, so nothing secret is ever written in the repository.
    token_secret: str = Field(default_factory=lambda: secrets.token_urlsafe(32))
    # Short-lived: a token that leaks (a shared screen, a proxy log) is worth 15 minutes, and a
    # sign-out that reaches another process only through expiry is bounded by the same figure.
    token_ttl_minutes: int = Field(default=15, ge=1, le=60)
    # `make up` and the tests run in demo mode: only then may the demo passwords sign anyone in.
    demo_mode: bool = False
    # Logins (web/logins.py): this many wrong passwords for one account, or from one address
    # across accounts, within the window lock that account or address for `login_lockout_seconds`.
    login_failures_per_account: int = Field(default=5, ge=1)
    login_failures_per_address: int = Field(default=20, ge=1)
    login_window_seconds: float = Field(default=15 * 60, gt=0)
    login_lockout_seconds: float = Field(default=15 * 60, gt=0)
    # The accounts store (agencies, users, sessions), shared by the agents' app and the
    # dashboard: MySQL in compose and the tests, a SQLite file under `make up`.
    accounts_db_url: str = "sqlite+aiosqlite:///.run/accounts.db"
    # A session found live is trusted this long by a process before it looks again: a sign-out
    # or a disabled account ends a token at once on the process that did it, and within this
    # on every other process.
    session_check_seconds: float = Field(default=1.0, ge=0, le=30)
    # The first operator, created at start-up when the store has no such account: the way
    # into a new installation (demo mode seeds the demo group's people as well).
    operator_username: str = "operator"
    operator_password: str = "operator-demo"
    sse_keepalive_seconds: float = 15.0
    # How long an events stream waits for an accepted booking to be stored before it says
    # `not_found`: under a backlog, a StartBooking may wait that long in the orchestrator's queue.
    booking_appears_within_seconds: float = 120.0
    # The tracing UI's page of one trace, `{trace_id}` standing for its id (e.g. Jaeger's
    # http://localhost:16686/trace/{trace_id}): the operators' saga page links to the saga's.
    tracing_ui_url: str | None = Field(default=None, pattern=r"\{trace_id\}")

    @field_validator("token_secret")
    @classmethod
    def _long_enough(cls, value: str) -> str:
        if len(value.encode()) < MIN_TOKEN_SECRET_BYTES:
            raise ValueError(
                f"the token secret must be at least {MIN_TOKEN_SECRET_BYTES} bytes "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
            )
        return value

    @field_validator("operator_password")
    @classmethod
    def _no_demo_password(cls, value: str, info: ValidationInfo) -> str:
        if value in DEMO_PASSWORDS and not info.data.get("demo_mode"):
            raise ValueError(
                "a demo password is refused outside demo mode: set a password of your own, "
                "or DEMO_MODE=true (as `make up` does) for a demo"
            )
        return value

    @field_validator(
        "rooms_urls", "clients_urls", "reservations_urls", "orchestrator_urls", mode="before"
    )
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [url.strip() for url in value.split(",") if url.strip()]
        return value

    def replica_urls(self) -> dict[str, list[str]]:
        """Each service web reads from, and the base URLs of its replicas in order."""
        return {
            "rooms": self.rooms_urls or [self.rooms_url],
            "clients": self.clients_urls or [self.clients_url],
            "reservations": self.reservations_urls or [self.reservations_url],
            "orchestrator": self.orchestrator_urls or [self.orchestrator_url],
        }
