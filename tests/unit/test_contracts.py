"""Messages, envelope and topology: the contract every service relies on."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from contracts.envelope import Envelope
from contracts.events import BookingConfirmed, CloudEvent
from contracts.registry import ALL_MESSAGES, MESSAGE_TYPES, UnknownMessageType, model_for
from contracts.rooms import HoldRoom
from contracts.topology import DELIVERY_LIMIT, Service, Topology
from contracts.values import Stay
from infra.messaging.codec import Outgoing

pytestmark = pytest.mark.unit


def test_every_message_type_is_unique_and_versioned() -> None:
    assert len(MESSAGE_TYPES) == len(ALL_MESSAGES)
    for message in ALL_MESSAGES:
        assert re.fullmatch(r"[a-z]+\.[A-Z][A-Za-z]+\.v\d+", message.message_type), message


def test_an_unknown_type_is_named_in_the_error() -> None:
    with pytest.raises(UnknownMessageType, match=re.escape("rooms.Teleport.v1")):
        model_for("rooms.Teleport.v1")


def test_a_stay_must_end_after_it_starts() -> None:
    assert Stay(check_in=date(2027, 3, 1), check_out=date(2027, 3, 4)).nights == 3
    with pytest.raises(ValidationError, match="check_out must be after check_in"):
        Stay(check_in=date(2027, 3, 4), check_out=date(2027, 3, 4))


def test_commands_refuse_unknown_fields() -> None:
    with pytest.raises(ValidationError, match="extra"):
        HoldRoom.model_validate(
            {
                "hotel_id": "h",
                "room_type_id": "t",
                "stay": {"check_in": "2027-03-01", "check_out": "2027-03-02"},
                "guests": 2,
                "extra": True,
            }
        )


def test_the_envelope_travels_as_amqp_properties() -> None:
    command = HoldRoom(
        hotel_id="h",
        room_type_id="t",
        stay=Stay(check_in=date(2027, 3, 1), check_out=date(2027, 3, 2)),
        guests=2,
    )
    cause = Envelope.new("booking.StartBooking.v1", saga_id="saga-1")
    envelope = cause.caused(HoldRoom.message_type)
    properties = Outgoing.of(command, envelope).amqp_properties()

    assert properties["message_id"] == envelope.message_id != cause.message_id
    assert properties["correlation_id"] == "saga-1"
    assert properties["message_type"] == "rooms.HoldRoom.v1"
    assert properties["headers"]["x-causation-id"] == cause.message_id
    assert properties["headers"]["x-saga-id"] == "saga-1"


def test_an_envelope_must_name_the_body_it_carries() -> None:
    command = HoldRoom(
        hotel_id="h",
        room_type_id="t",
        stay=Stay(check_in=date(2027, 3, 1), check_out=date(2027, 3, 2)),
        guests=1,
    )
    with pytest.raises(ValueError, match=re.escape("envelope says rooms.ReleaseHold.v1")):
        Outgoing.of(command, Envelope.new("rooms.ReleaseHold.v1", "saga-1"))


def test_public_events_are_structured_cloudevents_with_ids_only() -> None:
    event = BookingConfirmed(
        booking_id="saga-1",
        reservation_id="r-1",
        confirmation_code="ABCD2345",
        client_id="client-1",
        agency_id="agency-lome",
        hotel_id="hotel-paris",
        room_type_id="double",
        stay=Stay(check_in=date(2027, 3, 1), check_out=date(2027, 3, 3)),
        total=Decimal("420.00"),
        currency="EUR",
    )
    envelope = Envelope.new(event.message_type, "saga-1")
    document = json.loads(
        CloudEvent(
            id=envelope.message_id,
            source="/orchestrator",
            type=event.message_type,
            subject="saga-1",
            time=envelope.occurred_at,
            data=event,
        ).model_dump_json()
    )
    for attribute in ("specversion", "id", "source", "type", "time", "datacontenttype", "data"):
        assert attribute in document
    assert document["specversion"] == "1.0"
    assert document["data"]["total"] == "420.00"
    assert set(document["data"]) <= set(BookingConfirmed.model_fields)


def test_topology_names_live_under_the_namespace_with_dead_letter_routes() -> None:
    topology = Topology("run42")
    queue = topology.command_queue(Service.ROOMS)
    assert queue.name == "run42.rooms.commands"
    assert queue.arguments is not None
    assert queue.arguments["x-queue-type"] == "quorum"
    assert queue.arguments["x-dead-letter-exchange"] == "run42.booking.dead-letters"
    assert queue.arguments["x-delivery-limit"] == DELIVERY_LIMIT
    assert topology.dead_letter_queue(queue).name == "run42.rooms.commands.dlq"
    assert all(name.startswith("run42.") for name in topology.every_queue_name())
    assert all(exchange.name.startswith("run42.") for exchange in topology.exchanges())
