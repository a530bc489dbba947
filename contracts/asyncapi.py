"""The platform's AsyncAPI 3 document, generated from the message models in `contracts/`.

What another system may rely on: the public booking events (CloudEvents 1.0 on the
`booking.events` topic exchange). Each message's payload schema is its pydantic model's JSON
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
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from contracts.events import (
    CLOUDEVENTS_CONTENT_TYPE,
    PUBLIC_EVENTS,
    BookingCancelled,
    BookingChanged,
    BookingConfirmed,
    BookingFailed,
    CloudEvent,
    PublicEvent,
)
from contracts.topology import PUBLIC_ROUTING_PREFIX
from contracts.values import Stay

ASYNCAPI_VERSION = "3.1.0"
DOCUMENT_VERSION = "1.0.0"
ROOT = Path(__file__).resolve().parents[1]
DOCUMENT_PATH = ROOT / "docs" / "asyncapi.json"
PUBLIC_SCHEMAS_LOCK = Path(__file__).with_name("public_schemas.lock.json")
SCHEMA_REF = "#/components/schemas/{model}"
EVENTS_EXCHANGE = "booking.events"

_STAY = Stay(check_in=date(2027, 1, 12), check_out=date(2027, 1, 14))
_BOOKING = "3f9a2c1e-8d4b-5b7a-9c2e-1a6f0d4b8e21"
_WHERE = {"booking_id": _BOOKING, "agency_id": "agency-lome", "hotel_id": "paris-lumiere"}
# One example of each public event: ids only, as on the broker.
EXAMPLES: dict[type[PublicEvent], PublicEvent] = {
    BookingConfirmed: BookingConfirmed(
        **_WHERE,
        reservation_id="65f1c0de9b1e4a2f8c3d7e10",
        confirmation_code="8FJCQYWU",
        client_id="c-5b2e9f",
        room_type_id="paris-lumiere-standard-double",
        stay=_STAY,
        total=Decimal("420.00"),
        currency="EUR",
    ),
    BookingFailed: BookingFailed(**_WHERE, reason="No room of this type is free for these dates."),
    BookingCancelled: BookingCancelled(**_WHERE, reason="Cancelled at the client's request."),
    BookingChanged: BookingChanged(
        **_WHERE,
        change_id="7c1d4e2a-0b9f-5e3c-8a6d-2f4b1c9e0a57",
        room_type_id="paris-lumiere-deluxe-king",
        stay=Stay(check_in=date(2027, 1, 12), check_out=date(2027, 1, 15)),
        guests=2,
        total=Decimal("690.00"),
        currency="EUR",
    ),
}


def message_name(model: type[PublicEvent]) -> str:
    """`booking.BookingConfirmed.v1` -> `BookingConfirmedV1`: a component name per version."""
    _, name, version = model.message_type.rsplit(".", 2)
    return f"{name}{version.upper()}"


def _schema(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, Any]:
    """`model`'s JSON schema with its nested models moved into `schemas`."""
    schema = model.model_json_schema(ref_template=SCHEMA_REF, mode="serialization")
    schemas.update(schema.pop("$defs", {}))
    return schema


def _cloud_event_example(model: type[PublicEvent]) -> dict[str, Any]:
    event = CloudEvent[model](  # type: ignore[valid-type]
        id="0b7e3c2a-4f1d-4e8b-9a6c-5d2e1f0a3b47",
        source="/orchestrator",
        type=model.message_type,
        subject=_BOOKING,
        time=datetime(2026, 12, 3, 14, 3, 11, tzinfo=UTC),
        data=EXAMPLES[model],
    )
    return dict(json.loads(event.model_dump_json()))


def _public_message(model: type[PublicEvent], schemas: dict[str, Any]) -> dict[str, Any]:
    data_schema = _schema(model, schemas)
    schemas[message_name(model)] = data_schema
    envelope = _schema(CloudEvent[model], schemas)  # type: ignore[valid-type]
    envelope["properties"]["type"] = {"const": model.message_type, "type": "string"}
    envelope["properties"]["data"] = {"$ref": SCHEMA_REF.format(model=message_name(model))}
    envelope["title"] = f"CloudEvent of {model.message_type}"
    routing_key = f"{PUBLIC_ROUTING_PREFIX}.{model.public_name}"
    return {
        "name": message_name(model),
        "title": model.__name__,
        "summary": (model.__doc__ or f"{model.__name__}: a booking event.").strip(),
        "contentType": CLOUDEVENTS_CONTENT_TYPE,
        "payload": envelope,
        "bindings": {
            "amqp": {"messageType": model.message_type, "bindingVersion": "0.3.0"},
        },
        "x-routing-key": routing_key,
        "examples": [
            {
                "name": routing_key,
                "summary": f"On `{routing_key}`.",
                "payload": _cloud_event_example(model),
            }
        ],
    }


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
    messages = {message_name(m): _public_message(m, schemas) for m in PUBLIC_EVENTS}
    refs = [{"$ref": f"#/channels/bookingEvents/messages/{name}"} for name in messages]
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "Hotel booking platform: events for other systems",
            "version": DOCUMENT_VERSION,
            "description": (
                "Booking outcomes as CloudEvents 1.0 (structured mode, JSON) on the "
                f"`{EVENTS_EXCHANGE}` topic exchange, routing keys `booking.<outcome>`. Events "
                "carry ids only, never personal data. A subscriber binds a queue of its own to "
                "`booking.#` (or one outcome) with the broker credentials it was given. A "
                "message's type names its version (`.v1`); a changed schema is a new version, "
                "published beside the old one for as long as subscribers need it."
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
        "channels": {
            "bookingEvents": {
                "address": EVENTS_EXCHANGE,
                "title": "Booking outcomes",
                "description": "Every booking's outcome: confirmed, failed, changed, cancelled.",
                "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in messages},
                "bindings": _exchange_binding(EVENTS_EXCHANGE, "topic"),
            }
        },
        "operations": {
            "publishBookingOutcomes": {
                "action": "send",
                "title": "The platform publishes each booking's outcome",
                "channel": {"$ref": "#/channels/bookingEvents"},
                "messages": refs,
            }
        },
        "components": {"messages": messages, "schemas": dict(sorted(schemas.items()))},
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
