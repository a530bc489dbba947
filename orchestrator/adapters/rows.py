"""Sagas, history entries and outgoing messages to and from rows of the saga store."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from contracts.booking import SagaProgressed
from contracts.topology import REPLIES_ROUTING_KEY, Topology
from infra.tracing import traceparent_for
from orchestrator.domain.messages import Decision
from orchestrator.domain.model import BookingData, Phase, Saga, SagaState, StepRecord, StepStatus

COMMANDS, REPLIES, EVENTS, PUBLIC = "commands", "replies", "events", "public"


def naive_utc(instant: datetime | None) -> datetime | None:
    return None if instant is None else instant.astimezone(UTC).replace(tzinfo=None)


def aware(instant: datetime | None) -> datetime | None:
    # MySQL and SQLite DATETIME columns give back naive values; every instant stored is UTC.
    return None if instant is None else instant.replace(tzinfo=UTC)


def _step_to_json(record: StepRecord) -> dict[str, Any]:
    return {
        "name": record.name,
        "status": str(record.status),
        "attempts": record.attempts,
        "sends": record.sends,
        "started_at": record.started_at.isoformat(),
        "due_at": record.due_at.isoformat() if record.due_at else None,
        "decided_at": record.decided_at.isoformat() if record.decided_at else None,
        "outcome": record.outcome,
        "message_ids": list(record.message_ids),
    }


def _step_from_json(value: Mapping[str, Any]) -> StepRecord:
    def instant(key: str) -> datetime | None:
        return datetime.fromisoformat(value[key]) if value.get(key) else None

    return StepRecord(
        name=value["name"],
        status=StepStatus(value["status"]),
        attempts=value["attempts"],
        sends=value["sends"],
        started_at=datetime.fromisoformat(value["started_at"]),
        due_at=instant("due_at"),
        decided_at=instant("decided_at"),
        outcome=value.get("outcome"),
        message_ids=tuple(value.get("message_ids", ())),
    )


def saga_row(saga: Saga) -> dict[str, Any]:
    data = saga.data
    return {
        "saga_id": saga.saga_id,
        "kind": saga.kind,
        "definition_version": saga.definition_version,
        "state": str(saga.state),
        "phase": str(saga.phase),
        "data": data.model_dump(mode="json"),
        "steps": [_step_to_json(s) for s in saga.steps.values()],
        "compensations": list(saga.compensations) if saga.compensations is not None else None,
        "seen_message_ids": list(saga.seen_message_ids),
        "version": saga.revision,
        "idempotency_key": saga.idempotency_key,
        "agency_id": data.agency_id,
        "agent_id": data.agent_id,
        "client_id": data.client_id,
        "hotel_id": data.hotel_id,
        "created_at": naive_utc(saga.created_at),
        "updated_at": naive_utc(saga.updated_at),
        "next_deadline_at": naive_utc(saga.next_deadline_at),
        "failure_reason": saga.failure_reason,
    }


def saga_document(saga: Saga) -> dict[str, Any]:
    """The saga as others read it (the API's `GET /sagas/{id}` without its history, and the
    snapshot on each progress event), in JSON types."""
    row = saga_row(saga)
    hidden = ("seen_message_ids", "version", "created_at", "updated_at", "next_deadline_at")
    return {
        **{name: value for name, value in row.items() if name not in hidden},
        "created_at": saga.created_at.isoformat(),
        "updated_at": saga.updated_at.isoformat(),
        "next_deadline_at": saga.next_deadline_at and saga.next_deadline_at.isoformat(),
        "revision": saga.revision,
        "terminal": saga.terminal,  # whether nothing more will happen to it
    }


def saga_from_row(row: Mapping[Any, Any]) -> Saga:
    steps = [_step_from_json(s) for s in row["steps"]]
    compensations = row["compensations"]
    return Saga(
        saga_id=row["saga_id"],
        kind=row["kind"],
        definition_version=row["definition_version"],
        idempotency_key=row["idempotency_key"],
        state=SagaState(row["state"]),
        phase=Phase(row["phase"]),
        data=BookingData.model_validate(row["data"]),
        created_at=aware(row["created_at"]),  # type: ignore[arg-type]
        updated_at=aware(row["updated_at"]),  # type: ignore[arg-type]
        steps={s.name: s for s in steps},
        compensations=tuple(compensations) if compensations is not None else None,
        failure_reason=row["failure_reason"],
        seen_message_ids=tuple(row["seen_message_ids"]),
        revision=row["version"],
    )


def history_rows(decision: Decision, at: datetime) -> list[dict[str, Any]]:
    return [
        {
            "saga_id": decision.saga.saga_id,
            "at": naive_utc(at),
            "direction": entry.direction,
            "message_type": entry.message_type,
            "message_id": entry.message_id,
            "payload": entry.payload,
            "attempt": entry.attempt,
            "note": (entry.note or "")[:500] or None,
        }
        for entry in decision.history
    ]


def outbox_rows(decision: Decision, causation_id: str | None, at: datetime) -> list[dict[str, Any]]:
    """What the decision sends that must arrive: its commands and its public events, stored
    with the saga and published from the outbox until the broker confirms them."""
    saga = decision.saga
    rows = [
        # Stamped with the revision that decided it: the participants' order for this saga.
        _message_row(
            saga,
            command.message_id,
            COMMANDS,
            str(command.service),
            command.command,
            causation_id,
            at,
            saga.revision,
        )
        for command in decision.commands
    ]
    rows += [
        _message_row(
            saga, event.message_id, PUBLIC, event.public_name, event.event, causation_id, at
        )
        for event in decision.events
        if event.public_name is not None
    ]
    rows += [  # addressed to the saga that asked: its envelope names that saga
        _message_row(
            saga,
            reply.message_id,
            REPLIES,
            REPLIES_ROUTING_KEY,
            reply.reply,
            reply.causation_id,
            at,
            to_saga=reply.to_saga,
        )
        for reply in decision.replies
    ]
    return rows


def progress_rows(decision: Decision, topology: Topology, at: datetime) -> list[dict[str, Any]]:
    """The decision's progress events, each with the saga as the decision left it. They are for
    screens, not for correctness: never stored, published once after the commit as transient
    messages; a screen that missed one reads the stored saga (the web's events stream does)."""
    saga = decision.saga
    rows = []
    for event in decision.events:
        if event.public_name is None:
            progressed = event.event
            if isinstance(progressed, SagaProgressed):
                progressed = progressed.model_copy(update={"saga": saga_document(saga)})
            routing_key = topology.progress_routing_key(saga.kind)
            rows.append(
                _message_row(saga, event.message_id, EVENTS, routing_key, progressed, None, at)
            )
    return rows


def _message_row(
    saga: Saga,
    message_id: str,
    exchange: str,
    routing_key: str,
    message: Any,
    causation_id: str | None,
    at: datetime,
    sequence: int | None = None,
    to_saga: str | None = None,
) -> dict[str, Any]:
    return {
        "message_id": message_id,
        "saga_id": to_saga or saga.saga_id,
        "exchange": exchange,
        "routing_key": routing_key,
        "message_type": message.message_type,
        "body": message.model_dump_json(),
        "causation_id": causation_id,
        "occurred_at": naive_utc(at),
        "sequence": sequence,
        "created_at": naive_utc(at),
        "sent_at": None,
        # The traceparent of the message that caused it (or of the work at hand), when tracing.
        "traceparent": traceparent_for(causation_id),
    }
