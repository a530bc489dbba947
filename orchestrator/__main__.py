"""`python -m orchestrator`: the saga orchestrator on its HTTP port."""

from __future__ import annotations

import uvicorn

from infra.settings import load_settings
from infra.tracing import configure_tracing
from orchestrator.entrypoints.app import create_app
from orchestrator.settings import OrchestratorSettings


def main() -> None:
    settings = load_settings(OrchestratorSettings)
    app = create_app(settings)
    configure_tracing("orchestrator", app, settings.otel_exporter_otlp_endpoint)
    # No access log: a line per internal call (the web app reads sagas several times a booking).
    uvicorn.run(app, host=settings.http_host, port=settings.http_port, access_log=False)


if __name__ == "__main__":
    main()
