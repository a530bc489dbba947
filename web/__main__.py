"""`python -m web [agents|dashboard]`."""

from __future__ import annotations

import sys

import uvicorn

from infra.settings import load_settings
from infra.tracing import configure_tracing
from web.entrypoints.app import create_app
from web.settings import WebSettings


def main() -> None:
    which = sys.argv[1] if len(sys.argv) > 1 else "agents"
    settings = load_settings(WebSettings)
    port = settings.dashboard_port if which == "dashboard" else settings.agents_port
    service = "dashboard" if which == "dashboard" else "web"
    app = create_app(service, settings)
    configure_tracing(service, app, settings.otel_exporter_otlp_endpoint)
    uvicorn.run(app, host=settings.http_host, port=port, log_config=None)


if __name__ == "__main__":
    main()
