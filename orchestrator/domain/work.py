"""The working state of one transition: the saga as it changes and what it decided so far."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime

from contracts.base import Event, Reply
from contracts.booking import SagaProgressed
from orchestrator.domain.definition import SagaDefinition
from orchestrator.domain.messages import (
    CommandToSend,
    Decision,
    EventToPublish,
    HistoryEntry,
    ReplyToSend,
)
from orchestrator.domain.model import TERMINAL_STATES, Saga, SagaState, StepRecord, StepStatus

# Message ids are derived from the saga, so replaying a transition yields the same ids.
_IDS = uuid.UUID("0b6f1d3e-5c1a-4f0e-9a43-7d2c8e61b5a0")


def derived_id(*parts: object) -> str:
    return str(uuid.uuid5(_IDS, "/".join(str(p) for p in parts)))


@dataclass
class Work:
    saga: Saga
    definition: SagaDefinition
    now: datetime
    commands: list[CommandToSend] = field(default_factory=list)
    events: list[EventToPublish] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    replies: list[ReplyToSend] = field(default_factory=list)

    def note(self, direction: str, message_type: str, note: str, **fields: object) -> None:
        self.history.append(HistoryEntry(direction, message_type, note=note, **fields))  # type: ignore[arg-type]

    def update(self, **changes: object) -> None:
        self.saga = replace(self.saga, **changes)  # type: ignore[arg-type]

    def put_step(self, record: StepRecord) -> None:
        self.saga = self.saga.with_step(record)

    def send(self, name: str, attempts: int) -> None:
        """Send (or resend) a step's command; the step is recorded before the command leaves."""
        step = self.definition.step(name)
        previous = self.saga.steps.get(name)
        sends = (previous.sends if previous else 0) + 1
        message_id = derived_id(self.saga.saga_id, name, sends)
        command = step.send(self.saga)
        self.put_step(
            StepRecord(
                name=name,
                status=StepStatus.STARTED,
                attempts=attempts,
                sends=sends,
                started_at=previous.started_at if previous else self.now,
                due_at=self.now + step.deadline,
                message_ids=(*(previous.message_ids if previous else ()), message_id),
            )
        )
        self.commands.append(CommandToSend(name, step.to, command, message_id, attempts))
        self.history.append(
            HistoryEntry(
                "out",
                command.message_type,
                message_id,
                command.model_dump(mode="json"),
                attempts,
                f"{name}, attempt {attempts}",
            )
        )

    def decide(self, name: str, status: StepStatus, outcome: str) -> None:
        record = self.saga.steps[name]
        self.put_step(
            replace(record, status=status, due_at=None, decided_at=self.now, outcome=outcome)
        )

    def set_state(self, state: SagaState, step: str | None, detail: str | None = None) -> None:
        if state == self.saga.state:
            return
        self.update(state=state)
        self.announce(step, detail)

    def announce(self, step: str | None, detail: str | None) -> None:
        """Tell the web apps where the saga stands (a progress event, not a public one)."""
        progressed = SagaProgressed(
            saga_kind=self.saga.kind,
            state=str(self.saga.state),
            step=step,
            detail=detail,
            terminal=self.saga.state in TERMINAL_STATES,
            at=self.now,
        )
        self.publish(progressed)

    def publish(self, event: Event, public_name: str | None = None) -> None:
        message_id = derived_id(self.saga.saga_id, self.saga.revision + 1, len(self.events))
        self.events.append(EventToPublish(event, message_id, public_name))
        payload = event.model_dump(mode="json")
        self.history.append(HistoryEntry("out", event.message_type, message_id, payload))

    def finish(self, state: SagaState, step: str | None) -> None:
        self.set_state(state, step, self.saga.failure_reason)
        ended = self.definition.ends_with(self.saga, state)
        if ended is not None:
            self.publish(*ended)

    def reply(self, reply: Reply, to_saga: str, causation_id: str) -> None:
        """Answer another saga's command (one saga asking another: a change its booking)."""
        message_id = derived_id(self.saga.saga_id, "reply", causation_id)
        self.replies.append(ReplyToSend(reply, to_saga, message_id, causation_id))
        payload = reply.model_dump(mode="json")
        self.history.append(HistoryEntry("out", reply.message_type, message_id, payload))

    def decision(self, original: Saga) -> Decision:
        if self.saga != original:
            self.update(revision=original.revision + 1, updated_at=self.now)
        return Decision(
            self.saga,
            tuple(self.commands),
            tuple(self.events),
            tuple(self.history),
            tuple(self.replies),
        )
