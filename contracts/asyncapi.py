"""The platform's AsyncAPI 3 document, generated from the message models in `contracts/`.

What another system may rely on: the public booking events (CloudEvents 1.0 on the
`booking.events` topic exchange), and the partners' channel (requests a partner publishes to
`partners.requests`; the answers and outcomes it reads, as CloudEvents, from its own queue
`partner.<agency_id>.outcomes`). Each message's payload schema is its pydantic model's JSON
schema, so the document cannot drift from what is published; `PUBLIC_SCHEMAS_LOCK` holds a
digest of each public message's schema under its versioned type, and the contract test fails
when a schema changes while its type (`...v1`) stays the same.

`python -m contracts.asyncapi` rewrites docs/asyncapi.json; `--lock` also records the
digests of new message versions (never overwrite an existing version's digest: publish a
`.v2` instead).
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from contracts.asyncapi_examples import BOOKING_ID, EXAMPLES, PARTNER_EXAMPLES
from contracts.base import Message
from contracts.events import (
    CLOUDEVENTS_CONTENT_TYPE,
    PUBLIC_EVENTS,
    BookingCancelled,
    BookingConfirmed,
    BookingFailed,
    CloudEvent,
    PublicEvent,
)
from contracts.partners import PARTNER_EVENTS, PARTNER_REQUESTS, PartnerEvent
from contracts.topology import PUBLIC_ROUTING_PREFIX, Topology

# What each public event means, for a model without a docstring of its own (a docstring would
# be part of its schema, which its version fixes).
EVENT_SUMMARIES: dict[type[Message], str] = {
    BookingConfirmed: "A booking is confirmed: its confirmation code, stay, total and currency.",
    BookingFailed: "A booking failed and nothing is held or sold for it; the reason in words.",
    BookingCancelled: "A confirmed booking was cancelled; its nights are free again.",
}
ASYNCAPI_VERSION = "3.1.0"
DOCUMENT_VERSION = "1.0.0"
ROOT = Path(__file__).resolve().parents[1]
DOCUMENT_PATH = ROOT / "docs" / "asyncapi.json"
PUBLIC_SCHEMAS_LOCK = Path(__file__).with_name("public_schemas.lock.json")
SCHEMA_REF = "#/components/schemas/{model}"
EVENTS_EXCHANGE = "booking.events"
# The partners' names without a namespace, as the topology makes them.
_BARE = Topology("")
PARTNER_REQUESTS_EXCHANGE = _BARE.partner_requests.name
PARTNER_QUEUE = _BARE.partner_outcomes_queue("{agencyId}").name
REQUEST_PROPERTIES = (
    "Publish it to `{exchange}` (any routing key) with the AMQP properties `message_id` (the "
    "request's id, unique), `type` `{type}`, `user_id` (your broker user: RabbitMQ checks it "
    "against your login, which is how the platform knows the request is yours) and "
    "`content_type` `application/json`. The answer comes to your queue: "
    "`partners.BookingAccepted.v1` or `partners.BookingRejected.v1` with the reason."
)


def message_name(model: type[Message]) -> str:
    """`booking.BookingConfirmed.v1` -> `BookingConfirmedV1`: a component name per version."""
    _, name, version = model.message_type.rsplit(".", 2)
    return f"{name}{version.upper()}"


def _schema(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, Any]:
    """`model`'s JSON schema with its nested models moved into `schemas`."""
    schema = model.model_json_schema(ref_template=SCHEMA_REF, mode="serialization")
    schemas.update(schema.pop("$defs", {}))
    return schema


def _cloud_event_example(model: type[Message], data: Message, source: str) -> dict[str, Any]:
    event = CloudEvent[model](  # type: ignore[valid-type]
        id="0b7e3c2a-4f1d-4e8b-9a6c-5d2e1f0a3b47",
        source=source,
        type=model.message_type,
        subject=BOOKING_ID,
        time=datetime(2026, 12, 3, 14, 3, 11, tzinfo=UTC),
        data=data,
    )
    return dict(json.loads(event.model_dump_json()))


def _cloud_event_payload(model: type[Message], schemas: dict[str, Any]) -> dict[str, Any]:
    """The schema of `model`'s CloudEvent, its `data` being the model's own schema."""
    schemas[message_name(model)] = _schema(model, schemas)
    envelope = _schema(CloudEvent[model], schemas)  # type: ignore[valid-type]
    envelope["properties"]["type"] = {"const": model.message_type, "type": "string"}
    envelope["properties"]["data"] = {"$ref": SCHEMA_REF.format(model=message_name(model))}
    envelope["title"] = f"CloudEvent of {model.message_type}"
    return envelope


def _message(
    model: type[Message], payload: dict[str, Any], content_type: str, example: dict[str, Any]
) -> dict[str, Any]:
    return {
        "name": message_name(model),
        "title": model.__name__,
        "summary": " ".join((model.__doc__ or EVENT_SUMMARIES.get(model, "")).split()),
        "contentType": content_type,
        "payload": payload,
        "bindings": {
            "amqp": {"messageType": model.message_type, "bindingVersion": "0.3.0"},
        },
        "examples": [example],
    }


def _public_message(model: type[PublicEvent], schemas: dict[str, Any]) -> dict[str, Any]:
    routing_key = f"{PUBLIC_ROUTING_PREFIX}.{model.public_name}"
    example = {
        "name": routing_key,
        "summary": f"On `{routing_key}`.",
        "payload": _cloud_event_example(model, EXAMPLES[model], "/orchestrator"),
    }
    payload = _cloud_event_payload(model, schemas)
    message = _message(model, payload, CLOUDEVENTS_CONTENT_TYPE, example)
    return message | {"x-routing-key": routing_key}


def _partner_event_message(model: type[PartnerEvent], schemas: dict[str, Any]) -> dict[str, Any]:
    example = {
        "name": "outcomes",
        "summary": "On the partner's own queue.",
        "payload": _cloud_event_example(model, PARTNER_EXAMPLES[model], "/partners"),
    }
    payload = _cloud_event_payload(model, schemas)
    return _message(model, payload, CLOUDEVENTS_CONTENT_TYPE, example)


def _partner_request_message(model: type[Message], schemas: dict[str, Any]) -> dict[str, Any]:
    payload = _schema(model, schemas)
    example = {
        "name": "request",
        "summary": f"The body; the AMQP `type` is `{model.message_type}`.",
        "payload": json.loads(PARTNER_EXAMPLES[model].model_dump_json()),
    }
    message = _message(model, payload, "application/json", example)
    said = REQUEST_PROPERTIES.format(exchange=PARTNER_REQUESTS_EXCHANGE, type=model.message_type)
    return message | {"description": said}


def _queue_binding(name: str) -> dict[str, Any]:
    queue = {"name": name, "durable": True, "exclusive": False, "autoDelete": False, "vhost": "/"}
    return {"amqp": {"is": "queue", "queue": queue, "bindingVersion": "0.3.0"}}


def _message_refs(channel: str, names: Iterable[str]) -> list[dict[str, str]]:
    return [{"$ref": f"#/channels/{channel}/messages/{name}"} for name in names]


def _exchange_binding(name: str, kind: str) -> dict[str, Any]:
    return {
        "amqp": {
            "is": "routingKey",
            "exchange": {
                "name": name,
                "type": kind,
                "durable": True,
                "autoDelete": False,
                "vhost": "/",
            },
            "bindingVersion": "0.3.0",
        }
    }


def document() -> dict[str, Any]:
    """The AsyncAPI 3 document of what other systems may publish and subscribe to."""
    schemas: dict[str, Any] = {}
    public = {message_name(m): _public_message(m, schemas) for m in PUBLIC_EVENTS}
    requests = {message_name(m): _partner_request_message(m, schemas) for m in PARTNER_REQUESTS}
    answers = {message_name(m): _partner_event_message(m, schemas) for m in PARTNER_EVENTS}
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "Hotel booking platform: events for other systems",
            "version": DOCUMENT_VERSION,
            "description": (
                "Booking outcomes as CloudEvents 1.0 (structured mode, JSON) on the "
                f"`{EVENTS_EXCHANGE}` topic exchange, routing keys `booking.<outcome>`. Events "
                "carry ids only, never personal data. A subscriber binds a queue of its own to "
                "`booking.#` (or one outcome) with the broker credentials it was given. "
                "Partners (systems that book) publish requests to "
                f"`{PARTNER_REQUESTS_EXCHANGE}` as their own broker user and read the answers "
                "and their bookings' outcomes from their own queue. A message's type names its "
                "version (`.v1`); a changed schema is a new version, published beside the old "
                "one for as long as subscribers need it."
            ),
        },
        "defaultContentType": CLOUDEVENTS_CONTENT_TYPE,
        "servers": {
            "broker": {
                "host": "localhost:5672",
                "protocol": "amqp",
                "protocolVersion": "0-9-1",
                "description": "RabbitMQ. Names are prefixed with the deployment's namespace.",
            }
        },
        "channels": _channels(list(public), list(requests), [*answers, *public]),
        "operations": _operations(list(public), list(requests), [*answers, *public]),
        "components": {
            "messages": public | requests | answers,
            "schemas": dict(sorted(schemas.items())),
        },
    }


def _channels(public: list[str], requests: list[str], outcomes: list[str]) -> dict[str, Any]:
    def messages(names: list[str]) -> dict[str, Any]:
        return {name: {"$ref": f"#/components/messages/{name}"} for name in names}

    return {
        "bookingEvents": {
            "address": EVENTS_EXCHANGE,
            "title": "Booking outcomes",
            "description": "Every booking's outcome: confirmed, failed, changed, cancelled.",
            "messages": messages(public),
            "bindings": _exchange_binding(EVENTS_EXCHANGE, "topic"),
        },
        "partnerRequests": {
            "address": PARTNER_REQUESTS_EXCHANGE,
            "title": "Partners' requests",
            "description": (
                "A partner books or cancels: a JSON body, published as the partner's own "
                "broker user (`user_id`). A request with no partner's user-id is dead-lettered "
                "with the reason; any other bad request is answered with a rejection."
            ),
            "messages": messages(requests),
            "bindings": _exchange_binding(PARTNER_REQUESTS_EXCHANGE, "fanout"),
        },
        "partnerOutcomes": {
            "address": PARTNER_QUEUE,
            "title": "A partner's outcomes",
            "description": (
                "The partner's own queue, which only it may read: the answer to each request, "
                "then the outcome of each of its bookings (the public events, same CloudEvent "
                "ids). Delivered at least once: deduplicate by the CloudEvent id."
            ),
            "parameters": {"agencyId": {"description": "The partner's agency id."}},
            "messages": messages(outcomes),
            "bindings": _queue_binding(PARTNER_QUEUE),
        },
    }


def _operations(public: list[str], requests: list[str], outcomes: list[str]) -> dict[str, Any]:
    return {
        "publishBookingOutcomes": {
            "action": "send",
            "title": "The platform publishes each booking's outcome",
            "channel": {"$ref": "#/channels/bookingEvents"},
            "messages": _message_refs("bookingEvents", public),
        },
        "receivePartnerRequests": {
            "action": "receive",
            "title": "The platform takes a partner's booking and cancellation requests",
            "channel": {"$ref": "#/channels/partnerRequests"},
            "messages": _message_refs("partnerRequests", requests),
        },
        "sendPartnerOutcomes": {
            "action": "send",
            "title": "The platform answers a partner and sends its bookings' outcomes",
            "channel": {"$ref": "#/channels/partnerOutcomes"},
            "messages": _message_refs("partnerOutcomes", outcomes),
        },
    }


def schema_digests(doc: dict[str, Any]) -> dict[str, str]:
    """Each public message's versioned type -> a digest of its payload schema and the schemas
    it refers to (so a change in a nested value type counts too)."""
    schemas = doc["components"]["schemas"]
    digests = {}
    for message in doc["components"]["messages"].values():
        payload = message["payload"]
        closure = {name: schemas[name] for name in sorted(_refs(payload, schemas))}
        canonical = json.dumps([payload, closure], sort_keys=True, separators=(",", ":"))
        digests[message["bindings"]["amqp"]["messageType"]] = hashlib.sha256(
            canonical.encode()
        ).hexdigest()
    return dict(sorted(digests.items()))


def _refs(node: Any, schemas: dict[str, Any], seen: set[str] | None = None) -> set[str]:
    seen = set() if seen is None else seen
    for ref in _ref_strings(node):
        name = ref.rsplit("/", 1)[-1]
        if name not in seen:
            seen.add(name)
            _refs(schemas[name], schemas, seen)
    return seen


def _ref_strings(node: Any) -> Iterable[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _ref_strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _ref_strings(item)


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> None:
    doc = document()
    DOCUMENT_PATH.write_text(render(doc), encoding="utf-8")
    if "--lock" in argv:
        locked = json.loads(PUBLIC_SCHEMAS_LOCK.read_text()) if PUBLIC_SCHEMAS_LOCK.exists() else {}
        for message_type, digest in schema_digests(doc).items():
            locked.setdefault(message_type, digest)
        PUBLIC_SCHEMAS_LOCK.write_text(json.dumps(dict(sorted(locked.items())), indent=2) + "\n")
    print(f"wrote {DOCUMENT_PATH.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
