"""Moving a saga along its steps: start the next stage, time steps out, compensate, finish."""

from __future__ import annotations

from dataclasses import replace

from orchestrator.domain import reasons
from orchestrator.domain.definition import Stage
from orchestrator.domain.model import Phase, SagaState, StepRecord, StepStatus
from orchestrator.domain.work import Work

MAX_BACKOFF_DOUBLINGS = 16  # the delay reaches its ceiling long before; this bounds the power


def advance(work: Work, step: str | None = None) -> None:
    """Start whatever can start now; finish the saga when its phase has nothing left to do."""
    saga = work.saga
    if saga.terminal or saga.state == SagaState.STUCK:
        return
    if saga.phase == Phase.FORWARD:
        if _run_stages(work, _names(work.definition.forward)):
            work.finish(SagaState.CONFIRMED, step)
    elif saga.phase == Phase.CANCELLING:
        if _run_stages(work, _names(work.definition.cancellation)):
            work.finish(SagaState.CANCELLED, step)
    elif _compensate(work):
        work.finish(SagaState.FAILED, step)


def _run_stages(work: Work, stages: tuple[tuple[str, ...], ...]) -> bool:
    """Start the first unfinished stage's missing steps; True once every stage succeeded."""
    for stage in stages:
        records = [work.saga.steps.get(name) for name in stage]
        if all(r is not None and r.status == StepStatus.SUCCEEDED for r in records):
            continue
        for name, record in zip(stage, records, strict=True):
            if record is None:
                work.send(name, attempts=1)
        return False
    return True


def _names(stages: tuple[Stage, ...]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(step.name for step in stage) for stage in stages)


def _compensate(work: Work) -> bool:
    """Undo, in reverse order, every forward step that started and did not plainly fail.

    Nothing is undone while a forward step is still in flight: its outcome decides whether
    it needs undoing, and an undo overtaking its own step would leave the step done.
    """
    if work.saga.in_flight(work.definition.forward_names):
        return False
    if work.saga.compensations is None:  # planned once, stored: the plan never shifts
        happened = (StepStatus.SUCCEEDED, StepStatus.TIMED_OUT)
        may_have = {r.name for r in work.saga.steps.values() if r.status in happened}
        work.update(compensations=work.definition.undo_order(may_have))
    return _run_stages(work, tuple((name,) for name in work.saga.compensations or ()))


def begin_compensation(work: Work, reason: str, step: str | None) -> None:
    if work.saga.phase == Phase.COMPENSATING:
        return
    work.update(phase=Phase.COMPENSATING, failure_reason=reason)
    for record in work.saga.in_flight(work.definition.forward_names):
        if record.status == StepStatus.BACKING_OFF:  # sent, unanswered: undo it as it stands
            work.decide(record.name, StepStatus.TIMED_OUT, "abandoned")
    work.set_state(SagaState.COMPENSATING, step, reason)


def reach_milestone(work: Work, step: str) -> None:
    succeeded = {n for n, r in work.saga.steps.items() if r.status == StepStatus.SUCCEEDED}
    reached = work.definition.state_reached(succeeded)
    if reached != SagaState.CONFIRMED:  # confirmation is announced by `finish`
        work.set_state(reached, step)


def time_out(work: Work, record: StepRecord) -> None:
    """The step's deadline passed: resend after a backoff, give up, or wait no longer.

    A forward step gives up after its retry budget and the saga compensates. An undo never
    gives up: the step it undoes may have happened, so it keeps resending with capped backoff;
    past its budget the saga shows STUCK meanwhile, and the first answer carries it on. A
    forward step past the point of no return (`gives_up=False`) is resent the same way.
    """
    step = work.definition.step(record.name)
    command_type = step.send(work.saga).message_type
    forward = work.definition.is_forward(record.name)
    abandoning = work.saga.phase == Phase.COMPENSATING and forward and step.gives_up
    if record.status == StepStatus.BACKING_OFF and not abandoning:
        work.send(record.name, attempts=record.attempts + 1)
        return
    work.note(
        "timeout",
        command_type,
        f"{record.name}: no reply to attempt {record.attempts}",
        attempt=record.attempts,
    )
    if abandoning:
        work.decide(record.name, StepStatus.TIMED_OUT, "timeout")
    elif forward and step.gives_up and record.attempts >= step.retry.attempts:
        work.decide(record.name, StepStatus.TIMED_OUT, "timeout")
        begin_compensation(work, reasons.no_answer(step.to), record.name)
    else:
        if record.attempts >= step.retry.attempts:
            _stuck(work, record.name)
        seed = f"{work.saga.saga_id}/{record.name}/{record.attempts}"
        delay = step.retry.delay(min(record.attempts, MAX_BACKOFF_DOUBLINGS), seed)
        work.put_step(replace(record, status=StepStatus.BACKING_OFF, due_at=work.now + delay))


def _stuck(work: Work, name: str) -> None:
    """Show that a person should look; the step goes on being resent all the same."""
    if work.saga.state == SagaState.STUCK:
        return
    step = work.definition.step(name)
    detail = (
        f"{name} got no answer after {step.retry.attempts} attempts: the {step.to} "
        "service may be down. It is still being resent; an operator can retry it now."
    )
    work.note("timeout", "stuck", detail)
    work.set_state(SagaState.STUCK, name, detail)


def resume(work: Work, step: str | None, detail: str) -> None:
    """A STUCK saga is moving again (an answer came, or an operator retried)."""
    if work.saga.state != SagaState.STUCK:
        return
    phase = work.saga.phase
    if phase == Phase.FORWARD:  # a step past the point of no return answered
        succeeded = {n for n, r in work.saga.steps.items() if r.status == StepStatus.SUCCEEDED}
        work.set_state(work.definition.state_reached(succeeded), step, detail)
        return
    cancelling = phase == Phase.CANCELLING
    work.set_state(SagaState.CANCELLING if cancelling else SagaState.COMPENSATING, step, detail)
