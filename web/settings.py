"""Settings of the web apps."""

from __future__ import annotations

import secrets

from pydantic import Field

from infra.settings import CommonSettings


class WebSettings(CommonSettings):
    agents_port: int = 5000
    dashboard_port: int = 5005
    rooms_url: str = "http://127.0.0.1:5001"
    clients_url: str = "http://127.0.0.1:5002"
    reservations_url: str = "http://127.0.0.1:5003"
    orchestrator_url: str = "http://127.0.0.1:5004"
    upstream_timeout_seconds: float = 10.0
    # Tokens signed with this secret; `make up` hands one to both web processes. The default is
    # a fresh random secret per process, so nothing secret is ever written in the repository.
    token_secret: str = Field(default_factory=lambda: secrets.token_urlsafe(32), min_length=16)
    token_ttl_minutes: int = 12 * 60
    agent_username: str = "agent"
    agent_password: str = "agent-demo"
    agent_agency_id: str = "agency-lome"
    operator_username: str = "operator"
    operator_password: str = "operator-demo"
    sse_keepalive_seconds: float = 15.0
    # How long an events stream waits for an accepted booking to be stored before it says
    # `not_found`: under a backlog, a StartBooking may wait that long in the orchestrator's queue.
    booking_appears_within_seconds: float = 120.0
