"""The web apps answer /health with the broker's state and expose Prometheus metrics."""

from __future__ import annotations

import httpx
import pytest

from web.entrypoints.app import create_app
from web.settings import WebSettings

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("service", ["web", "dashboard"])
async def test_health_reports_the_broker_and_metrics_are_prometheus_text(
    amqp_url: str, namespace: str, service: str, accounts_db_url: str
) -> None:
    settings = WebSettings(
        amqp_url=amqp_url,
        booking_namespace=namespace,
        demo_mode=True,
        accounts_db_url=accounts_db_url,
    )
    app = create_app(service, settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://web") as client:
            health = await client.get("/health")
            metrics = await client.get("/metrics")

    assert health.status_code == 200
    assert health.json() == {
        "service": service,
        "status": "ok",
        "checks": {"broker": "ok", "accounts": "ok"},
    }
    assert metrics.status_code == 200
    assert "python_info" in metrics.text


async def test_health_says_unavailable_when_the_broker_connection_is_gone(
    amqp_url: str, namespace: str, accounts_db_url: str
) -> None:
    settings = WebSettings(
        amqp_url=amqp_url,
        booking_namespace=namespace,
        demo_mode=True,
        accounts_db_url=accounts_db_url,
    )
    app = create_app("web", settings)
    async with app.router.lifespan_context(app):
        await app.state.broker.stop()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://web") as client:
            health = await client.get("/health")

    assert health.status_code == 503
    assert health.json()["status"] == "unavailable"
    assert health.json()["checks"]["broker"].startswith("unavailable")
