"""Deadlines, retries with backoff, compensation after timeouts, STUCK, and operator actions."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from contracts.booking import CancelBooking
from contracts.clients import ClientRejected, ClientVerified
from contracts.reservations import CancelReservation, ReservationCancelled
from contracts.rooms import (
    BookingReleased,
    HoldConfirmed,
    HoldReleased,
    ReleaseHold,
)
from orchestrator.domain import reasons
from orchestrator.domain.definition import Retry
from orchestrator.domain.messages import (
    CancelRequested,
    DeadlinePassed,
    OperatorCompensate,
    OperatorRetry,
)
from orchestrator.domain.model import SagaState, StepStatus
from tests.unit.test_orchestrator_saga import RESERVATION_WRITTEN, Run, room_held

pytestmark = pytest.mark.unit

MAX_ATTEMPTS = 3


def expire(run: Run) -> None:
    """Let time run to the saga's next deadline and feed the timeout in."""
    deadline = run.saga.next_deadline_at
    assert deadline is not None
    run.now = max(run.now, deadline)
    run.apply(DeadlinePassed())


def exhaust(run: Run, step: str) -> list[str]:
    """Time `step` out until its retries are spent; the message ids of every send."""
    while run.saga.steps[step].status.in_flight:
        expire(run)
    return list(run.saga.steps[step].message_ids)


def time_out_undo(run: Run, step: str) -> None:
    """Time an undo out until the saga shows STUCK (an undo itself never stops)."""
    while run.saga.state != SagaState.STUCK:
        assert run.saga.steps[step].status.in_flight
        expire(run)


def run_until(step: str) -> Run:
    run = Run.start()
    if step in ("hold_room", "verify_client"):
        other = "verify_client" if step == "hold_room" else "hold_room"
        run.reply(room_held() if other == "hold_room" else ClientVerified(client_id="client-1"))
        assert run.saga.steps[other].status == StepStatus.SUCCEEDED
        return run
    run.reply(room_held())
    run.reply(ClientVerified(client_id="client-1"))
    if step == "confirm_hold":
        run.reply(RESERVATION_WRITTEN)
    return run


@pytest.mark.parametrize(
    ("step", "service", "undo"),
    [
        ("hold_room", "rooms", [ReleaseHold]),
        ("verify_client", "clients", [ReleaseHold]),
        ("write_reservation", "reservations", [CancelReservation, ReleaseHold]),
        ("confirm_hold", "rooms", [CancelReservation, ReleaseHold]),
    ],
)
def test_a_step_without_answer_is_resent_then_compensated(
    step: str, service: str, undo: list[type]
) -> None:
    run = run_until(step)
    first_command = next(c for d in run.decisions for c in d.commands if c.step == step)
    sends_before = len(run.all_sent())

    message_ids = exhaust(run, step)

    resent = [c for d in run.decisions for c in d.commands if c.step == step]
    assert len(message_ids) == MAX_ATTEMPTS == len(resent)
    assert len(set(message_ids)) == MAX_ATTEMPTS  # a new message id per send...
    assert all(c.command == first_command.command for c in resent)  # ...the same content
    assert [c.attempt for c in resent] == [1, 2, 3]
    assert run.saga.state == SagaState.COMPENSATING
    assert run.saga.failure_reason == reasons.no_answer(service)  # type: ignore[arg-type]
    assert run.all_sent()[sends_before + MAX_ATTEMPTS - 1 :] == undo[:1]

    for undo_step in run.saga.compensations or ():
        _answer_compensation(run, undo_step)
    assert run.all_sent()[sends_before + MAX_ATTEMPTS - 1 :] == undo
    assert run.saga.state == SagaState.FAILED


def _answer_compensation(run: Run, step: str) -> None:
    reply = {
        "release_hold": HoldReleased(hold_id="hold-1"),
        "cancel_reservation": ReservationCancelled(booking_saga_id="saga-1", reservation_id=None),
        "release_booking": BookingReleased(booking_saga_id="saga-1"),
    }[step]
    run.reply(reply)


def test_retries_wait_an_exponential_jittered_backoff() -> None:
    run = Run.start()
    expire(run)  # both first sends time out together
    hold = run.saga.steps["hold_room"]
    assert hold.status == StepStatus.BACKING_OFF and run.sent() == []
    assert run.now <= hold.due_at <= run.now + timedelta(seconds=1)  # type: ignore[operator]

    policy = Retry(5, timedelta(seconds=1), timedelta(seconds=4))
    delays = [policy.delay(attempt, "saga-1/hold_room") for attempt in range(1, 6)]
    ceilings = [1, 2, 4, 4, 4]
    assert all(
        timedelta(0) <= d <= timedelta(seconds=c) for d, c in zip(delays, ceilings, strict=True)
    )
    assert delays == [policy.delay(a, "saga-1/hold_room") for a in range(1, 6)]


def test_an_answer_to_a_retried_command_moves_the_saga_on() -> None:
    run = Run.start()
    expire(run)
    expire(run)  # resent
    assert run.saga.steps["hold_room"].attempts == 2
    run.reply(room_held())
    run.reply(ClientVerified(client_id="client-1"))
    assert run.saga.state == SagaState.CLIENT_VERIFIED


def test_a_compensation_that_keeps_timing_out_shows_stuck_until_an_operator_retries() -> None:
    run = Run.start()
    run.reply(room_held())
    run.reply(ClientRejected(client_id="client-1", reason="blocked"))
    assert run.sent() == [ReleaseHold]

    time_out_undo(run, "release_hold")
    assert run.states()[-1] == "STUCK"
    assert run.saga.steps["release_hold"].attempts == MAX_ATTEMPTS
    assert any("an operator can retry" in (h.note or "") for h in run.last.history)

    run.apply(OperatorRetry("op-1"))
    assert run.saga.state == SagaState.COMPENSATING and run.sent() == [ReleaseHold]
    run.reply(HoldReleased(hold_id="hold-1"))
    assert run.saga.state == SagaState.FAILED
    assert run.saga.failure_reason == "The client is blocked."


def test_an_undo_without_answer_is_resent_without_end_and_a_late_answer_ends_the_saga() -> None:
    """A long outage of the rooms service: the saga shows STUCK, keeps resending, and the
    answer that finally comes fails it with nothing left held."""
    run = run_until("confirm_hold")
    exhaust(run, "confirm_hold")
    run.reply(ReservationCancelled(booking_saga_id="saga-1", reservation_id="reservation-1"))
    assert run.sent() == [ReleaseHold]  # the reservation is cancelled before the nights free
    time_out_undo(run, "release_hold")
    sends = run.saga.steps["release_hold"].sends
    for _ in range(20):  # an hour and more of silence
        expire(run)
    assert run.saga.state == SagaState.STUCK
    assert run.saga.steps["release_hold"].sends >= sends + 10
    assert run.saga.next_deadline_at is not None
    backoff = run.saga.next_deadline_at - run.now
    assert backoff <= timedelta(seconds=30) + timedelta(seconds=10)

    run.reply(HoldConfirmed(hold_id="hold-1"))  # the queued confirm, answered late: ignored
    assert run.saga.state == SagaState.STUCK
    run.reply(HoldReleased(hold_id="hold-1"))
    assert run.saga.state == SagaState.FAILED
    assert run.states()[-2:] == ["COMPENSATING", "FAILED"]


def test_a_late_answer_to_an_undo_stored_as_timed_out_still_ends_the_saga() -> None:
    """Sagas stored STUCK before undos were resent without end: the late answer counts."""
    run = Run.start()
    run.reply(room_held())
    run.reply(ClientRejected(client_id="client-1", reason="blocked"))
    time_out_undo(run, "release_hold")
    record = run.saga.steps["release_hold"]
    run.saga = run.saga.with_step(replace(record, status=StepStatus.TIMED_OUT, due_at=None))
    run.reply(HoldReleased(hold_id="hold-1"))
    assert run.saga.state == SagaState.FAILED


def test_a_cancellation_that_keeps_timing_out_shows_stuck() -> None:
    run = Run.start()
    run.reply(room_held())
    run.reply(ClientVerified(client_id="client-1"))
    run.reply(RESERVATION_WRITTEN)
    run.reply(HoldConfirmed(hold_id="hold-1"))
    request = CancelBooking(booking_saga_id="saga-1", requested_by="agent-1", reason="Plans")
    run.apply(CancelRequested("cancel-1", request))

    time_out_undo(run, "cancel_reservation")
    run.apply(OperatorRetry())
    assert run.saga.state == SagaState.CANCELLING and run.sent() == [CancelReservation]
    run.reply(ReservationCancelled(booking_saga_id="saga-1", reservation_id="reservation-1"))
    assert run.sent() == [ReleaseHold]
    run.reply(HoldReleased(hold_id="hold-1"))
    assert run.saga.state == SagaState.CANCELLED


def test_an_operator_forces_compensation_of_a_saga_in_flight() -> None:
    run = Run.start()
    run.reply(room_held())
    run.apply(OperatorCompensate("op-1"))
    assert run.saga.state == SagaState.COMPENSATING
    assert run.sent() == []  # the verification is still out: its outcome comes first

    expire(run)  # no more retries once compensating
    assert run.saga.steps["verify_client"].status == StepStatus.TIMED_OUT
    assert run.sent() == [ReleaseHold]
    run.reply(HoldReleased(hold_id="hold-1"))
    assert run.saga.state == SagaState.FAILED
    assert run.saga.failure_reason == reasons.OPERATOR_COMPENSATION


def test_operator_actions_never_change_a_decided_outcome() -> None:
    run = Run.start()
    run.reply(room_held())
    run.reply(ClientVerified(client_id="client-1"))
    run.reply(RESERVATION_WRITTEN)
    run.reply(HoldConfirmed(hold_id="hold-1"))
    confirmed = run.saga
    for action in (OperatorRetry(), OperatorCompensate()):
        decision = run.apply(action)
        assert decision.saga == confirmed and decision.commands == ()
        assert decision.history[0].direction == "operator"


def test_an_operator_retry_resends_the_current_step_now() -> None:
    run = Run.start()
    run.reply(room_held())
    run.apply(OperatorRetry())
    [resent] = run.last.commands
    assert resent.step == "verify_client"
    assert run.saga.steps["verify_client"].sends == 2
