"""What the web apps check at the edge, before a request goes anywhere: the shape of path ids,
the size of bodies, and the error answers every route documents in the OpenAPI."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Path, status
from pydantic import BaseModel, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infra.problems import Refusal

# Ids of bookings, sagas, clients, hotels and room types: letters, digits, `.`, `_`, `-`, the
# first a letter or digit (so never `.` or `..`), at most 64 characters (the stores' key size).
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
# A RabbitMQ queue name is at most 255 bytes; ours are the namespace and dotted words.
QUEUE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$"
PathId = Annotated[str, Path(pattern=ID_PATTERN, description="An id: `[A-Za-z0-9._-]`, 1-64.")]
QueueName = Annotated[str, Path(pattern=QUEUE_PATTERN)]
# The deepest page a listing serves; deeper pages are refused (422), not sent to a store.
MAX_OFFSET = 100_000
# The largest request body read: a booking or a client is well under a kilobyte.
MAX_BODY_BYTES = 64 * 1024


class Problem(BaseModel):
    """An error answer: `detail` is an English sentence, or the list of what was invalid
    (422, each item's `type` a code and `ctx` its values). A refusal names its case with
    `code` and the values its sentence needs in `params`: the apps say it in their language."""

    detail: str | list[Any] | dict[str, Any]
    code: str | None = Field(default=None, description="e.g. `booking.not_found`")
    params: dict[str, Any] | None = None


# Inline rather than `model=`: an error is JSON even on a route whose answer is another media
# type (the events stream's is text/event-stream).
PROBLEM_SCHEMA = Problem.model_json_schema()


Responses = dict[int | str, dict[str, Any]]


def _problem(status_code: int, description: str) -> Responses:
    return {
        status_code: {
            "description": description,
            "content": {"application/json": {"schema": PROBLEM_SCHEMA}},
        }
    }


MALFORMED = _problem(400, "The body could not be read as JSON or as a form.")
UNAUTHORIZED = _problem(401, "No valid bearer token.")
FORBIDDEN = _problem(403, "The token's role may not use this route.")
NOT_FOUND = _problem(404, "No such resource, or not visible to this agency.")
CONFLICT = _problem(409, "The resource's state does not allow this action.")
TOO_LARGE = _problem(413, f"The request body is larger than {MAX_BODY_BYTES} bytes.")
INVALID = _problem(422, "The request is invalid; `detail` says why.")
THROTTLED = _problem(429, "Too many attempts; retry after the Retry-After header's seconds.")
UNAVAILABLE = _problem(503, "A service or the broker is unreachable; retry.")


class KnownClientProblem(BaseModel):
    """The agency already knows a client with this address: that client's id."""

    detail: str
    code: str = "client.known"
    params: dict[str, Any] = Field(default_factory=dict)
    client_id: str


KNOWN_CLIENT: Responses = {
    409: {
        "description": "The agency already knows a client with this email: `client_id` is theirs.",
        "content": {"application/json": {"schema": KnownClientProblem.model_json_schema()}},
    }
}
# Every route of the API may answer these (403: a role the route is not for).
COMMON: Responses = {
    **MALFORMED,
    **UNAUTHORIZED,
    **FORBIDDEN,
    **TOO_LARGE,
    **INVALID,
    **THROTTLED,
    **UNAVAILABLE,
}


def too_large(limit: int = MAX_BODY_BYTES) -> Refusal:
    return Refusal(
        status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        "request.too_large",
        f"The request body is larger than {limit} bytes.",
        {"max_bytes": limit},
    )


class BodyLimit:
    """Refuses a body larger than `limit` bytes with 413: at once when its Content-Length says
    so, else as soon as the bytes received pass the limit, so no body is ever read whole."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _refuse(send, self.limit)
            return
        received = 0
        limit = self.limit

        async def capped() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised inside the route's body read: FastAPI answers it as a 413.
                    raise too_large(limit)
            return message

        await self.app(scope, capped, send)


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps(too_large(limit).body())
    await send(
        {
            "type": "http.response.start",
            "status": status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})
