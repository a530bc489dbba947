"""A trace collector for tests and the bench: OTLP/HTTP (protobuf) on a local port.

The platform's processes are separate OS processes, so an in-memory exporter inside each could
not be read by a test; instead each exports as it would to Jaeger, to this receiver, which
keeps every span in memory (`spans`, `wait_for`). With `keep=False` it is a sink that only
counts what it was sent (the bench's tracing run, where decoding would take CPU from the
system it measures): `python -m tests.support.otlp_receiver --port N`.
"""

from __future__ import annotations

import argparse
import gzip
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

TRACES_PATH = "/v1/traces"
KINDS = {0: "UNSPECIFIED", 1: "INTERNAL", 2: "SERVER", 3: "CLIENT", 4: "PRODUCER", 5: "CONSUMER"}


@dataclass(frozen=True)
class ReceivedSpan:
    service: str
    trace_id: str
    span_id: str
    parent_span_id: str
    name: str
    kind: str
    attributes: dict[str, Any]
    # Each event's name and attributes, and the links' trace ids.
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    linked_trace_ids: list[str] = field(default_factory=list)
    status_message: str = ""

    def texts(self) -> Iterator[str]:
        """Every string this span would show a person: its name, its attributes', events' and
        status' text."""
        yield self.name
        yield self.status_message
        for attributes in (self.attributes, *(event for _, event in self.events)):
            for name, value in attributes.items():
                yield name
                yield str(value)


def decode(body: bytes) -> list[ReceivedSpan]:
    request = ExportTraceServiceRequest.FromString(body)
    spans = []
    for resource_spans in request.resource_spans:
        resource = _attributes(resource_spans.resource.attributes)
        service = str(resource.get("service.name", ""))
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                spans.append(
                    ReceivedSpan(
                        service=service,
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_span_id=span.parent_span_id.hex(),
                        name=span.name,
                        kind=KINDS.get(span.kind, str(span.kind)),
                        attributes=_attributes(span.attributes),
                        events=[(e.name, _attributes(e.attributes)) for e in span.events],
                        linked_trace_ids=[link.trace_id.hex() for link in span.links],
                        status_message=span.status.message,
                    )
                )
    return spans


def _attributes(pairs: Any) -> dict[str, Any]:
    return {pair.key: _value(pair.value) for pair in pairs if isinstance(pair, KeyValue)}


def _value(value: AnyValue) -> Any:
    which = value.WhichOneof("value")
    if which == "array_value":
        return [_value(item) for item in value.array_value.values]
    if which == "kvlist_value":
        return _attributes(value.kvlist_value.values)
    return None if which is None else getattr(value, which)


class OtlpReceiver:
    """`with OtlpReceiver() as receiver:` a collector at `receiver.url` until the block ends."""

    def __init__(self, port: int = 0, keep: bool = True) -> None:
        self.spans: list[ReceivedSpan] = []
        self.requests = 0
        self.received_bytes = 0
        self._keep = keep
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> OtlpReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait_for(self, found: Callable[[list[ReceivedSpan]], bool], within: float) -> bool:
        """Block until `found(spans)` holds (checked on each export), or `within` seconds."""
        deadline = time.monotonic() + within
        with self._changed:
            while not found(list(self.spans)):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
            return True

    def _received(self, body: bytes) -> None:
        spans = decode(body) if self._keep else []
        with self._changed:
            self.requests += 1
            self.received_bytes += len(body)
            self.spans.extend(spans)
            self._changed.notify_all()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                if self.path != TRACES_PATH:
                    self.send_error(404)
                    return
                receiver._received(body)
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # a line per export would drown the test's output

        return Handler


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.support.otlp_receiver")
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    with OtlpReceiver(port, keep=False) as receiver:
        print(f"OTLP sink at {receiver.url}", flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
