"""`python -m rooms`: the rooms service on its HTTP port."""

from __future__ import annotations

import uvicorn

from rooms.entrypoints.app import create_app
from rooms.settings import RoomsSettings


def main() -> None:
    settings = RoomsSettings()
    uvicorn.run(create_app(settings), host=settings.http_host, port=settings.http_port)


if __name__ == "__main__":
    main()
