"""What a saga is at one instant: its state, its data and the record of every step started."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict

from contracts.sagas import TERMINAL_STATES, SagaState
from contracts.values import NightlyPrice, Stay

__all__ = [
    "TERMINAL_STATES",
    "BookingBefore",
    "BookingData",
    "Phase",
    "Saga",
    "SagaState",
    "StepRecord",
    "StepStatus",
]


class Phase(StrEnum):
    """Which list of steps the saga is working through."""

    FORWARD = "forward"
    COMPENSATING = "compensating"
    CANCELLING = "cancelling"


class StepStatus(StrEnum):
    STARTED = "started"  # command sent, waiting for a reply until `due_at`
    BACKING_OFF = "backing_off"  # timed out, will resend at `due_at`
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # a definitive failure reply: nothing to undo
    TIMED_OUT = "timed_out"  # no answer after every attempt: may have half-succeeded

    @property
    def in_flight(self) -> bool:
        return self in (StepStatus.STARTED, StepStatus.BACKING_OFF)


class BookingBefore(BaseModel):
    """A change saga's record of the booking as it was when the change locked it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    room_type_id: str
    room_type_name: str
    room_number: str
    stay: Stay
    guests: int
    total: Decimal
    currency: str


class BookingData(BaseModel):
    """The saga's data: ids, the stay and the participants' results. No personal data.

    A booking and a change of it share this shape: a change's stay, room and price are the
    ones it asks for, `booking_id` the booking it changes and `before` that booking as it
    was. A booking's `locked_by` is the change working on it, `changes` those applied."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    agency_id: str
    agent_id: str
    client_id: str
    hotel_id: str
    room_type_id: str
    stay: Stay
    guests: int
    hold_id: str | None = None
    room_id: str | None = None
    room_number: str | None = None
    hotel_name: str | None = None
    room_type_name: str | None = None
    nightly_prices: tuple[NightlyPrice, ...] = ()
    total: Decimal | None = None
    currency: str | None = None
    hold_expires_at: AwareDatetime | None = None
    reservation_id: str | None = None
    confirmation_code: str | None = None
    cancel_reason: str | None = None
    cancel_requested_by: str | None = None
    booking_id: str | None = None
    before: BookingBefore | None = None
    locked_by: str | None = None
    changes: tuple[str, ...] = ()


@dataclass(frozen=True)
class StepRecord:
    """One step of one saga. It exists from the moment the step's command is decided."""

    name: str
    status: StepStatus
    attempts: int  # sends in the current retry budget (an operator retry starts a new one)
    sends: int  # sends ever: numbers each command message so its id is unique
    started_at: datetime
    due_at: datetime | None
    decided_at: datetime | None = None
    outcome: str | None = None  # the reply type (or "timeout") that decided it
    message_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Saga:
    saga_id: str
    kind: str
    definition_version: int
    idempotency_key: str
    state: SagaState
    phase: Phase
    data: BookingData
    created_at: datetime
    updated_at: datetime
    steps: dict[str, StepRecord] = field(default_factory=dict)  # in the order they started
    compensations: tuple[str, ...] | None = None  # planned when compensation can begin
    failure_reason: str | None = None
    seen_message_ids: tuple[str, ...] = ()
    revision: int = 0  # counts state changes; also the store's optimistic version

    @property
    def next_deadline_at(self) -> datetime | None:
        dues = [s.due_at for s in self.steps.values() if s.status.in_flight and s.due_at]
        return min(dues, default=None)

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL_STATES

    def with_step(self, record: StepRecord) -> Saga:
        return replace(self, steps={**self.steps, record.name: record})

    def in_flight(self, names: tuple[str, ...] | None = None) -> list[StepRecord]:
        return [
            s
            for s in self.steps.values()
            if s.status.in_flight and (names is None or s.name in names)
        ]
