"""Server-sent event streams written straight to the response.

FastAPI's own `EventSourceResponse` streaming runs every stream through two tasks, two memory
streams and a cancel scope per event (to insert its keep-alive pings): about 6% of the web
process's CPU in py-spy under `make bench`, a fifth of what serving a booking's stream cost.
Our streams send their own keep-alive comments (`saga_events`), so a route returns this
instead, and describes itself with `STREAM_RESPONSE`: what FastAPI's own says of a stream.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from fastapi.responses import StreamingResponse
from fastapi.sse import ServerSentEvent, format_sse_event
from pydantic_core import to_json

HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
EVENT_SCHEMA = {
    "type": "object",
    "properties": {
        "data": {"type": "string"},
        "event": {"type": "string"},
        "id": {"type": "string"},
        "retry": {"type": "integer", "minimum": 0},
    },
}
STREAM_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Successful Response",
        "content": {"text/event-stream": {"itemSchema": EVENT_SCHEMA}},
    }
}


def event_stream(events: AsyncIterator[ServerSentEvent]) -> StreamingResponse:
    """The events as `text/event-stream`, each written as it is yielded."""
    return StreamingResponse(_encoded(events), media_type="text/event-stream", headers=HEADERS)


async def _encoded(events: AsyncIterator[ServerSentEvent]) -> AsyncIterator[bytes]:
    async for event in events:
        yield encoded(event)


def encoded(event: ServerSentEvent) -> bytes:
    data = event.raw_data
    if data is None and event.data is not None:
        data = to_json(event.data).decode()
    return format_sse_event(
        data_str=data, event=event.event, id=event.id, retry=event.retry, comment=event.comment
    )
