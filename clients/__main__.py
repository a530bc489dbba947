"""`python -m clients`: the clients service on `HTTP_PORT` (5002 by default)."""

from __future__ import annotations

import uvicorn

from clients.entrypoints.app import create_app
from clients.entrypoints.serve import server_config
from clients.settings import ClientsSettings
from infra.settings import load_settings
from infra.tracing import configure_tracing


def main() -> None:
    settings = load_settings(ClientsSettings)
    app = create_app(settings)
    configure_tracing("clients", app, settings.otel_exporter_otlp_endpoint)
    uvicorn.Server(server_config(app, settings)).run()


if __name__ == "__main__":
    main()
