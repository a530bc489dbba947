"""Tracing's rules, without a collector: off means nothing installed and nothing built; on, what
is sampled, which spans name their saga, and what never leaves in a span (infra/trace_export.py).
The traces of a whole booking are tests/e2e/test_tracing.py's."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry import context
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import Decision, ParentBased
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer

from contracts.envelope import Envelope
from infra import tracing
from infra.trace_export import CausedRoots, PrivateSpans, SagaIds

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]

# Every process's entry point imported, then configured as it is without the variable.
OFF = """
import json, sys
import aio_pika
from fastapi import FastAPI
from opentelemetry import trace
import clients.__main__, orchestrator.__main__, reservations.__main__, rooms.__main__
import web.__main__
from infra.settings import CommonSettings
from infra.tracing import configure_tracing

endpoint = CommonSettings(service_key="k" * 32).otel_exporter_otlp_endpoint
print(json.dumps({
    "endpoint": endpoint,
    "configured": configure_tracing("rooms", FastAPI(), endpoint),
    "provider": type(trace.get_tracer_provider()).__name__,
    "loaded": sorted(
        name for name in sys.modules
        if name.startswith(("opentelemetry.sdk", "opentelemetry.instrumentation"))
    ),
    "publish_wrapped": hasattr(aio_pika.Exchange.publish, "__wrapped__"),
}))
"""


def test_without_an_endpoint_no_tracer_provider_and_no_instrumentation_is_installed() -> None:
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    ran = subprocess.run(
        [sys.executable, "-c", OFF],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    seen = json.loads(ran.stdout.strip().splitlines()[-1])
    assert seen == {
        "endpoint": None,
        "configured": False,
        "provider": "ProxyTracerProvider",  # the API's default: every span a no-op
        "loaded": [],
        "publish_wrapped": False,
    }


def test_when_off_the_hot_path_builds_no_span() -> None:
    assert not tracing.enabled()
    envelope = Envelope.new("rooms.HoldRoom.v1", "saga-1")
    nothing = [
        tracing.processing(None, "rooms.commands", envelope),
        tracing.statement("SELECT 1", "mysql"),
        tracing.about_saga("saga-1"),
        tracing.resumed("00-" + "1" * 32 + "-" + "2" * 16 + "-01", "saga-1"),
        tracing.resumed_span("saga deadline passed", None, "saga-1"),
    ]
    assert all(helper is nothing[0] for helper in nothing), "one shared no-op, nothing built"
    assert tracing.batch_spans("rooms.commands", [(None, envelope)]) is tracing.NO_BATCH
    assert tracing.traceparent_for("message-1") is None
    assert tracing.current_context() is None


@pytest.fixture
def exported() -> Iterator[tuple[Tracer, InMemorySpanExporter]]:
    """A provider of the test's own (never the process's), set up as `install` sets one up."""
    memory = InMemorySpanExporter()
    provider = TracerProvider(sampler=ParentBased(root=CausedRoots()))
    provider.add_span_processor(SagaIds())
    provider.add_span_processor(SimpleSpanProcessor(PrivateSpans(memory)))
    yield provider.get_tracer("test"), memory
    provider.shutdown()


def test_a_store_or_http_call_that_nothing_caused_is_not_traced(
    exported: tuple[Tracer, InMemorySpanExporter],
) -> None:
    tracer, memory = exported
    with tracer.start_as_current_span("UPDATE outbox", kind=SpanKind.CLIENT) as housekeeping:
        assert not housekeeping.is_recording()
    with (
        tracer.start_as_current_span("POST /api/bookings", kind=SpanKind.SERVER),
        tracer.start_as_current_span("INSERT booking_requests", kind=SpanKind.CLIENT),
    ):
        pass
    assert [span.name for span in memory.get_finished_spans()] == [
        "INSERT booking_requests",
        "POST /api/bookings",
    ]
    sampler = CausedRoots()
    for kind in (SpanKind.SERVER, SpanKind.CONSUMER, SpanKind.PRODUCER, SpanKind.INTERNAL):
        assert sampler.should_sample(None, 1, "root", kind).decision == Decision.RECORD_AND_SAMPLE


def test_spans_started_where_a_saga_is_at_hand_name_it(
    exported: tuple[Tracer, InMemorySpanExporter],
) -> None:
    tracer, memory = exported
    with tracer.start_as_current_span("rooms.commands process", kind=SpanKind.CONSUMER):
        token = context.attach(context.set_value(tracing.SAGA_KEY, "saga-7"))
        try:
            with tracer.start_as_current_span("INSERT holds", kind=SpanKind.CLIENT):
                pass
        finally:
            context.detach(token)
    received = {"messaging.conversation_id": "saga-8"}  # aio-pika's: the AMQP correlation id
    with tracer.start_as_current_span("receive", kind=SpanKind.CONSUMER, attributes=received):
        pass
    with tracer.start_as_current_span("GET /health", kind=SpanKind.SERVER):
        pass
    sagas = {
        span.name: (span.attributes or {}).get(tracing.SAGA_ID)
        for span in memory.get_finished_spans()
    }
    assert sagas == {
        "INSERT holds": "saga-7",
        "rooms.commands process": None,  # started before the saga was at hand
        "receive": "saga-8",
        "GET /health": None,
    }


def test_no_query_string_caller_address_error_text_or_stack_leaves_in_a_span(
    exported: tuple[Tracer, InMemorySpanExporter],
) -> None:
    tracer, memory = exported
    attributes = {
        "http.url": "http://web:5000/api/clients?q=Mensah",
        "url.full": "http://clients:5002/clients?q=Mensah&limit=20",
        "http.target": "/api/clients?q=Mensah",
        "url.query": "q=Mensah",
        "client.address": "203.0.113.7",
        "net.peer.ip": "203.0.113.7",
        "http.route": "/api/clients",
    }
    refused = "Duplicate entry 'ama.mensah@example.org' for key 'uq_clients_email'"
    with tracer.start_as_current_span(
        "GET /api/clients", kind=SpanKind.SERVER, attributes=attributes
    ) as span:
        span.record_exception(ValueError(refused))
        span.set_status(Status(StatusCode.ERROR, refused))
    (sent,) = memory.get_finished_spans()
    assert dict(sent.attributes or {}) == {
        "http.url": "http://web:5000/api/clients",
        "url.full": "http://clients:5002/clients",
        "http.target": "/api/clients",
        "http.route": "/api/clients",
    }
    assert sent.status.status_code == StatusCode.ERROR and not sent.status.description
    (error,) = sent.events
    assert dict(error.attributes or {}) == {
        "exception.type": "ValueError",
        "exception.escaped": "False",
    }


@pytest.mark.parametrize(
    ("sql", "name"),
    [
        ("SELECT saga_id, traceparent FROM outbox WHERE saga_id IN (%s, %s)", "SELECT outbox"),
        ("INSERT INTO holds (hold_id, saga_id) VALUES (%s, %s)", "INSERT holds"),
        ("UPDATE sagas SET state = %s WHERE saga_id = %s", "UPDATE sagas"),
        ("\nSELECT 0 AS kind FROM `rooms` r", "SELECT rooms"),
        ("COMMIT", "COMMIT"),
        ("SAVEPOINT inbox_message", "SAVEPOINT"),
    ],
)
def test_a_driver_statement_span_is_named_by_its_operation_and_table(sql: str, name: str) -> None:
    assert tracing._statement_name(sql) == name


def test_a_traceparent_gives_its_trace_id() -> None:
    trace_id = "0af7651916cd43dd8448eb211c80319c"
    assert tracing.trace_id_of(f"00-{trace_id}-b7ad6b7169203331-01") == trace_id
