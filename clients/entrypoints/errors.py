"""Error responses and request logs that never repeat the personal data they were sent.

FastAPI's default 422 body echoes each invalid input, and uvicorn's access log prints query
strings (`?q=<an email>`); both would carry personal data to wherever responses and logs go.
"""

from __future__ import annotations

import time
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infra.problems import install_refusals

log = structlog.get_logger("clients.http")


def install_error_handling(app: FastAPI) -> None:
    install_refusals(app)
    app.add_exception_handler(RequestValidationError, _validation_failed)  # type: ignore[arg-type]
    app.add_middleware(RequestLogMiddleware)


async def _validation_failed(_request: Request, exc: RequestValidationError) -> JSONResponse:
    return JSONResponse({"detail": [_describe(error) for error in exc.errors()]}, status_code=422)


# The context values kept in an answer: each describes the rule (a limit, a pattern), never
# the value sent. Others (a `value_error`'s exception, a union's tag) may quote the input.
SAFE_CONTEXT = frozenset(
    {
        "min_length",
        "max_length",
        "ge",
        "gt",
        "le",
        "lt",
        "multiple_of",
        "max_digits",
        "decimal_places",
        "whole_digits",
        "pattern",
        "expected",
    }
)


def _describe(error: Any) -> dict[str, Any]:
    """One invalid field as FastAPI says it (`type` the code, `ctx` its values), without the
    input, which may be personal data."""
    message = str(error.get("msg", "invalid"))
    return {
        "loc": [str(part) for part in error.get("loc", ())],
        "msg": message.removeprefix("Value error, "),
        "type": str(error.get("type", "value_error")),
        "ctx": _context(error.get("ctx") or {}),
    }


def _context(ctx: dict[str, Any]) -> dict[str, Any]:
    return {
        name: value if isinstance(value, bool | int | float) else str(value)
        for name, value in ctx.items()
        if name in SAFE_CONTEXT
    }


class RequestLogMiddleware:
    """One log line per request: method, route template, status, time; never the values."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status_code: int | None = None

        async def send_and_note_status(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
            await send(message)

        try:
            # uvicorn runs each request in a context copied before the lifespan bound `service`.
            with structlog.contextvars.bound_contextvars(service="clients"):
                await self.app(scope, receive, send_and_note_status)
        except Exception as exc:
            if _is_framework_signal(exc):
                raise  # e.g. the body size limit, answered 413 by an outer middleware
            # An unexpected error's text may quote what it was working on: keep its type only.
            log.error("request failed", route=_route(scope), error=type(exc).__name__)
            if status_code is None:
                response = JSONResponse({"detail": "internal error"}, status_code=500)
                await response(scope, receive, send)
            return
        log.info(
            "http request",
            method=scope["method"],
            route=_route(scope),
            status=status_code,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
        )


def _is_framework_signal(exc: Exception) -> bool:
    return isinstance(exc, HTTPException) or type(exc).__module__.startswith("starlette.")


def _route(scope: Scope) -> str:
    route = scope.get("route")
    return str(getattr(route, "path", "unmatched"))
