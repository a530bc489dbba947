"""Taking requests and replies off the orchestrator's queues into the saga service.

The delivery protocol (validation, dead letters with a reason, ack after commit, retry of
outages) is the shared `QueueConsumer`'s; a message for a saga the store never had can never
apply, so it is dead-lettered with that reason too. Nothing is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.base import Message
from infra.messaging.codec import Decoded, InvalidMessage
from infra.messaging.consumer import QueueConsumer
from orchestrator.service_layer.sagas import SagaService, UnknownSaga


@dataclass(kw_only=True)
class SagaConsumer(QueueConsumer):
    accepted: tuple[type[Message], ...]
    sagas: SagaService

    def accepts(self, message: Message) -> bool:
        return isinstance(message, self.accepted)

    async def apply(self, decoded: Decoded) -> str:
        try:
            await self.retrying(lambda: self.sagas.receive(decoded))
        except UnknownSaga as exc:
            raise InvalidMessage(str(exc)) from exc
        return "applied"
