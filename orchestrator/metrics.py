"""The orchestrator's Prometheus metrics: outcomes, states, step latency, retries, timeouts."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from contracts.sagas import SETTLED_STATES
from orchestrator.domain.messages import Decision
from orchestrator.domain.model import Saga, SagaState, StepStatus

SAGAS_BY_STATE = Gauge("booking_sagas", "Sagas in the store, by state", ["state"])
SAGA_OUTCOMES = Counter(
    "booking_saga_outcomes_total",
    "Sagas that reached an end (or got stuck), by kind (booking, change)",
    ["outcome", "kind"],
)
STEP_SECONDS = Histogram(
    "booking_saga_step_seconds",
    "From a step's first command to its deciding reply or timeout",
    ["step", "outcome"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)
STEP_RETRIES = Counter("booking_saga_step_retries_total", "Commands sent again", ["step"])
STEP_TIMEOUTS = Counter("booking_saga_step_timeouts_total", "Deadlines passed", ["step"])
COMPENSATIONS = Counter("booking_saga_compensations_total", "Sagas that began compensating")


def observe(before: Saga, decision: Decision) -> None:
    after = decision.saga
    for name, record in after.steps.items():
        previous = before.steps.get(name)
        decided = record.status not in (StepStatus.STARTED, StepStatus.BACKING_OFF)
        if decided and record.decided_at and (previous is None or previous.status.in_flight):
            seconds = (record.decided_at - record.started_at).total_seconds()
            STEP_SECONDS.labels(name, str(record.status)).observe(seconds)
    for command in decision.commands:
        if command.attempt > 1:
            STEP_RETRIES.labels(command.step).inc()
    for name, record in after.steps.items():
        previous = before.steps.get(name)
        timed_out = record.status in (StepStatus.BACKING_OFF, StepStatus.TIMED_OUT)
        if timed_out and previous is not None and previous.status == StepStatus.STARTED:
            STEP_TIMEOUTS.labels(name).inc()
    if after.state != before.state:
        if after.state == SagaState.COMPENSATING:
            COMPENSATIONS.inc()
        if after.state in SETTLED_STATES:
            SAGA_OUTCOMES.labels(str(after.state).lower(), after.kind).inc()


def record_state_counts(counts: dict[str, int]) -> None:
    for state in SagaState:
        SAGAS_BY_STATE.labels(str(state)).set(counts.get(str(state), 0))
