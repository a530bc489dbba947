"""`python -m orchestrator`: the saga orchestrator on its HTTP port."""

from __future__ import annotations

import uvicorn

from infra.settings import load_settings
from orchestrator.entrypoints.app import create_app
from orchestrator.settings import OrchestratorSettings


def main() -> None:
    settings = load_settings(OrchestratorSettings)
    # No access log: a line per internal call (the web app reads sagas several times a booking).
    uvicorn.run(
        create_app(settings), host=settings.http_host, port=settings.http_port, access_log=False
    )


if __name__ == "__main__":
    main()
