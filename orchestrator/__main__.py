"""`python -m orchestrator`: the saga orchestrator on its HTTP port."""

from __future__ import annotations

import uvicorn

from orchestrator.entrypoints.app import create_app
from orchestrator.settings import OrchestratorSettings


def main() -> None:
    settings = OrchestratorSettings()
    uvicorn.run(create_app(settings), host=settings.http_host, port=settings.http_port)


if __name__ == "__main__":
    main()
