"""One trace per saga: every process of a platform of its own exports to a collector in this
test (`OtlpReceiver`), as it would to Jaeger, and one booking is followed through it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from tests.e2e.agent_client import AgentClient, stay
from tests.support.otlp_receiver import OtlpReceiver, ReceivedSpan
from tests.support.platform import SPECS, Platform, own_platform
from tests.support.servers import Server

pytestmark = pytest.mark.e2e
SAGA_ID = "booking.saga_id"
TOUCHED = {"web", "orchestrator", "rooms", "clients", "reservations"}
TRACE_UI = "http://traces.test/trace/{trace_id}"
# The saga's last reply: once its processing is exported, every process has had its turn.
LAST_REPLY = "rooms.HoldConfirmed.v1"
EXPORTED_WITHIN_SECONDS = 30.0


@pytest.fixture(scope="module")
def receiver() -> Iterator[OtlpReceiver]:
    with OtlpReceiver() as running:
        yield running


@pytest.fixture(scope="module")
def traced(
    receiver: OtlpReceiver, amqp_url: str, mysql_server: Server, mongodb_server: Server
) -> Iterator[Platform]:
    settings = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url,
        "OTEL_BSP_SCHEDULE_DELAY": "100",  # export every 100 ms, not every 5 s
        "TRACING_UI_URL": TRACE_UI,
    }
    start = (*(spec.name for spec in SPECS), "dashboard")
    with own_platform(
        "tr", amqp_url, mysql_server.url, mongodb_server.url, settings, start
    ) as running:
        yield running


@pytest.fixture
async def agent(traced: Platform) -> AsyncIterator[AgentClient]:
    async with AgentClient.signed_in(traced.url("web"), "agent", "agent-demo") as client:
        yield client


def in_trace(spans: list[ReceivedSpan], trace_id: str) -> list[ReceivedSpan]:
    return [span for span in spans if span.trace_id == trace_id]


def saga_ended(trace_id: str) -> Any:
    def ended(spans: list[ReceivedSpan]) -> bool:
        return any(
            span.service == "orchestrator"
            and span.name.endswith(" process")
            and span.attributes.get("booking.message_type") == LAST_REPLY
            for span in in_trace(spans, trace_id)
        )

    return ended


def every_process_in(trace_id: str) -> Any:
    def complete(spans: list[ReceivedSpan]) -> bool:
        trace = in_trace(spans, trace_id)
        for service in TOUCHED:
            kinds = {span.kind for span in trace if span.service == service}
            needed = {"CLIENT"} if service == "web" else {"CLIENT", "CONSUMER", "PRODUCER"}
            if not needed <= kinds:
                return False
        return True

    return complete


async def test_one_booking_is_one_trace_across_every_process_without_personal_data(
    agent: AgentClient, traced: Platform, receiver: OtlpReceiver
) -> None:
    suffix = uuid.uuid4().hex[:10]
    person = {
        "first_name": "Adjoa",
        "last_name": f"Traced{suffix}",
        "email": f"adjoa.{suffix}@example.org",
        "phone": f"+2289{int(suffix, 16) % 10**7:07d}",
        "nationality": "TG",
    }
    created = await agent.http.post("/api/clients", json=person)
    assert created.status_code == 201, created.text
    # A search by name puts the name in a query string, which no span may keep.
    found = await agent.http.get("/api/clients", params={"q": person["last_name"]})
    assert found.status_code == 200
    check_in, check_out = stay(61)
    offer = (await agent.availability(check_in, check_out, city="Paris", guests=2))[0]
    submitted = await agent.book_offer(offer, created.json()["id"], check_in, check_out, 2)
    assert submitted.status_code == 202, submitted.text
    booking_id = submitted.json()["booking_id"]
    assert (await agent.outcome(booking_id))["status"] == "CONFIRMED"

    def started(spans: list[ReceivedSpan]) -> bool:
        return any(_starts(span, booking_id) for span in spans)

    assert receiver.wait_for(started, EXPORTED_WITHIN_SECONDS), "no span for POST /api/bookings"
    (request,) = [span for span in receiver.spans if _starts(span, booking_id)]
    trace_id = request.trace_id
    ended = receiver.wait_for(saga_ended(trace_id), EXPORTED_WITHIN_SECONDS)
    assert ended, _described(in_trace(receiver.spans, trace_id))
    # Each process exports on its own schedule: a participant's reply span may arrive after
    # the orchestrator's. Wait until every process's part is in (the checks below say which
    # part is missing if it never comes).
    receiver.wait_for(every_process_in(trace_id), EXPORTED_WITHIN_SECONDS)
    trace = in_trace(receiver.spans, trace_id)

    by_service = {service: [s for s in trace if s.service == service] for service in TOUCHED}
    missing = [service for service, spans in by_service.items() if not spans]
    assert not missing, f"not in the trace: {missing}"
    for service, spans in by_service.items():
        kinds = {span.kind for span in spans}
        assert "CLIENT" in kinds and any("db.system" in s.attributes for s in spans), service
        assert any(s.attributes.get(SAGA_ID) == booking_id for s in spans), service
        if service != "web":
            assert {"CONSUMER", "PRODUCER"} <= kinds, f"{service}: {kinds}"
    assert request.kind == "SERVER" and request.attributes.get(SAGA_ID) == booking_id
    messaging = [s for s in trace if s.kind in ("PRODUCER", "CONSUMER")]
    assert {s.attributes.get(SAGA_ID) for s in messaging} == {booking_id}, _described(messaging)
    stores = {s.attributes["db.system"] for s in trace if "db.system" in s.attributes}
    assert {"mysql", "mongodb"} <= stores
    outside = [s for s in receiver.spans if s.trace_id != trace_id and _about(s, booking_id)]
    assert not outside, _described(outside)

    private = [person[name] for name in ("first_name", "last_name", "email", "phone")]
    leaks = [
        (span.service, span.name, text)
        for span in receiver.spans
        for text in span.texts()
        if any(value in text for value in private)
    ]
    assert not leaks, leaks

    # The operators' saga page links to this very trace.
    async with AgentClient.signed_in(traced.url("dashboard"), "operator", "operator-demo") as ops:
        saga = (await ops.http.get(f"/api/ops/sagas/{booking_id}")).json()
    assert saga["trace_id"] == trace_id
    assert saga["trace_url"] == TRACE_UI.replace("{trace_id}", trace_id)


def _starts(span: ReceivedSpan, booking_id: str) -> bool:
    return span.service == "web" and span.kind == "SERVER" and _about(span, booking_id)


def _about(span: ReceivedSpan, booking_id: str) -> bool:
    return span.attributes.get(SAGA_ID) == booking_id


def _described(spans: list[ReceivedSpan]) -> str:
    return "\n".join(
        f"{s.service:>12} {s.kind:<8} {s.name} {s.trace_id} {s.span_id} <- {s.parent_span_id} "
        f"{s.attributes}"
        for s in spans
    )


async def test_a_passed_deadline_and_the_command_sent_again_stay_in_the_sagas_trace(
    agent: AgentClient, traced: Platform, receiver: OtlpReceiver
) -> None:
    check_in, check_out = stay(62)
    offer = (await agent.availability(check_in, check_out, city="Paris", guests=2))[0]
    client_id = await agent.new_client()
    traced.pause("reservations")  # its WriteReservation goes unanswered past its deadline
    try:
        submitted = await agent.book_offer(offer, client_id, check_in, check_out, 2)
        booking_id = submitted.json()["booking_id"]

        def resent(spans: list[ReceivedSpan]) -> bool:
            trace = [s for s in spans if _about(s, booking_id)]
            sends = [s for s in trace if s.name.endswith("booking.commands,reservations send")]
            return len({s.trace_id for s in trace}) == 1 and len(sends) >= 2

        assert receiver.wait_for(resent, EXPORTED_WITHIN_SECONDS), _described(
            [s for s in receiver.spans if _about(s, booking_id)]
        )
    finally:
        traced.resume("reservations")
    assert (await agent.outcome(booking_id))["status"] == "CONFIRMED"
    (request,) = [span for span in receiver.spans if _starts(span, booking_id)]
    trace = in_trace(receiver.spans, request.trace_id)
    deadlines = [s for s in trace if s.name == "saga deadline passed"]
    assert deadlines and all(s.service == "orchestrator" for s in deadlines), _described(trace)
    assert all(_about(s, booking_id) for s in deadlines)
    passed = {s.span_id for s in deadlines}
    resends = [s for s in trace if s.parent_span_id in passed and s.kind == "PRODUCER"]
    assert resends, _described(trace)
