"""`python -m reservations`: the reservations service on its HTTP port."""

from __future__ import annotations

import uvicorn

from infra.settings import load_settings
from reservations.entrypoints.app import create_app
from reservations.settings import ReservationsSettings


def main() -> None:
    settings = load_settings(ReservationsSettings)
    # No access log: a line per call from the web app would be noise at booking rates.
    uvicorn.run(
        create_app(settings), host=settings.http_host, port=settings.http_port, access_log=False
    )


if __name__ == "__main__":
    main()
