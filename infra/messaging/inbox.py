"""The inbox contract: a command's effect and its reply are recorded together, once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from contracts.base import Message, Reply
from contracts.envelope import Envelope
from infra.messaging.codec import Decoded, Outgoing

# A handler applies a command's effect inside the store's unit of work and returns the reply.
# It must also be idempotent by business identity (one hold per saga, one reservation per saga),
# so a retry of the same step with a new message id finds the same outcome.
Handler = Callable[[Any, Envelope, Any], Awaitable[Reply]]


@dataclass(frozen=True)
class InboxResult:
    reply: Outgoing
    duplicate: bool


class Inbox(Protocol):
    async def process(self, decoded: Decoded, handler: Handler) -> InboxResult:
        """Return the stored reply of a message seen before, else apply `handler` once."""
        ...


@runtime_checkable
class BatchInbox(Protocol):
    async def process_batch(
        self, items: Sequence[Decoded], handlers: Mapping[type[Message], Handler]
    ) -> list[InboxResult | Exception]:
        """Each message's stored or new reply, all in one unit of work; a message that could
        not apply is returned as its exception (its effect undone, the others' kept)."""
        ...


def reply_outgoing(command_envelope: Envelope, reply: Reply) -> Outgoing:
    return Outgoing.of(reply, command_envelope.caused(reply.message_type))
