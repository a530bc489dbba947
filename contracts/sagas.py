"""A saga's states, as the orchestrator stores them and every other part reads them: the one
place that says which states end a saga and which wait for a person."""

from __future__ import annotations

from enum import StrEnum


class SagaState(StrEnum):
    PENDING = "PENDING"
    ROOM_HELD = "ROOM_HELD"
    CLIENT_VERIFIED = "CLIENT_VERIFIED"
    RESERVED = "RESERVED"
    CONFIRMED = "CONFIRMED"
    COMPENSATING = "COMPENSATING"
    FAILED = "FAILED"
    CANCELLING = "CANCELLING"
    CANCELLED = "CANCELLED"
    STUCK = "STUCK"


# A saga in one of these has ended: nothing more will happen to it (a confirmed booking may
# still be cancelled, which starts its cancellation).
TERMINAL_STATES = frozenset({SagaState.CONFIRMED, SagaState.FAILED, SagaState.CANCELLED})
# Where a saga rests until something outside moves it: ended, or STUCK waiting for a person
# (or for the answer it keeps asking for).
SETTLED_STATES = TERMINAL_STATES | {SagaState.STUCK}
# A booking that was confirmed, whatever happened to it since.
ONCE_CONFIRMED_STATES = frozenset({SagaState.CONFIRMED, SagaState.CANCELLING, SagaState.CANCELLED})
