"""Settings of the web apps."""

from __future__ import annotations

from infra.settings import CommonSettings


class WebSettings(CommonSettings):
    agents_port: int = 5000
    dashboard_port: int = 5005
    rooms_url: str = "http://127.0.0.1:5001"
    clients_url: str = "http://127.0.0.1:5002"
    reservations_url: str = "http://127.0.0.1:5003"
    orchestrator_url: str = "http://127.0.0.1:5004"
