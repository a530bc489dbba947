"""`/health` and `/metrics`, the same on every service."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

Check = Callable[[], Awaitable[object]]
CHECK_TIMEOUT_SECONDS = 2.0


def probes_router(service: str, checks: Mapping[str, Check]) -> APIRouter:
    router = APIRouter(tags=["probes"])

    @router.get("/health", responses={503: {"description": "A check failed; `checks` says which."}})
    async def health() -> JSONResponse:
        results = {name: await _run(check) for name, check in checks.items()}
        healthy = all(result == "ok" for result in results.values())
        return JSONResponse(
            {"service": service, "status": "ok" if healthy else "unavailable", "checks": results},
            status_code=200 if healthy else 503,
        )

    @router.get(
        "/metrics",
        response_class=Response,
        responses={200: {"content": {"text/plain": {}}, "description": "Prometheus metrics."}},
    )
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


async def _run(check: Check) -> str:
    try:
        await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS)
    except Exception as exc:
        return f"unavailable: {type(exc).__name__}: {exc}"[:300]
    return "ok"
