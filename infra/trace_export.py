"""The OpenTelemetry SDK of a process that traces (`infra.tracing.configure_tracing`): its
provider, the instrumentations, what is sampled, and what never leaves in a span.

Imported only when tracing is on: a process that does not trace never loads the SDK.

- Sampling: a span with a parent follows it; a root span is kept unless it is a CLIENT span.
  A store statement or an HTTP call that nothing caused is housekeeping (the outbox's sent
  marks every 100 ms, an inbox heartbeat, a health probe's `SELECT 1`); one per trace would
  bury the sagas' traces.
- The saga: a span started where a saga is at hand (`infra.tracing.SAGA_KEY` in its context)
  gets `booking.saga_id`; so does an aio-pika span, from the AMQP correlation id, which is the
  saga id on this platform (`contracts/envelope.py`).
- Privacy: no span attribute may hold personal data. SQL is recorded without its parameters
  (the instrumentations' default, kept: no sqlcommenter, pymongo without `capture_statement`),
  and before export every span loses its URLs' query strings (a client search's words), its
  callers' addresses, its status description and its exceptions' messages and stack traces
  (a driver's error can quote the row it refused); the exception's type stays.
- Propagation: W3C trace context only; no baggage is taken from a caller or passed on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from opentelemetry import context, propagate, trace
from opentelemetry.context import Context
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.aio_pika import AioPikaInstrumentor
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.instrumentation.pymongo import PymongoInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.sampling import (
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
)
from opentelemetry.trace import Link, SpanKind, Status, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.util.types import Attributes

from infra.tracing import SAGA_ID, SAGA_KEY

CORRELATION_ID = "messaging.conversation_id"
# The probes are polled every few seconds and say nothing of a saga.
NOT_TRACED_URLS = r"^https?://[^/]+/(health|metrics)$"
URL_ATTRIBUTES = ("http.url", "url.full", "http.target")
DROPPED_ATTRIBUTES = frozenset(
    {"url.query", "http.client_ip", "client.address", "net.peer.ip", "net.sock.peer.addr"}
)
# On a server span the peer is the caller (an agent's browser).
CALLER_ATTRIBUTES = frozenset({"network.peer.address", "net.sock.peer.addr"})
KEPT_EXCEPTION_ATTRIBUTES = frozenset({"exception.type", "exception.escaped"})


def install(service: str, app: FastAPI, endpoint: str) -> Tracer:
    """Install the SDK for `service`, exporting to the collector at `endpoint` (OTLP/HTTP),
    and instrument `app` and the libraries; the tracer for spans written by hand."""
    provider = TracerProvider(
        resource=Resource.create({"service.name": service}),
        sampler=ParentBased(root=CausedRoots()),
    )
    provider.add_span_processor(SagaIds())
    exporter = OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces")
    provider.add_span_processor(BatchSpanProcessor(PrivateSpans(exporter)))
    trace.set_tracer_provider(provider)
    propagate.set_global_textmap(TraceContextTextMapPropagator())
    AioPikaInstrumentor().instrument(tracer_provider=provider)
    SQLAlchemyInstrumentor().instrument(tracer_provider=provider)
    PymongoInstrumentor().instrument(tracer_provider=provider)
    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=provider,
        excluded_urls=NOT_TRACED_URLS,
        exclude_spans=["receive", "send"],  # a span per ASGI message is noise
    )
    return provider.get_tracer("booking-platform")


class CausedRoots(Sampler):
    """Every root span but a CLIENT one (module docstring: housekeeping)."""

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: Any = None,
    ) -> SamplingResult:
        if kind == SpanKind.CLIENT:
            return SamplingResult(Decision.DROP)
        return SamplingResult(Decision.RECORD_AND_SAMPLE, attributes)

    def get_description(self) -> str:
        return "CausedRoots"


class SagaIds(SpanProcessor):
    """`booking.saga_id` on each span started where a saga is at hand."""

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        attributes = span.attributes or {}
        if SAGA_ID in attributes:
            return
        saga_id = context.get_value(SAGA_KEY, parent_context)
        if saga_id is None and span.kind in (SpanKind.PRODUCER, SpanKind.CONSUMER):
            saga_id = attributes.get(CORRELATION_ID)
        if isinstance(saga_id, str):
            span.set_attribute(SAGA_ID, saga_id)


class PrivateSpans(SpanExporter):
    """Exports through `exporter` each span as `private` leaves it."""

    def __init__(self, exporter: SpanExporter) -> None:
        self._exporter = exporter

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self._exporter.export([private(span) for span in spans])

    def shutdown(self) -> None:
        self._exporter.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._exporter.force_flush(timeout_millis)


def private(span: ReadableSpan) -> ReadableSpan:
    """The span without what may hold personal data (module docstring)."""
    dropped = DROPPED_ATTRIBUTES | (CALLER_ATTRIBUTES if span.kind == SpanKind.SERVER else set())
    attributes = {
        name: value.split("?", 1)[0] if name in URL_ATTRIBUTES and isinstance(value, str) else value
        for name, value in (span.attributes or {}).items()
        if name not in dropped
    }
    events = [
        event
        if event.name != "exception"
        else type(event)(
            event.name,
            {k: v for k, v in (event.attributes or {}).items() if k in KEPT_EXCEPTION_ATTRIBUTES},
            event.timestamp,
        )
        for event in span.events
    ]
    return ReadableSpan(
        name=span.name,
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=attributes,
        events=events,
        links=span.links,
        kind=span.kind,
        status=Status(span.status.status_code),
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )
