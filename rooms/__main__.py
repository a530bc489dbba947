"""`python -m rooms`: the rooms service on its HTTP port."""

from __future__ import annotations

import uvicorn

from infra.settings import load_settings
from rooms.entrypoints.app import create_app
from rooms.settings import RoomsSettings


def main() -> None:
    settings = load_settings(RoomsSettings)
    # No access log: a line per call from the web app would be noise at booking rates.
    uvicorn.run(
        create_app(settings), host=settings.http_host, port=settings.http_port, access_log=False
    )


if __name__ == "__main__":
    main()
