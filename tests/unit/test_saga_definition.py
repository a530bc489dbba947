"""The two rules that read a saga definition (state reached, undo order) and how steps are
written: each with its own deadline, retry and undo, the names unique, the timing overridable."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contracts.rooms import HoldConfirmed
from contracts.topology import Service
from orchestrator.domain.booking import (
    BOOKINGS,
    CONFIRM_HOLD,
    CURRENT,
    HOLD_ROOM,
    VERSION_1,
    VERSION_2,
    VERSION_3,
)
from orchestrator.domain.definition import Retry, SagaDefinition, Step
from orchestrator.domain.model import SagaState
from orchestrator.settings import OrchestratorSettings

pytestmark = pytest.mark.unit


def names(stages: tuple[tuple[Step, ...], ...]) -> list[list[str]]:
    return [[step.name for step in stage] for stage in stages]


def test_the_current_booking_holds_and_verifies_together_then_reserves_then_confirms() -> None:
    assert names(CURRENT.forward) == [
        ["hold_room", "verify_client"],
        ["write_reservation"],
        ["confirm_hold"],
    ]
    assert BOOKINGS.current("booking") is CURRENT


def test_undo_runs_last_written_first_and_skips_checks_and_refusals() -> None:
    everything = {"hold_room", "verify_client", "write_reservation", "confirm_hold"}
    assert CURRENT.undo_order(everything) == ("cancel_reservation", "release_hold")
    assert CURRENT.undo_order({"hold_room"}) == ("release_hold",)
    assert CURRENT.undo_order({"verify_client"}) == ()  # a check changes nothing
    # Version 2 undid the confirmation itself, first of all.
    assert VERSION_2.undo_order(everything) == (
        "release_booking",
        "cancel_reservation",
        "release_hold",
    )


def test_cancelling_follows_the_same_rule_unless_a_version_wrote_its_own() -> None:
    assert names(CURRENT.cancellation) == [["cancel_reservation"], ["release_hold"]]
    for older in (VERSION_1, VERSION_2, VERSION_3):
        assert names(older.cancellation) == [["cancel_reservation"], ["release_booking"]]


def test_a_milestone_waits_for_every_step_written_before_it() -> None:
    assert CURRENT.state_reached(set()) == SagaState.PENDING
    assert CURRENT.state_reached({"verify_client"}) == SagaState.PENDING  # hold not done yet
    assert CURRENT.state_reached({"hold_room"}) == SagaState.ROOM_HELD
    assert CURRENT.state_reached({"hold_room", "verify_client"}) == SagaState.CLIENT_VERIFIED
    assert (
        CURRENT.state_reached({"hold_room", "verify_client", "write_reservation"})
        == SagaState.RESERVED
    )


def test_each_step_has_its_own_deadline_retry_and_undo() -> None:
    verify, hold = CURRENT.step("verify_client"), CURRENT.step("hold_room")
    assert verify.deadline == timedelta(seconds=5) and hold.deadline == timedelta(seconds=10)
    assert hold.undo is CURRENT.step("release_hold") and verify.undo is None
    assert hold.undo.retry.max_delay > hold.retry.max_delay  # an undo is resent for longer
    assert CONFIRM_HOLD.succeeded_with(HoldConfirmed(hold_id="h")) and CONFIRM_HOLD.undo is None


def test_two_different_steps_may_not_share_a_name() -> None:
    impostor = Step("hold_room", to=Service.CLIENTS, send=HOLD_ROOM.send, done=HOLD_ROOM.done)
    with pytest.raises(ValueError, match="two steps named hold_room"):
        SagaDefinition("booking", version=99, forward=(HOLD_ROOM, impostor))


def test_a_deployment_may_put_every_step_on_one_deadline_and_retry() -> None:
    assert OrchestratorSettings().timed(BOOKINGS) is BOOKINGS  # nothing set: each its own
    timed = OrchestratorSettings(step_deadline_seconds=2, retry_max_attempts=5).timed(BOOKINGS)
    current = timed.current("booking")
    assert {step.deadline for step in current.steps.values()} == {timedelta(seconds=2)}
    assert {step.retry for step in current.steps.values()} == {Retry(attempts=5)}
    assert current.undo_order({"hold_room"}) == ("release_hold",)
