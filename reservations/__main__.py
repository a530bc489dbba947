"""`python -m reservations`: the reservations service on its HTTP port."""

from __future__ import annotations

import uvicorn

from infra.settings import load_settings
from infra.tracing import configure_tracing
from reservations.entrypoints.app import create_app
from reservations.settings import ReservationsSettings


def main() -> None:
    settings = load_settings(ReservationsSettings)
    app = create_app(settings)
    configure_tracing("reservations", app, settings.otel_exporter_otlp_endpoint)
    # No access log: a line per call from the web app would be noise at booking rates.
    uvicorn.run(app, host=settings.http_host, port=settings.http_port, access_log=False)


if __name__ == "__main__":
    main()
