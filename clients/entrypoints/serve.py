"""How uvicorn serves the app: its own access log is off (it prints query strings, which
hold searched names and emails); `RequestLogMiddleware` logs requests instead."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

from clients.settings import ClientsSettings


def server_config(app: FastAPI, settings: ClientsSettings) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        access_log=False,
        log_config=None,  # keep the process's structlog/logging set-up
    )
