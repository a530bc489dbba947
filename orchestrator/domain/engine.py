"""`transition(saga, incoming, now) -> decision`: the whole behaviour of a saga, without I/O."""

from __future__ import annotations

from datetime import datetime

from contracts.booking import CommandSuperseded, StartBooking, StartChange
from orchestrator.domain import booking, booking_answers, change, reasons
from orchestrator.domain.definition import DefinitionRegistry
from orchestrator.domain.flow import (
    advance,
    begin_compensation,
    reach_milestone,
    resume,
    time_out,
)
from orchestrator.domain.messages import (
    Asked,
    CancelRequested,
    DeadlinePassed,
    Decision,
    HistoryEntry,
    Incoming,
    OperatorCompensate,
    OperatorRetry,
    ReplyReceived,
    Started,
)
from orchestrator.domain.model import BookingData, Phase, Saga, SagaState, StepStatus
from orchestrator.domain.work import Work


def new_booking(
    saga_id: str, request: StartBooking, now: datetime, registry: DefinitionRegistry
) -> Saga:
    """A booking saga as the request creates it, under the newest definition, nothing sent."""
    data = BookingData.model_validate(request.model_dump(include=set(BookingData.model_fields)))
    return _new(saga_id, booking.KIND, request.idempotency_key, data, now, registry)


def new_change(
    saga_id: str, request: StartChange, now: datetime, registry: DefinitionRegistry
) -> Saga:
    """A change saga as the request creates it. Its idempotency key is its id (derived from
    the booking and the agent's key), so it never collides with a booking's key."""
    fields = request.model_dump(include=set(BookingData.model_fields))
    data = BookingData.model_validate({**fields, "booking_id": request.booking_saga_id})
    return _new(saga_id, change.KIND, saga_id, data, now, registry)


def _new(
    saga_id: str,
    kind: str,
    idempotency_key: str,
    data: BookingData,
    now: datetime,
    registry: DefinitionRegistry,
) -> Saga:
    return Saga(
        saga_id=saga_id,
        kind=kind,
        definition_version=registry.current(kind).version,
        idempotency_key=idempotency_key,
        state=SagaState.PENDING,
        phase=Phase.FORWARD,
        data=data,
        created_at=now,
        updated_at=now,
    )


def transition(
    saga: Saga, incoming: Incoming, now: datetime, registry: DefinitionRegistry
) -> Decision:
    """Apply one incoming message (or timeout, or operator action) to a saga.

    The saga finishes under the definition version it started with.
    """
    work = Work(saga, registry.get(saga.kind, saga.definition_version), now)
    if isinstance(incoming, Started):
        _started(work, incoming)
    elif isinstance(incoming, ReplyReceived):
        _reply(work, incoming)
    elif isinstance(incoming, CancelRequested):
        _cancel(work, incoming)
    elif isinstance(incoming, Asked):
        _asked(work, incoming)
    elif isinstance(incoming, DeadlinePassed):
        _deadline(work)
    elif isinstance(incoming, OperatorRetry):
        _retry(work, incoming)
    else:
        _compensate(work, incoming)
    return work.decision(saga)


def _seen(work: Work, message_id: str, message_type: str) -> bool:
    """Whether this message was applied before (a redelivery or a participant's resend)."""
    if message_id in work.saga.seen_message_ids:
        _received(work, message_type, message_id, "duplicate message, ignored")
        return True
    return False


def _received(
    work: Work,
    message_type: str,
    message_id: str,
    note: str,
    payload: dict[str, object] | None = None,
    attempt: int | None = None,
) -> None:
    work.history.append(HistoryEntry("in", message_type, message_id, payload or {}, attempt, note))


def _applied(work: Work, message_id: str) -> None:
    work.update(seen_message_ids=(*work.saga.seen_message_ids, message_id))


def _started(work: Work, started: Started) -> None:
    message_id, message_type = started.message_id, started.message_type
    if _seen(work, message_id, message_type):
        return
    if work.saga.steps:
        _received(work, message_type, message_id, f"{work.saga.kind} already started")
        return
    payload = work.saga.data.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    _received(work, message_type, message_id, f"{work.saga.kind} requested", payload)
    _applied(work, message_id)
    work.announce(None, None)
    advance(work)


def _reply(work: Work, incoming: ReplyReceived) -> None:
    reply, message_id = incoming.reply, incoming.message_id
    if _seen(work, message_id, reply.message_type):
        return
    payload = reply.model_dump(mode="json")
    if isinstance(reply, CommandSuperseded):
        note = f"{reply.command_type} was older than one already applied, so not applied"
        _received(work, reply.message_type, message_id, note, payload)
        return
    step = work.definition.step_for(reply)
    record = work.saga.steps.get(step.name) if step else None
    if step is None or record is None:
        note = "reply to no step this saga started, ignored"
        _received(work, reply.message_type, message_id, note, payload)
        return
    if not (record.status.in_flight or _late_undo(work, step.name, record.status)):
        note = f"late reply: {step.name} already {record.status}, ignored"
        _received(work, reply.message_type, message_id, note, payload)
        return
    _received(work, reply.message_type, message_id, step.name, payload, record.attempts)
    _applied(work, message_id)
    resume(work, step.name, f"{step.name} answered after all")
    if step.succeeded_with(reply):
        work.update(data=step.record(work.saga.data, reply))
        work.decide(step.name, StepStatus.SUCCEEDED, reply.message_type)
        if work.saga.phase == Phase.FORWARD:
            reach_milestone(work, step.name)
    else:
        work.decide(step.name, StepStatus.FAILED, reply.message_type)
        begin_compensation(work, step.refusal(reply), step.name)
    advance(work, step.name)


def _late_undo(work: Work, name: str, status: StepStatus) -> bool:
    """An undo that a saga stored before undos were resent without end is still waited for:
    its answer, however late, is what lets the saga end."""
    return (
        status == StepStatus.TIMED_OUT
        and not work.definition.is_forward(name)
        and not work.saga.terminal
    )


def _cancel(work: Work, incoming: CancelRequested) -> None:
    request, message_id = incoming.request, incoming.message_id
    if _seen(work, message_id, request.message_type):
        return
    payload = request.model_dump(mode="json")
    if work.saga.state != SagaState.CONFIRMED or work.saga.data.locked_by is not None:
        state = "being changed" if work.saga.data.locked_by else work.saga.state
        note = f"only a confirmed booking can be cancelled; this one is {state}"
        _received(work, request.message_type, message_id, note, payload)
        return
    _received(work, request.message_type, message_id, "cancellation requested", payload)
    _applied(work, message_id)
    data = work.saga.data.model_copy(
        update={"cancel_reason": request.reason, "cancel_requested_by": request.requested_by}
    )
    work.update(data=data, phase=Phase.CANCELLING)
    work.set_state(SagaState.CANCELLING, None, request.reason)
    advance(work)


def _asked(work: Work, incoming: Asked) -> None:
    """Another saga's command (a change asking its booking): answered, always, unless it is
    a copy already answered (its answer is in the outbox)."""
    command, message_id = incoming.command, incoming.message_id
    if _seen(work, message_id, command.message_type):
        return
    payload = command.model_dump(mode="json")
    note = f"from {incoming.from_saga}"
    _received(work, command.message_type, message_id, note, payload)
    _applied(work, message_id)
    reply = booking_answers.answer(work, command, incoming.from_saga)
    if reply is None:
        work.note("in", command.message_type, "not answered: that change does not hold this")
        return
    work.reply(reply, incoming.from_saga, message_id)


def _deadline(work: Work) -> None:
    due = [r for r in work.saga.in_flight() if r.due_at is not None and r.due_at <= work.now]
    for record in due:
        time_out(work, work.saga.steps[record.name])
    if due:
        advance(work, due[-1].name)


def _retry(work: Work, action: OperatorRetry) -> None:
    saga = work.saga
    if saga.terminal:
        work.note("operator", "retry", f"nothing to retry: the saga is {saga.state}")
        return
    names = [r.name for r in saga.steps.values() if _retriable(work, r.name, r.status)]
    if not names:
        work.note("operator", "retry", "no step is waiting for an answer")
        return
    work.note("operator", "retry", f"{action.operator} resent {', '.join(names)}")
    resume(work, names[0], "retried by an operator")
    for name in names:
        work.send(name, attempts=1)


def _retriable(work: Work, name: str, status: StepStatus) -> bool:
    if not (status.in_flight or status == StepStatus.TIMED_OUT):
        return False
    forward = work.definition.is_forward(name)
    if work.saga.phase == Phase.FORWARD:
        return forward
    if work.saga.phase == Phase.COMPENSATING:
        return name in (work.saga.compensations or ())
    return not forward


def _compensate(work: Work, action: OperatorCompensate) -> None:
    saga = work.saga
    if saga.state == SagaState.STUCK and saga.phase == Phase.COMPENSATING:
        _retry(work, OperatorRetry(action.operator))
        return
    if saga.phase != Phase.FORWARD or saga.terminal:
        work.note("operator", "compensate", f"a {saga.state} saga cannot be compensated")
        return
    if work.definition.past_no_return(set(saga.steps)):
        detail = "past its point of no return the saga only goes forward; retry it instead"
        work.note("operator", "compensate", detail)
        return
    work.note("operator", "compensate", f"{action.operator} forced compensation")
    begin_compensation(work, reasons.OPERATOR_COMPENSATION, None)
    advance(work)
