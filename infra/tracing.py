"""One trace per saga: OpenTelemetry in every process, off unless an OTLP endpoint is set.

Off (`OTEL_EXPORTER_OTLP_ENDPOINT` unset), nothing is installed: no SDK tracer provider, no
instrumentation, the API's default no-op; every helper below returns at its first line, so
the hot path builds no span and no attribute.

On (`configure_tracing`, once per process before it serves; `infra.trace_export` installs the
SDK), spans come from the official instrumentations: FastAPI (each HTTP request), HTTPX (the
web's calls to the services), SQLAlchemy (the statements it runs), pymongo (the reservations
store, under motor) and aio-pika (each publish, which carries the W3C `traceparent` in the AMQP
headers, and each delivery's `receive`, under the context those headers carry). Written here
only what no instrumentation can see:
- a message's `process` span. The consumers hand each delivery to a batch worker
  (`infra/runtime.py`), so aio-pika's `receive` span ends as the delivery is queued; the
  delivery keeps that span's context, and its consumer opens the `process` span under it
  (`processing`, or `BatchSpans` for a batch sharing one transaction);
- statements sent straight to asyncmy or aiosqlite (`infra/stores/driver_sql.py`), drivers no
  instrumentation covers (`statement`);
- the outbox: the orchestrator publishes a command after its commit, maybe from the relay after
  a restart. Each outbox row keeps the `traceparent` of the message that caused it
  (`traceparent_for`), and is published under it (`resumed`), so the command continues the
  trace of its cause however late it leaves.
The saga id is the `booking.saga_id` attribute of every span that belongs to one saga.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

from opentelemetry import context, trace
from opentelemetry.context import Context
from opentelemetry.trace import Link, Span, SpanKind, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from contracts.envelope import Envelope

if TYPE_CHECKING:
    from fastapi import FastAPI

SAGA_ID = "booking.saga_id"
MESSAGE_TYPE = "booking.message_type"
SAGA_KEY = context.create_key("booking-saga-id")
T = TypeVar("T")
_NOTHING: AbstractContextManager[None] = nullcontext()
_PROPAGATOR = TraceContextTextMapPropagator()
# The process span's traceparent of each message of the batch being handled, by message id.
_CAUSES: ContextVar[Mapping[str, str]] = ContextVar("trace_causes", default=MappingProxyType({}))


class _Tracing:
    """Whether this process traces (set once, at start); a module's state because the
    OpenTelemetry API it stands for is process-wide by design."""

    enabled = False
    tracer: Tracer = trace.NoOpTracer()


_state = _Tracing()


def configure_tracing(service: str, app: FastAPI, endpoint: str | None) -> bool:
    """Trace this process as `service` when `endpoint` (OTEL_EXPORTER_OTLP_ENDPOINT, the
    collector's OTLP/HTTP base URL) is set; whether it does. Nothing is imported or installed
    otherwise."""
    if not endpoint or _state.enabled:
        return _state.enabled
    from infra.trace_export import install

    _state.tracer = install(service, app, endpoint)
    _state.enabled = True
    return True


def enabled() -> bool:
    return _state.enabled


def current_context() -> Context | None:
    """The context a delivery arrived in (aio-pika's receive span), to handle it under."""
    return context.get_current() if _state.enabled else None


def traceparent_of(span_context: Context) -> str | None:
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier, span_context)
    return carrier.get("traceparent")


def trace_id_of(traceparent: str) -> str:
    """The 32 hex digits of a traceparent's trace id."""
    return traceparent.split("-")[1]


def traceparent_for(causation_id: str | None) -> str | None:
    """What an outbox row keeps: the traceparent of the message that caused it, or of the span
    at hand; None when not tracing."""
    if not _state.enabled:
        return None
    if causation_id is not None and (found := _CAUSES.get().get(causation_id)):
        return found
    return traceparent_of(context.get_current())


def resumed(traceparent: str | None, saga_id: str | None = None) -> AbstractContextManager[None]:
    """Work under a stored traceparent (an outbox row's), in the saga `saga_id`."""
    if not _state.enabled or traceparent is None:
        return _NOTHING
    return _attached(_stored(traceparent, saga_id))


def resumed_span(
    name: str, traceparent: str | None, saga_id: str, link_current: bool = False
) -> AbstractContextManager[None]:
    """A span of the saga's own trace (under its latest stored traceparent) for work no message
    caused: a passed deadline, an operator's action (linked to the request that asked)."""
    if not _state.enabled:
        return _NOTHING
    parent = _stored(traceparent, saga_id) if traceparent else _with_saga(Context(), saga_id)
    current = trace.get_current_span().get_span_context()
    links = [Link(current)] if link_current and current.is_valid else []
    span = _state.tracer.start_span(name, parent, attributes={SAGA_ID: saga_id}, links=links)
    return _in_span(span, parent)


def about_saga(saga_id: str) -> AbstractContextManager[None]:
    """Mark the spans started in the block (a publish, say) as the saga's."""
    if not _state.enabled:
        return _NOTHING
    return _attached(_with_saga(context.get_current(), saga_id))


def tag_saga(saga_id: str) -> None:
    """Name the saga on the span at hand (the web's request that starts it)."""
    if _state.enabled and (span := trace.get_current_span()).is_recording():
        span.set_attribute(SAGA_ID, saga_id)


def processing(
    parent: Context | None, queue: str, envelope: Envelope
) -> AbstractContextManager[None]:
    """The process span of one message, under the context its delivery arrived in."""
    if not _state.enabled:
        return _NOTHING
    span = _process_span(parent, queue, envelope, 1)
    within = parent if parent is not None else context.get_current()
    return _in_span(span, _with_saga(within, envelope.saga_id))


def statement(sql: str, system: str) -> AbstractContextManager[object]:
    """A span for one statement sent straight to the driver: the SQL text is recorded (its
    values are parameters, never in it), the parameters are not."""
    if not _state.enabled:
        return _NOTHING
    return _state.tracer.start_as_current_span(
        _statement_name(sql),
        kind=SpanKind.CLIENT,
        attributes={"db.system": system, "db.statement": sql[:2000]},
    )


class BatchSpans:
    """A batch's spans: each message's process span in its own trace, and the batch's span
    (its one transaction, the statements in it) under the first message's, linked to all.

    In the block, outbox rows find the traceparent of the message that caused them
    (`traceparent_for`); `of` and `run` put one message's span back in hand (its reply's
    publish, its one-by-one handling)."""

    def __init__(self, queue: str, items: Sequence[tuple[Context | None, Envelope]]) -> None:
        self._spans: list[Span] = []
        self._contexts: dict[str, Context] = {}
        for parent, envelope in items:
            if envelope.message_id in self._contexts:
                continue  # a copy in the same batch is handled with the first
            span = _process_span(parent, queue, envelope, len(items))
            self._spans.append(span)
            within = _with_saga(Context() if parent is None else parent, envelope.saga_id)
            self._contexts[envelope.message_id] = trace.set_span_in_context(span, within)
        first = next(iter(self._contexts.values()))
        self._batch = _state.tracer.start_span(
            f"{queue} batch",
            first,
            attributes={"messaging.batch.message_count": len(items)},
            links=[Link(span.get_span_context()) for span in self._spans],
        )
        causes = {key: traceparent_of(ctx) for key, ctx in self._contexts.items()}
        self._causes = {key: value for key, value in causes.items() if value}
        self._tokens: list[Any] = []

    def __enter__(self) -> BatchSpans:
        self._tokens = [
            context.attach(trace.set_span_in_context(self._batch, Context())),
            _CAUSES.set(self._causes),
        ]
        return self

    def __exit__(self, *exc_info: object) -> None:
        attached, causes = self._tokens
        _CAUSES.reset(causes)
        context.detach(attached)
        self._batch.end()
        for span in self._spans:
            span.end()

    def of(self, message_id: str) -> AbstractContextManager[None]:
        found = self._contexts.get(message_id)
        return _NOTHING if found is None else _attached(found)

    def run(self, message_id: str, work: Awaitable[T]) -> Awaitable[T]:
        """`work` under the message's span, for `asyncio.gather` (each task has its own)."""
        return self._run(message_id, work)

    async def _run(self, message_id: str, work: Awaitable[T]) -> T:
        with self.of(message_id):
            return await work


class _NoBatch(BatchSpans):
    def __init__(self) -> None:  # no span: tracing is off
        pass

    def __enter__(self) -> BatchSpans:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass

    def of(self, message_id: str) -> AbstractContextManager[None]:
        return _NOTHING

    def run(self, message_id: str, work: Awaitable[T]) -> Awaitable[T]:
        return work


NO_BATCH: BatchSpans = _NoBatch()


def batch_spans(queue: str, items: Sequence[tuple[Context | None, Envelope]]) -> BatchSpans:
    return BatchSpans(queue, items) if _state.enabled and items else NO_BATCH


def _process_span(parent: Context | None, queue: str, envelope: Envelope, count: int) -> Span:
    attributes: dict[str, str | int] = {
        "messaging.system": "rabbitmq",
        "messaging.operation": "process",
        "messaging.destination.name": queue,
        "messaging.message.id": envelope.message_id,
        SAGA_ID: envelope.saga_id,
        MESSAGE_TYPE: envelope.message_type,
    }
    if count > 1:
        attributes["messaging.batch.message_count"] = count
    return _state.tracer.start_span(
        f"{queue} process", parent, kind=SpanKind.CONSUMER, attributes=attributes
    )


def _stored(traceparent: str, saga_id: str | None) -> Context:
    # From an empty context: what is resumed is the stored trace alone, not whatever is at
    # hand (a batch's span, a periodic job's context).
    stored = _PROPAGATOR.extract({"traceparent": traceparent}, Context())
    return stored if saga_id is None else _with_saga(stored, saga_id)


def _with_saga(within: Context, saga_id: str) -> Context:
    return context.set_value(SAGA_KEY, saga_id, within)


@contextmanager
def _attached(attached: Context) -> Iterator[None]:
    token = context.attach(attached)
    try:
        yield
    finally:
        context.detach(token)


@contextmanager
def _in_span(span: Span, within: Context) -> Iterator[None]:
    token = context.attach(trace.set_span_in_context(span, within))
    try:
        with trace.use_span(span, end_on_exit=True):
            yield
    finally:
        context.detach(token)


@lru_cache(maxsize=512)
def _statement_name(sql: str) -> str:
    """`SELECT sagas`, `INSERT outbox`: the operation and the first table named."""
    words = sql.split()
    operation = words[0].upper() if words else "SQL"
    upper = [word.upper() for word in words]
    for keyword in ("INTO", "FROM", "UPDATE"):
        if keyword in upper and upper.index(keyword) + 1 < len(words):
            return f"{operation} {words[upper.index(keyword) + 1].strip('`(,')}"
    return operation
