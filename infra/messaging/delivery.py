"""The delivery a FastStream subscriber receives, handed over on the event loop.

FastStream resolves `RabbitMessage` through its `Context` field, whose `use` is a plain
function; its dependency injector (fast_depends) runs every plain function in anyio's thread
pool, so each delivery cost a thread hand-off and a task group before our code saw it (under
load about 5% of a consumer's CPU in py-spy, and the GIL passed back and forth on every
message). `Delivery` resolves the same context entry with a coroutine, which the injector
awaits in place.
"""

from __future__ import annotations

from typing import Annotated, Any

# The class behind `faststream.Context(...)`, which is a function returning one.
from faststream._internal.context.context_type import Context
from faststream.rabbit.message import RabbitMessage


class OnTheLoop(Context):
    """A FastStream context entry resolved without leaving the event loop."""

    async def use(self, /, **kwargs: Any) -> dict[str, Any]:  # type: ignore[override]
        resolved: dict[str, Any] = super().use(**kwargs)
        return resolved


Delivery = Annotated[RabbitMessage, OnTheLoop("message")]
