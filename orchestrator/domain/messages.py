"""What goes into a transition and what comes out of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contracts.base import Command, Event, Reply
from contracts.booking import CancelBooking
from contracts.orchestrator import ToBooking
from contracts.topology import Service
from orchestrator.domain.model import Saga


@dataclass(frozen=True)
class Started:
    """The request that created the saga (StartBooking, StartChange; the saga is built from
    it first)."""

    message_id: str
    message_type: str = "booking.StartBooking.v1"


@dataclass(frozen=True)
class ReplyReceived:
    message_id: str
    reply: Reply
    causation_id: str | None = None


@dataclass(frozen=True)
class CancelRequested:
    message_id: str
    request: CancelBooking


@dataclass(frozen=True)
class Asked:
    """Another saga's command to this one (a change asking its booking), to be answered."""

    message_id: str
    command: ToBooking
    from_saga: str


@dataclass(frozen=True)
class DeadlinePassed:
    """The sweeper found the saga's earliest deadline in the past."""


@dataclass(frozen=True)
class OperatorRetry:
    operator: str = "operator"


@dataclass(frozen=True)
class OperatorCompensate:
    operator: str = "operator"


Incoming = (
    Started
    | ReplyReceived
    | CancelRequested
    | Asked
    | DeadlinePassed
    | OperatorRetry
    | OperatorCompensate
)


@dataclass(frozen=True)
class CommandToSend:
    step: str
    service: Service
    command: Command
    message_id: str
    attempt: int


@dataclass(frozen=True)
class EventToPublish:
    """A progress event (`public_name` None) or a public event published as a CloudEvent."""

    event: Event
    message_id: str
    public_name: str | None = None


@dataclass(frozen=True)
class ReplyToSend:
    """An answer to another saga's command, addressed to that saga."""

    reply: Reply
    to_saga: str
    message_id: str
    causation_id: str


@dataclass(frozen=True)
class HistoryEntry:
    direction: str  # "in", "out", "timeout", "operator"
    message_type: str
    message_id: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    attempt: int | None = None
    note: str | None = None


@dataclass(frozen=True)
class Decision:
    saga: Saga
    commands: tuple[CommandToSend, ...] = ()
    events: tuple[EventToPublish, ...] = ()
    history: tuple[HistoryEntry, ...] = ()
    replies: tuple[ReplyToSend, ...] = ()
