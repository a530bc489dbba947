"""Refusals a person will read, in any language: each names its case with a stable `code` and
the values that fill it (`params`); `detail` stays the English sentence for logs and API users.

The apps translate `code` with `params` (web/static/shared/problems.js holds every code's text
in each language); a code the app does not know falls back to `detail`. Validation errors
(422) keep FastAPI's shape, whose `type` and `ctx` play the same part for each invalid field:
a validator that refuses a value for a reason of its own raises `PydanticCustomError(code,
english, params)` so that its `type` is a code too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

Param = str | int | float | bool | None | list[str]


class Refusal(HTTPException):
    """An HTTP error with a code the apps translate and the values the text needs."""

    def __init__(
        self,
        status_code: int,
        code: str,
        detail: str,
        params: Mapping[str, Param] | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(status_code, detail=detail, headers=dict(headers) if headers else None)
        self.code = code
        self.params: dict[str, Param] = dict(params or {})
        self.extra: dict[str, Any] = dict(extra or {})  # more fields of the body, e.g. client_id

    def body(self) -> dict[str, Any]:
        return {"detail": self.detail, "code": self.code, "params": self.params, **self.extra}


async def _answer(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Refusal)
    return JSONResponse(exc.body(), status_code=exc.status_code, headers=exc.headers)


def install_refusals(app: FastAPI) -> None:
    """Answer every `Refusal` raised by a route with its code and params."""
    app.add_exception_handler(Refusal, _answer)
