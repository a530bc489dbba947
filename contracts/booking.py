"""Requests to the orchestrator and its progress events for the web apps."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AwareDatetime, Field

from contracts.base import Command, Event, Reply
from contracts.values import EntityId, Stay


class StartBooking(Command):
    """Start a booking saga. The saga id is derived from the idempotency key by the sender."""

    message_type = "booking.StartBooking.v1"

    idempotency_key: Annotated[str, Field(min_length=8, max_length=64)]
    agency_id: EntityId
    agent_id: EntityId
    client_id: EntityId
    hotel_id: EntityId
    room_type_id: EntityId
    stay: Stay
    guests: Annotated[int, Field(ge=1, le=12)]


class StartChange(Command):
    """Start a change saga of a confirmed booking: other dates, another room type of the same
    hotel, or another number of guests. The saga id is derived from the booking and the
    idempotency key by the sender; `client_id` and `hotel_id` are the booking's, and the
    booking refuses a change that names others."""

    message_type = "booking.StartChange.v1"

    idempotency_key: Annotated[str, Field(min_length=8, max_length=64)]
    booking_saga_id: EntityId
    agency_id: EntityId
    agent_id: EntityId
    client_id: EntityId
    hotel_id: EntityId
    room_type_id: EntityId
    stay: Stay
    guests: Annotated[int, Field(ge=1, le=12)]


class CancelBooking(Command):
    """Start the cancellation saga of a confirmed booking."""

    message_type = "booking.CancelBooking.v1"

    booking_saga_id: EntityId
    requested_by: EntityId
    reason: str = Field(max_length=500)


class SagaProgressed(Event):
    """A saga changed state: what the agent's screen and the dashboard follow live."""

    message_type = "booking.SagaProgressed.v1"

    saga_kind: str
    state: str
    step: str | None
    detail: str | None = Field(default=None, max_length=500)
    terminal: bool
    at: AwareDatetime
    # The saga as the orchestrator's `GET /sagas/{id}?history=false` shows it once this
    # transition is stored, so a screen following it needs no read of the saga.
    saga: dict[str, Any] | None = None


class CommandSuperseded(Reply):
    """A participant's answer to a command older than one it already applied for the saga:
    the command was not applied. The orchestrator records it and moves on."""

    message_type = "booking.CommandSuperseded.v1"

    command_type: str = Field(max_length=128)
    sequence: int
    applied_sequence: int
